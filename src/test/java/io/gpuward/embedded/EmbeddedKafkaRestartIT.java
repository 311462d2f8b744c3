package io.gpuward.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.contract.KafkaConnectivity;
import io.gpuward.contract.TopicAdmin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Brokers of their own (not the shared one): port races and restarts on the same data dir. */
class EmbeddedKafkaRestartIT {

  @TempDir Path dataDir;

  @Test
  void shouldRetryWithNewPortsWhenAPortIsTaken() throws Exception {
    Deque<Integer> ports = new ArrayDeque<>();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ports.add(taken.getLocalPort()); // first attempt's broker port: in use
      for (int i = 0; i < 3; i++) {
        ports.add(freePort());
      }
      int secondBrokerPort = List.copyOf(ports).get(2);

      try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, ports::removeFirst)) {
        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + secondBrokerPort);
        assertThat(KafkaConnectivity.check(kafka.bootstrapServers(), Duration.ofSeconds(10)))
            .isNotBlank();
      }
    }
  }

  @Test
  void shouldRestartOnTheSameDataDirWithTheSameClusterAndTopics() throws Exception {
    String clusterId;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir);
        Admin admin = admin(kafka)) {
      clusterId = KafkaConnectivity.check(kafka.bootstrapServers(), Duration.ofSeconds(10));
      TopicAdmin.ensureNewTopics(
          admin, List.of(new NewTopic("kept", 2, (short) 1)), Duration.ofSeconds(30));
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir);
        Admin admin = admin(kafka)) {
      assertThat(KafkaConnectivity.check(kafka.bootstrapServers(), Duration.ofSeconds(10)))
          .isEqualTo(clusterId);
      assertThat(admin.listTopics().names().get()).contains("kept");
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }
}
