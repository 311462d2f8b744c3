package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The DRAIN and UNCORDON steps of a per-GPU repair on a DRA node, through the ports. */
class ActuationDeviceTaintTest {
  private final List<String> calls = new ArrayList<>();
  private ActuatorException refuse;

  private final ClusterPort cluster =
      new ClusterPort() {
        @Override
        public Optional<LiveNode> node(String name) {
          return Optional.empty();
        }

        @Override
        public void cordon(String node, String operationId) {
          calls.add("cordon " + operationId);
        }

        @Override
        public void uncordon(String node, String operationId) {
          calls.add("uncordon");
        }

        @Override
        public void markHealth(String node, HealthMark mark) {
          calls.add("mark " + mark.value());
        }

        @Override
        public DrainResult drain(String node, Duration deadline) {
          calls.add("drain");
          return new DrainResult(4, 0, 2, true);
        }

        @Override
        public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
          calls.add("evict " + pods);
          return new DrainResult(pods.size(), 0, 0, true);
        }

        @Override
        public void taintDevices(String node, List<DraDevice> devices, String session) {
          calls.add("taint " + devices.stream().map(DraDevice::name).toList() + " " + session);
          if (refuse != null) {
            throw refuse;
          }
        }

        @Override
        public int untaintDevices(String node, String session) {
          calls.add("untaint " + session);
          return 1;
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
  private static final FaultVerdict V =
      GpuDrainScopeTest.verdict(FaultClass.GPU_XID_FATAL, GpuDrainScopeTest.gpu(3, "ml/a"));
  private static final String SESSION = Containment.taintSession(V);

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

  private static Optional<LiveNode> draNode() {
    List<DraDevice> devices =
        List.of(
            new DraDevice("gpu.nvidia.com", "n-1", "gpu-3", "GPU-3", null),
            new DraDevice("gpu.nvidia.com", "n-1", "gpu-4", "GPU-4", null));
    return ContainmentTest.node("g5.48xlarge", false, new LiveNode.GpuCount(8, 8))
        .map(n -> n.withDraDevices(devices));
  }

  private String drain() {
    return actuation().execute(V, DRAIN, draNode(), List.of(RemediationAction.RESET_GPU));
  }

  @Test
  void shouldTaintTheBadGpusDeviceBeforeEvictingOnlyItsPod() {
    String detail = drain();

    assertThat(calls).containsExactly("taint [gpu-3] " + SESSION, "mark degraded", "evict [ml/a]");
    assertThat(detail)
        .startsWith("drained GPU 3: 1 pod(s) evicted (ml/a)")
        .endsWith(
            "; device taint gpuward.io/unhealthy:NoSchedule on gpu.nvidia.com/n-1/gpu-3 (GPU 3):"
                + " not cordoned, node schedulable");
  }

  @Test
  void shouldCordonAsBeforeWhenTheApiRefusesTheRule() {
    refuse =
        new ActuatorException(
            ActuatorException.Kind.PERMANENT, "DeviceTaintRule gpuward-x failed (HTTP 404)");

    String detail = drain();

    String cordon = OperationIds.of(V.getNode(), V.getVerdictId(), RemediationAction.CORDON, 1);
    assertThat(calls)
        .containsExactly(
            "taint [gpu-3] " + SESSION, "cordon " + cordon, "mark pending-reset", "evict [ml/a]");
    assertThat(detail)
        .endsWith(
            "; cordoned: the API refused the device taint (DeviceTaintRule gpuward-x failed"
                + " (HTTP 404))");
    assertThat(Containment.kept(RemediationAction.DRAIN, Outcome.SUCCEEDED, detail)).isFalse();
  }

  @Test
  void shouldFailTheStepWhenTheRuleWasNotAnswered() {
    refuse = new ActuatorException(ActuatorException.Kind.AMBIGUOUS, "timed out");

    assertThatThrownBy(this::drain).isSameAs(refuse);
    assertThat(calls).containsExactly("taint [gpu-3] " + SESSION);
  }

  @Test
  void shouldDeleteTheSessionsRulesAtReturnToService() {
    Step uncordon = new Step("op-u", RemediationAction.UNCORDON, 1, null, "cleared");

    String detail = actuation().execute(V, uncordon, draNode(), List.of());

    assertThat(calls).containsExactly("untaint " + SESSION, "uncordon");
    assertThat(detail).endsWith("; device taint removed (1 DeviceTaintRule(s))");
  }

  @Test
  void shouldNotLookForRulesOnANodeWithoutDraDevices() {
    Step uncordon = new Step("op-u", RemediationAction.UNCORDON, 1, null, "cleared");

    String detail =
        actuation()
            .execute(
                V,
                uncordon,
                ContainmentTest.node("g5.48xlarge", false, new LiveNode.GpuCount(8, 8)),
                List.of());

    assertThat(calls).containsExactly("uncordon");
    assertThat(detail).isEqualTo("uncordoned");
  }
}
