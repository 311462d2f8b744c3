package io.gpuward.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class OperandTrackerTest {
  private final OperandTracker tracker =
      new OperandTracker(Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC));

  private static Pod devicePlugin(String uid, String waiting, int restarts) {
    var state = new ContainerStatusBuilder().withName("nvidia-device-plugin");
    state.withRestartCount(restarts);
    if (waiting == null) {
      state.withNewState().withNewRunning().endRunning().endState();
    } else {
      state.withNewState().withNewWaiting().withReason(waiting).endWaiting().endState();
    }
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("gpu-operator")
        .withName("nvidia-device-plugin-daemonset-" + uid)
        .withUid(uid)
        .addNewOwnerReference()
        .withKind("DaemonSet")
        .withName("nvidia-device-plugin-daemonset")
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withNodeName("g5-infer-0")
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addToContainerStatuses(state.build())
        .endStatus()
        .build();
  }

  @Test
  void shouldPublishAnOperandStateOnlyWhenItChanges() {
    NodeEvent running = tracker.observe(devicePlugin("a1b2c", null, 0)).orElseThrow();
    assertThat(running.getKind()).isEqualTo(NodeEventKind.OPERAND_STATUS);
    assertThat(running.getEventId())
        .isEqualTo("g5-infer-0/OPERAND_STATUS/device-plugin/Running/0/a1b2c");
    assertThat(running.getPod()).isEqualTo("nvidia-device-plugin-daemonset-a1b2c");
    assertThat(running.getNamespace()).isEqualTo("gpu-operator");
    assertThat(tracker.observe(devicePlugin("a1b2c", null, 0))).as("unchanged").isEmpty();

    NodeEvent crash = tracker.observe(devicePlugin("a1b2c", "CrashLoopBackOff", 3)).orElseThrow();
    assertThat(crash.getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(crash.getMessage()).isEqualTo("restarts 3");
    assertThat(crash.getContainer()).isEqualTo("nvidia-device-plugin");
    assertThat(crash.getEventId())
        .isEqualTo("g5-infer-0/OPERAND_STATUS/device-plugin/CrashLoopBackOff/3/a1b2c");
  }

  @Test
  void shouldReportTheOperandMissingWhenItsPodIsDeleted() {
    tracker.observe(devicePlugin("a1b2c", null, 0));

    NodeEvent gone = tracker.removed(devicePlugin("a1b2c", null, 0)).orElseThrow();

    assertThat(gone.getReason()).isEqualTo("Missing");
    assertThat(gone.getEventId())
        .isEqualTo("g5-infer-0/OPERAND_STATUS/device-plugin/Missing/a1b2c");
    assertThat(gone.getPod()).isEqualTo("nvidia-device-plugin-daemonset-a1b2c");

    // its replacement starts from 0 restarts again: a new fact, under a new id
    NodeEvent back = tracker.observe(devicePlugin("d4e5f", null, 0)).orElseThrow();
    assertThat(back.getEventId())
        .isEqualTo("g5-infer-0/OPERAND_STATUS/device-plugin/Running/0/d4e5f");
  }

  @Test
  void shouldIgnoreTheDeletionOfAPodAlreadyReplaced() {
    tracker.observe(devicePlugin("old01", null, 0));
    tracker.observe(devicePlugin("new02", null, 0));

    assertThat(tracker.removed(devicePlugin("old01", null, 0))).isEmpty();
  }

  @Test
  void shouldIgnorePodsThatAreNoOperand() {
    Pod other =
        new PodBuilder()
            .withNewMetadata()
            .withName("gpu-operator-7d9f")
            .withNamespace("gpu-operator")
            .endMetadata()
            .withNewSpec()
            .withNodeName("g5-infer-0")
            .endSpec()
            .build();

    assertThat(tracker.observe(other)).isEmpty();
    assertThat(tracker.nodes()).isEmpty();
  }
}
