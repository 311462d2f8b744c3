package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.avro.RemediationAction;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every action gpuward takes on a node is a Kubernetes Event on that node. */
class KubernetesEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE = "ip-10-0-1-23.ec2.internal";

  private ClusterMock mock;
  private KubernetesClusterActuator actuator;

  @BeforeEach
  void setUp() {
    mock = new ClusterMock();
    FakeTime time = new FakeTime(Instant.parse("2026-03-01T10:00:00Z"));
    actuator =
        new KubernetesClusterActuator(
            mock.client(), time, time, KubernetesActuatorSettings.defaults());
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  @Test
  void shouldPostAnEventOnTheNodeNamingTheVerdictAndClass() throws Exception {
    actuator.recordEvent(
        NODE,
        RemediationAction.CORDON,
        true,
        "op-1",
        "CORDON for verdict v-42 (GPU_LOST, op op-1): cordoned");

    var posts = mock.requests("POST", "/api/v1/namespaces/default/events");
    assertThat(posts).hasSize(1);
    JsonNode e = JSON.readTree(posts.get(0).body());
    assertThat(e.path("reason").asText()).isEqualTo("GpuwardCordon");
    assertThat(e.path("type").asText()).isEqualTo("Normal");
    assertThat(e.path("message").asText()).contains("v-42").contains("GPU_LOST");
    assertThat(e.path("involvedObject").path("kind").asText()).isEqualTo("Node");
    assertThat(e.path("involvedObject").path("name").asText()).isEqualTo(NODE);
    assertThat(e.path("involvedObject").path("uid").asText()).isEqualTo(NODE);
    assertThat(e.path("source").path("component").asText()).isEqualTo("gpuward-remediator");
    assertThat(e.path("firstTimestamp").asText()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(e.path("metadata").path("name").asText()).startsWith(NODE + ".");
  }

  @Test
  void shouldRecordAFailureAsAWarningAndTheSameOperationOnlyOnce() throws Exception {
    for (int i = 0; i < 2; i++) {
      actuator.recordEvent(NODE, RemediationAction.RESET_GPU, false, "op-2", "RESET_GPU failed");
    }
    var posts = mock.requests("POST", "/api/v1/namespaces/default/events");
    assertThat(posts).hasSize(2);
    assertThat(JSON.readTree(posts.get(0).body()).path("metadata").path("name").asText())
        .isEqualTo(JSON.readTree(posts.get(1).body()).path("metadata").path("name").asText());
    JsonNode e = JSON.readTree(posts.get(0).body());
    assertThat(e.path("reason").asText()).isEqualTo("GpuwardResetGpuFailed");
    assertThat(e.path("type").asText()).isEqualTo("Warning");
    assertThat(mock.client().v1().events().inNamespace("default").list().getItems()).hasSize(1);
  }

  @Test
  void shouldNeverFailTheActionWhenTheEventCannotBeRecorded() {
    mock.failNext("POST", "/api/v1/namespaces/default/events", 403, 1);
    actuator.recordEvent(NODE, RemediationAction.REBOOT, true, "op-3", "reboot requested");
    assertThat(mock.requests("POST", "/events")).hasSize(1);
  }
}
