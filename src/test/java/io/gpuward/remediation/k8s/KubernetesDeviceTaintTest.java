package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node's DRA devices and gpuward's KEP-5055 DeviceTaintRules against fabric8's mock API server in
 * CRUD mode, through generic resources at the configured versions.
 */
class KubernetesDeviceTaintTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSION = "op-0c7d4f0e-52c5-3b8e-9f0a-1b2c3d4e5f60";
  private static final String RULES = "/apis/resource.k8s.io/v1beta2/devicetaintrules";
  private static final DraDevice GPU_3 =
      new DraDevice("gpu.nvidia.com", K8sObjects.NODE, "gpu-3", "GPU-33", null);

  private ClusterMock mock;
  private KubernetesClient kube;
  private FakeTime time;

  @BeforeEach
  void setUp() {
    mock = new ClusterMock();
    kube = mock.client();
    time = new FakeTime(Instant.parse("2026-03-01T10:00:00Z"));
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  private KubernetesClusterActuator actuator(DraSettings dra) {
    return new KubernetesClusterActuator(
        kube, time, time, KubernetesActuatorSettings.defaults(), ResetJobSettings.defaults(), dra);
  }

  private static ResourceDefinitionContext context(String version, String plural, String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("resource.k8s.io")
        .withVersion(version)
        .withPlural(plural)
        .withKind(kind)
        .withNamespaced(false)
        .build();
  }

  /** A slice as the NVIDIA driver (v25.8 on) publishes it: pool = node, uuid but no index. */
  private void slice(String name, String node, String driver, int gpus) {
    StringBuilder devices = new StringBuilder();
    for (int i = 0; i < gpus; i++) {
      devices
          .append(i == 0 ? "" : ",")
          .append(
              "{\"name\":\"gpu-%d\",\"attributes\":{\"type\":{\"string\":\"gpu\"},\"uuid\":{\"string\":\"GPU-%d%d\"},\"productName\":{\"string\":\"NVIDIA A10G\"}}}"
                  .formatted(i, i, i));
    }
    String json =
        ("{\"apiVersion\":\"resource.k8s.io/v1\",\"kind\":\"ResourceSlice\",\"metadata\":{\"name\":\"%s\"},"
                + "\"spec\":{\"driver\":\"%s\",\"nodeName\":\"%s\",\"pool\":{\"name\":\"%s\",\"generation\":1,\"resourceSliceCount\":1},"
                + "\"devices\":[%s]}}")
            .formatted(name, driver, node, node, devices);
    kube.genericKubernetesResources(context("v1", "resourceslices", "ResourceSlice"))
        .resource(Serialization.unmarshal(json, GenericKubernetesResource.class))
        .create();
  }

  private List<GenericKubernetesResource> rules() {
    return kube.genericKubernetesResources(
            context("v1beta2", "devicetaintrules", "DeviceTaintRule"))
        .list()
        .getItems();
  }

  @Test
  void shouldReadTheNodesGpusFromTheSlicesOfTheConfiguredDriverOnly() {
    kube.nodes().resource(K8sObjects.gpuNode(K8sObjects.NODE)).create();
    slice("ours", K8sObjects.NODE, "gpu.nvidia.com", 4);
    slice("theirs", K8sObjects.OTHER_NODE, "gpu.nvidia.com", 4);
    slice("nics", K8sObjects.NODE, "rdma.example.com", 2);

    LiveNode n = actuator(DraSettings.defaults()).node(K8sObjects.NODE).orElseThrow();

    assertThat(n.draDevices())
        .hasSize(4)
        .contains(GPU_3)
        .allSatisfy(d -> assertThat(d.pool()).isEqualTo(K8sObjects.NODE));
  }

  @Test
  void shouldReadNoDevicesWhenDraIsOff() {
    kube.nodes().resource(K8sObjects.gpuNode(K8sObjects.NODE)).create();
    slice("ours", K8sObjects.NODE, "gpu.nvidia.com", 4);
    int before = mock.requests().size();

    LiveNode n =
        actuator(DraSettings.defaults().with("", null)).node(K8sObjects.NODE).orElseThrow();

    assertThat(n.draDevices()).isEmpty();
    assertThat(mock.requests().subList(before, mock.requests().size()))
        .noneMatch(r -> r.path().contains("resourceslices"));
  }

  @Test
  void shouldCreateExactlyTheExpectedDeviceTaintRule() throws Exception {
    actuator(DraSettings.defaults()).taintDevices(K8sObjects.NODE, List.of(GPU_3), SESSION);

    assertThat(mock.requests("POST", RULES)).hasSize(1);
    JsonNode sent = JSON.readTree(mock.requests("POST", RULES).get(0).body());
    assertThat(sent.path("apiVersion").asText()).isEqualTo("resource.k8s.io/v1beta2");
    assertThat(sent.path("kind").asText()).isEqualTo("DeviceTaintRule");
    assertThat(sent.path("metadata").path("name").asText())
        .isEqualTo("gpuward-" + SESSION + "-gpu-3");
    assertThat(sent.path("metadata").path("labels"))
        .isEqualTo(
            JSON.readTree(
                "{\"app.kubernetes.io/managed-by\":\"gpuward\",\"gpuward.io/session\":\""
                    + SESSION
                    + "\"}"));
    assertThat(sent.path("spec"))
        .isEqualTo(
            JSON.readTree(
                "{\"deviceSelector\":{\"driver\":\"gpu.nvidia.com\",\"pool\":\""
                    + K8sObjects.NODE
                    + "\",\"device\":\"gpu-3\"},"
                    + "\"taint\":{\"key\":\"gpuward.io/unhealthy\",\"effect\":\"NoSchedule\"}}"));
    assertThat(rules()).hasSize(1);
  }

  @Test
  void shouldTakeARuleOfTheSessionThatExistsAsDone() {
    var actuator = actuator(DraSettings.defaults());
    actuator.taintDevices(K8sObjects.NODE, List.of(GPU_3), SESSION);

    actuator.taintDevices(K8sObjects.NODE, List.of(GPU_3), SESSION); // a restarted remediator

    assertThat(mock.requests("POST", RULES)).hasSize(2);
    assertThat(rules()).hasSize(1);
  }

  @Test
  void shouldUseTheConfiguredVersion() {
    DraSettings alpha = DraSettings.defaults().with(null, "resource.k8s.io/v1alpha3");

    actuator(alpha).taintDevices(K8sObjects.NODE, List.of(GPU_3), SESSION);

    assertThat(mock.requests("POST", "/apis/resource.k8s.io/v1alpha3/devicetaintrules")).hasSize(1);
  }

  @Test
  void shouldReportARuleTheServerDoesNotServeAsPermanent() {
    mock.failNext("POST", RULES, 404, 1);

    assertThatThrownBy(
            () ->
                actuator(DraSettings.defaults())
                    .taintDevices(K8sObjects.NODE, List.of(GPU_3), SESSION))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT));
  }

  @Test
  void shouldDeleteOnlyTheSessionsOwnRules() {
    var actuator = actuator(DraSettings.defaults());
    DraDevice gpu5 = new DraDevice("gpu.nvidia.com", K8sObjects.NODE, "gpu-5", "GPU-55", null);
    actuator.taintDevices(K8sObjects.NODE, List.of(GPU_3, gpu5), SESSION);
    String other = "op-11111111-2222-3333-4444-555555555555";
    actuator.taintDevices(K8sObjects.NODE, List.of(gpu5), other);

    int deleted = actuator.untaintDevices(K8sObjects.NODE, SESSION);

    assertThat(deleted).isEqualTo(2);
    assertThat(rules())
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("gpuward-" + other + "-gpu-5");
    assertThat(actuator.untaintDevices(K8sObjects.NODE, SESSION)).isZero();
  }

  @Test
  void shouldFindNoRulesWhereTheApiIsNotServed() {
    mock.failNext("GET", RULES, 404, 1);

    assertThat(actuator(DraSettings.defaults()).untaintDevices(K8sObjects.NODE, SESSION)).isZero();
  }

  @Test
  void shouldRefuseAVersionOutsideResourceK8sIo() {
    assertThatThrownBy(() -> DraSettings.defaults().with(null, "v1beta2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("taintRuleApiVersion");
  }
}
