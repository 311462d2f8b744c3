package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The DRAIN step through the ports: per GPU where {@link GpuDrainScope} allows, else whole. */
class ActuationGpuDrainTest {
  private final List<String> calls = new ArrayList<>();

  private final ClusterPort cluster =
      new ClusterPort() {
        @Override
        public Optional<LiveNode> node(String name) {
          return Optional.empty();
        }

        @Override
        public void cordon(String node, String operationId) {}

        @Override
        public void uncordon(String node, String operationId) {}

        @Override
        public DrainResult drain(String node, Duration deadline) {
          calls.add("drain " + node);
          return new DrainResult(4, 0, 2, true);
        }

        @Override
        public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
          calls.add("evict " + node + " " + pods);
          return new DrainResult(pods.size(), 0, 0, true);
        }
      };

  private final CloudPort cloud =
      new CloudPort() {
        @Override
        public void resetGpu(String instanceId, String gpu, String token) {}

        @Override
        public void reboot(String instanceId, String token) {}

        @Override
        public void replace(String instanceId, String asgName, String token) {}
      };

  private static final Step DRAIN = new Step("op-d", RemediationAction.DRAIN, 1, null, "drain");

  private Actuation actuation() {
    return new Actuation(
        cluster,
        cloud,
        new FleetView(),
        Duration.ofMinutes(2),
        2,
        RemediationPolicy.GpuReset.DEFAULT,
        new RemediationPolicy.PerGpu(Set.of(FaultClass.GPU_XID_FATAL)),
        RemediationPolicy.Validate.OFF);
  }

  private static Optional<LiveNode> live(String instanceType) {
    return Optional.of(
        LiveNode.named("n-1")
            .bootId("boot-1")
            .ready(true)
            .unschedulable(true)
            .cordonedBy(Optional.of("op-c"))
            .instanceId("i-1")
            .labels(Map.of(NodeAllowList.INSTANCE_TYPE_LABEL, instanceType))
            .build());
  }

  @Test
  void shouldEvictOnlyTheGpusPodsBeforeAResetOnAG5() {
    var v = GpuDrainScopeTest.verdict(FaultClass.GPU_XID_FATAL, GpuDrainScopeTest.gpu(3, "ml/a"));

    String detail =
        actuation().execute(v, DRAIN, live("g5.12xlarge"), List.of(RemediationAction.RESET_GPU));

    assertThat(calls).containsExactly("evict " + v.getNode() + " [ml/a]");
    assertThat(detail).startsWith("drained GPU 3: 1 pod(s) evicted (ml/a)");
  }

  @Test
  void shouldDrainTheWholeP5BeforeAResetAndSayWhy() {
    var v = GpuDrainScopeTest.verdict(FaultClass.GPU_XID_FATAL, GpuDrainScopeTest.gpu(3, "ml/a"));

    String detail =
        actuation().execute(v, DRAIN, live("p5.48xlarge"), List.of(RemediationAction.RESET_GPU));

    assertThat(calls).containsExactly("drain " + v.getNode());
    assertThat(detail)
        .isEqualTo(GpuDrainScope.NVSWITCH + "; drained: 4 evicted, 2 DaemonSet pods left");
  }

  @Test
  void shouldDrainTheWholeNodeWhenTheGpusPodsAreUnknown() {
    var v = GpuDrainScopeTest.verdict(FaultClass.GPU_XID_FATAL, GpuDrainScopeTest.gpu(3));

    String detail =
        actuation().execute(v, DRAIN, live("g5.12xlarge"), List.of(RemediationAction.RESET_GPU));

    assertThat(calls).containsExactly("drain " + v.getNode());
    assertThat(detail).startsWith("GPU attribution unknown: whole-node drain; drained: 4 evicted");
  }
}
