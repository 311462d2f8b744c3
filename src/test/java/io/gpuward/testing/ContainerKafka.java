package io.gpuward.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers broker behind {@link SharedKafka} when {@code -Dgpuward.kafka=testcontainers}.
 * Kept apart so Testcontainers classes load only when asked for.
 */
final class ContainerKafka {

  /** Image of the container broker; {@code -Dgpuward.kafka.image} overrides it. */
  static final String DEFAULT_IMAGE = "apache/kafka:4.1.0";

  private ContainerKafka() {}

  static String start() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException(
          "-Dgpuward.kafka=testcontainers needs a Docker engine and none is reachable;"
              + " drop the property to use the embedded broker");
    }
    String image = System.getProperty("gpuward.kafka.image", DEFAULT_IMAGE);
    KafkaContainer kafka =
        new KafkaContainer(DockerImageName.parse(image))
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .withEnv("KAFKA_GROUP_STREAMS_HEARTBEAT_INTERVAL_MS", "500")
            .withEnv("KAFKA_GROUP_STREAMS_MIN_HEARTBEAT_INTERVAL_MS", "500");
    kafka.start();
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop, "shared-kafka-container-stop"));
    return kafka.getBootstrapServers();
  }
}
