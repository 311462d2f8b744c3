package io.gpuward.sim.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.gpuward.remediation.k8s.KubernetesActuatorSettings;
import io.gpuward.remediation.k8s.KubernetesClients;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.sim.ClusterAction;
import io.gpuward.sim.PodView;
import io.gpuward.sim.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A DRA node group served as an API: its ResourceSlice, and DeviceTaintRules acting on the model.
 */
class KubeWorldDeviceTaintTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NODE = "g5-dra-0";
  private static final String SESSION = "op-1b2c3d4e-0000-3000-8000-000000000001";

  private static final String FLEET =
      """
      name: kube-dra
      seed: 7
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: g5-dra, instanceType: g5.12xlarge, image: al2023-nvidia, count: 1, zone: us-east-1a, dra: true}
        - {name: g5-plugin, instanceType: g5.12xlarge, image: al2023-nvidia, count: 1, zone: us-east-1a}
      """;

  private KubeWorld w;
  private KubernetesClusterActuator actuator;

  @BeforeEach
  void setUp() {
    w = new KubeWorld(FLEET, SimulatedCluster.Settings.defaults());
    w.runTo(Duration.ofSeconds(5));
    w.server.sync();
    var client = KubernetesClients.create(w.server.clientConfig(), WAIT, WAIT);
    actuator =
        new KubernetesClusterActuator(
            client, w.clock, d -> w.pass(d), KubernetesActuatorSettings.defaults());
  }

  @AfterEach
  void tearDown() {
    w.close();
  }

  private List<Integer> workloadGpus() {
    return w.cluster.pods(NODE).stream()
        .filter(p -> !p.daemonSet())
        .map(PodView::gpuIndex)
        .sorted()
        .toList();
  }

  private List<String> taintActions() {
    return w.cluster.actions().stream()
        .filter(a -> a.action().startsWith("DEVICE_"))
        .map(a -> a.action() + " " + a.target() + " " + a.outcome() + " " + a.detail())
        .toList();
  }

  @Test
  void shouldServeTheNvidiaDriversSliceForADraNodeOnly() {
    List<DraDevice> devices = actuator.node(NODE).orElseThrow().draDevices();

    assertThat(devices)
        .extracting(DraDevice::name)
        .containsExactly("gpu-0", "gpu-1", "gpu-2", "gpu-3");
    assertThat(devices)
        .allSatisfy(
            d -> {
              assertThat(d.driver()).isEqualTo("gpu.nvidia.com");
              assertThat(d.pool()).isEqualTo(NODE);
              assertThat(d.uuid()).startsWith("GPU-");
            });
    assertThat(devices).extracting(DraDevice::index).containsExactly(0, 1, 2, 3);
    assertThat(actuator.node("g5-plugin-0").orElseThrow().draDevices()).isEmpty();
  }

  @Test
  void shouldKeepPodsOffATaintedGpuUntilItsRuleIsDeleted() {
    DraDevice gpu2 = actuator.node(NODE).orElseThrow().draDevices().get(2);
    String pod2 =
        w.cluster.pods(NODE).stream()
            .filter(p -> p.gpuIndex() == 2 && !p.daemonSet())
            .map(p -> p.namespace() + "/" + p.name())
            .findFirst()
            .orElseThrow();

    actuator.taintDevices(NODE, List.of(gpu2), SESSION);
    assertThat(actuator.evictPods(NODE, List.of(pod2), Duration.ofMinutes(2)).complete()).isTrue();
    w.pass(SimulatedCluster.Settings.defaults().rescheduleDelay().multipliedBy(3));

    assertThat(workloadGpus()).as("no new pod on the tainted GPU").containsExactly(0, 1, 3);
    assertThat(taintActions())
        .containsExactly("DEVICE_TAINT " + NODE + " ACCEPTED gpu-2 NoSchedule");

    assertThat(actuator.untaintDevices(NODE, SESSION)).isEqualTo(1);
    w.pass(SimulatedCluster.Settings.defaults().rescheduleDelay().multipliedBy(3));

    assertThat(workloadGpus()).containsExactly(0, 1, 2, 3);
    assertThat(taintActions())
        .containsExactly(
            "DEVICE_TAINT " + NODE + " ACCEPTED gpu-2 NoSchedule",
            "DEVICE_UNTAINT " + NODE + " ACCEPTED gpu-2");
    assertThat(w.cluster.actions())
        .filteredOn(a -> a.action().startsWith("DEVICE_"))
        .extracting(ClusterAction::operationId)
        .containsOnly("gpuward-" + SESSION + "-gpu-2");
  }

  @Test
  void shouldRefuseAClientWritingAResourceSlice() {
    var slices =
        new ResourceDefinitionContext.Builder()
            .withGroup("resource.k8s.io")
            .withVersion("v1")
            .withPlural("resourceslices")
            .withKind("ResourceSlice")
            .withNamespaced(false)
            .build();
    GenericKubernetesResource fake = new GenericKubernetesResource();
    fake.setApiVersion("resource.k8s.io/v1");
    fake.setKind("ResourceSlice");
    fake.setMetadata(new ObjectMetaBuilder().withName("x").build());
    fake.setAdditionalProperties(Map.of("spec", Map.of("driver", "gpu.nvidia.com")));

    assertThatThrownBy(() -> w.client.genericKubernetesResources(slices).resource(fake).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }
}
