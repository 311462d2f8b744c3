/**
 * Real infrastructure inside the JVM for the demo and tests: a single-node KRaft Kafka broker
 * ({@link io.gpuward.embedded.EmbeddedKafka}) and a Confluent-compatible schema registry over HTTP
 * ({@link io.gpuward.embedded.EmbeddedSchemaRegistry}), in memory or kept in a compacted topic.
 * Production uses any Kafka cluster and any Confluent-API registry instead.
 */
package io.gpuward.embedded;
