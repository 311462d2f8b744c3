package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.KafkaConnectivity;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.SchemaRegistration;
import io.gpuward.contract.SchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.ops.Registries;
import io.gpuward.ops.StartupTimeline;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;

/**
 * What every role needs before it starts: a reachable broker (checked, with one clear error if
 * not), the schema registry client, the typed topics, and the topics created.
 */
record Platform(GpuwardConfig config, SchemaRegistry registry, Topics topics) {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  static Platform connect(GpuwardConfig cfg, boolean createTopics) {
    return connect(cfg, createTopics, 0);
  }

  /** {@code partitions} > 0 overrides the catalog's partition counts (small demos, benchmarks). */
  static Platform connect(GpuwardConfig cfg, boolean createTopics, int partitions) {
    return connect(cfg, createTopics, c -> partitions > 0 ? c.withPartitions(partitions) : c);
  }

  /** As {@link #connect}, with the topic catalog changed first (partitions, retention). */
  static Platform connect(
      GpuwardConfig cfg, boolean createTopics, UnaryOperator<TopicCatalog> adjust) {
    KafkaConnectivity.check(cfg.kafkaClientProps(), CONNECT_TIMEOUT);
    StartupTimeline.mark("broker-reachable");
    SchemaRegistry registry = Registries.client(cfg);
    TopicCatalog catalog = adjust.apply(TopicCatalog.load(cfg.topicPrefix()));
    Topics topics = new Topics(catalog, AvroSerdes.forRole(registry, cfg.autoRegister(), catalog));
    if (createTopics) {
      Map<String, Object> props = cfg.kafkaClientProps();
      try (Admin admin = Admin.create(props)) {
        TopicAdmin.ensureTopics(admin, topics.specs(), CONNECT_TIMEOUT);
      }
      StartupTimeline.mark("topics-checked");
    }
    return new Platform(cfg, registry, topics);
  }

  /**
   * Registers the value schemas of the topics {@code roles} write, so that they can run with
   * auto-registration off and their readers never meet a missing subject.
   */
  void registerSchemas(KafkaRole... roles) {
    for (KafkaRole role : roles) {
      SchemaRegistration.register(role, topics, registry);
    }
    StartupTimeline.mark("schemas-registered");
  }
}
