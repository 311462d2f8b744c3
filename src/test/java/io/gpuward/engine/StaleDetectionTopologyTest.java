package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.VerdictState;
import io.gpuward.engine.domain.Evidences;
import io.gpuward.engine.domain.Signal;
import io.gpuward.engine.domain.VerdictDecider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results that arrive after the recovery that ended what they saw open nothing. Found by the
 * unseen-scenario runs: a GPU window that closed after the node's reboot re-opened GPU_LOST (and
 * the node, just uncordoned, was cordoned again); a NotReady during a reboot joined with an XID
 * logged after the node was Ready again, opening a NODE_NOT_READY_GPU that nothing would ever
 * clear.
 */
class StaleDetectionTopologyTest {
  private static final String N = "p4d-a-0";

  @TempDir Path stateDir;
  private EngineHarness h;
  private long window;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(stateDir);
    window = h.rules.sampleWindow().size().toSeconds();
    h.inventory.pipeInput(N, inventory(N, "p5.48xlarge", "al2023-nvidia", T0));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static String uuid(int i) {
    return String.format("GPU-00000000-0000-0000-0000-%012d", i);
  }

  private void samples(int gpus, long from, long to) {
    for (long s = from; s < to; s++) {
      for (int i = 0; i < gpus; i++) {
        h.gpu.pipeInput(N, sample(N, i, uuid(i), 50.0, T0.plusSeconds(s)));
      }
    }
  }

  private void ready(String status, Instant at) {
    h.events.pipeInput(
        N,
        NodeEvent.newBuilder()
            .setEventId(N + "-ready-" + at.toEpochMilli())
            .setNode(N)
            .setKind(NodeEventKind.CONDITION_CHANGED)
            .setEventTime(at)
            .setSource("kubelet")
            .setConditionType("Ready")
            .setConditionStatus(status)
            .setReason(status.equals("True") ? "KubeletReady" : "KubeletNotReady")
            .setLabels(Map.of())
            .build());
  }

  private List<FaultVerdict> verdicts(FaultClass c) {
    return h.verdicts.readValuesToList().stream().filter(v -> v.getFaultClass() == c).toList();
  }

  @Test
  void aWindowClosingAfterTheRebootDoesNotReopenGpuLost() {
    samples(8, 0, window);
    h.xid.pipeInput(N, xid(N, 79, uuid(7), T0.plusSeconds(window + 1)));
    samples(7, window, 2 * window);
    // the node reboots a little after the second window ends, before that window closes
    h.events.pipeInput(N, rebooted(N, "boot-2", T0.plusSeconds(2 * window + 2)));
    samples(8, 2 * window + 3, 4 * window);

    List<FaultVerdict> lost = verdicts(FaultClass.GPU_LOST);
    assertThat(lost)
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN, VerdictState.CLEARED);
    assertThat(lost)
        .extracting(FaultVerdict::getVerdictId)
        .containsOnly(lost.get(0).getVerdictId());
  }

  @Test
  void aGpuStillMissingAfterTheRebootIsGpuLostAgain() {
    samples(8, 0, window);
    h.xid.pipeInput(N, xid(N, 79, uuid(7), T0.plusSeconds(window + 1)));
    samples(7, window, 2 * window);
    h.events.pipeInput(N, rebooted(N, "boot-2", T0.plusSeconds(2 * window + 2)));
    samples(7, 2 * window + 3, 5 * window);

    List<FaultVerdict> lost = verdicts(FaultClass.GPU_LOST);
    assertThat(lost)
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN, VerdictState.CLEARED, VerdictState.OPEN);
    assertThat(lost.get(2).getDetectedAt()).isAfter(T0.plusSeconds(2 * window + 2));
  }

  @Test
  void aNotReadyThatEndedBeforeTheXidDoesNotJoinIt() {
    ready("False", T0);
    ready("True", T0.plusSeconds(20));
    h.xid.pipeInput(N, xid(N, 119, uuid(0), T0.plusSeconds(40)));
    List<FaultVerdict> out = h.verdicts.readValuesToList();
    assertThat(out)
        .extracting(FaultVerdict::getFaultClass)
        .containsExactly(FaultClass.GPU_XID_FATAL);
  }

  @Test
  void aNotReadyStillOnWhenTheXidComesIsJoined() {
    ready("False", T0);
    h.xid.pipeInput(N, xid(N, 119, uuid(0), T0.plusSeconds(40)));
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU)).hasSize(1);
  }

  @Test
  void predatesComparesTheStartOfTheEvidenceWithTheLastRecovery() {
    Instant recovered = T0.plusSeconds(20);
    Signal.Detected join =
        new Signal.Detected(
            N,
            FaultClass.NODE_NOT_READY_GPU,
            io.gpuward.avro.Severity.CRITICAL,
            io.gpuward.avro.RemediationAction.REBOOT,
            List.of(),
            Evidences.of(Evidences.NONE, "e", T0, "not_ready_with_xid").build(),
            "rule",
            T0.plusSeconds(40),
            "s",
            null);
    assertThat(VerdictDecider.predates(join, recovered)).isTrue();
    assertThat(VerdictDecider.predates(join, null)).isFalse();
    assertThat(VerdictDecider.predates(join, T0)).as("not strictly before").isFalse();
    assertThat(new VerdictDecider(h.rules).recoveryMemory())
        .isGreaterThanOrEqualTo(h.rules.node().notReadyJoinWindow());
  }
}
