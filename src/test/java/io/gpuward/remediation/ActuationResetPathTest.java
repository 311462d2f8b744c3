package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * RESET_GPU takes the path the policy gives the node's image family, the audit detail names it, and
 * a reset STARTED before a restart is read back through the path its record names.
 */
class ActuationResetPathTest {

  private static final String GPU = "GPU-a54c8f1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

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
          return new DrainResult(0, 0, 0, true);
        }

        @Override
        public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
          calls.add("evict " + node + " " + pods);
          return new DrainResult(pods.size(), 0, 0, true);
        }

        @Override
        public void resetGpuByJob(String node, List<String> gpus, String operationId) {
          calls.add("job " + node + " " + gpus + " " + operationId);
        }

        @Override
        public CommandTrace gpuResetJobTrace(String node, String operationId) {
          calls.add("job-trace " + node + " " + operationId);
          return new CommandTrace(CommandTrace.State.SUCCEEDED, "Job succeeded");
        }
      };

  private final CloudPort cloud =
      new CloudPort() {
        @Override
        public void resetGpu(String instanceId, String gpu, String token) {
          calls.add("ssm " + instanceId + " " + gpu + " " + token);
        }

        @Override
        public CommandTrace gpuResetTrace(String instanceId, String gpu, String token, Instant s) {
          calls.add("ssm-trace " + instanceId + " " + gpu + " " + token);
          return new CommandTrace(CommandTrace.State.SUCCEEDED, "SSM succeeded");
        }

        @Override
        public void reboot(String instanceId, String token) {}

        @Override
        public void replace(String instanceId, String asgName, String token) {}
      };

  private Actuation actuation(RemediationPolicy.GpuReset g) {
    return new Actuation(cluster, cloud, new FleetView(), Duration.ofMinutes(2), 2, g);
  }

  private static FaultVerdict verdict() {
    return FaultVerdict.newBuilder(
            PlannerTest.verdict(
                FaultClass.GPU_MEMORY_DEGRADED, RemediationAction.RESET_GPU, VerdictState.OPEN))
        .setGpus(List.of(GpuRef.newBuilder().setUuid(GPU).setIndex(0).build()))
        .build();
  }

  private static Optional<LiveNode> live(String osImage) {
    return Optional.of(
        LiveNode.named("p5-train-2")
            .bootId("boot-1")
            .ready(true)
            .unschedulable(true)
            .cordonedBy(Optional.of("op-c"))
            .instanceId("i-1")
            .osImage(osImage)
            .build());
  }

  private static final Step RESET = new Step("op-r", RemediationAction.RESET_GPU, 1, null, "reset");

  @Test
  void shouldResetABottlerocketNodesGpuThroughAJobAndSayWhichPath() {
    Actuation a = actuation(RemediationPolicy.GpuReset.DEFAULT);
    var node = live("Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)");

    assertThat(a.before(RESET, verdict(), node)).isEqualTo("instanceId=i-1 via=job");
    assertThat(a.execute(verdict(), RESET, node)).isEqualTo("reset 1 GPU(s) via=job");
    assertThat(calls).containsExactly("job p5-train-2 [" + GPU + "] op-r");
  }

  @Test
  void shouldResetAnAmazonLinuxNodesGpuThroughSsm() {
    Actuation a = actuation(RemediationPolicy.GpuReset.DEFAULT);
    var node = live("Amazon Linux 2023.9.20260714");

    assertThat(a.before(RESET, verdict(), node)).isEqualTo("instanceId=i-1 via=ssm");
    assertThat(a.execute(verdict(), RESET, node)).isEqualTo("reset 1 GPU(s) via=ssm");
    assertThat(calls).containsExactly("ssm i-1 " + GPU + " op-r");
  }

  @Test
  void shouldReadAResetBackThroughThePathItsStartedRecordNamesWhateverThePolicySaysNow() {
    // Started through a Job; the policy was changed to SSM for every image across the restart.
    Actuation a = actuation(RemediationPolicy.GpuReset.SSM_ONLY);
    var started =
        new Ledger.Entry(
            "op-r",
            "v-1",
            "p5-train-2",
            RemediationAction.RESET_GPU,
            1,
            Outcome.STARTED,
            NOW,
            "instanceId=i-1 via=job");

    CommandTrace t = a.trace(verdict(), started, live("Bottlerocket OS 1.20.3"));

    assertThat(t.state()).isEqualTo(CommandTrace.State.SUCCEEDED);
    assertThat(calls).containsExactly("job-trace p5-train-2 op-r");
  }

  @Test
  void shouldReadARecordFromBeforeTheJobPathThroughSsm() {
    Actuation a = actuation(RemediationPolicy.GpuReset.DEFAULT);
    var started =
        new Ledger.Entry(
            "op-r",
            "v-1",
            "p5-train-2",
            RemediationAction.RESET_GPU,
            1,
            Outcome.STARTED,
            NOW,
            "instanceId=i-1");

    a.trace(verdict(), started, live("Bottlerocket OS 1.20.3"));

    assertThat(calls).containsExactly("ssm-trace i-1 " + GPU + " op-r");
  }
}
