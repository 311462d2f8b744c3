package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerdictDeciderTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private final RuleCatalog rules = RuleCatalog.load();
  private final VerdictDecider decider = new VerdictDecider(rules);
  private final NodeContext ctx = new NodeContext("p5-train", "i-1", "us-east-1a", "p5.48xlarge");

  private static GpuRef gpu(String uuid) {
    return GpuRef.newBuilder().setUuid(uuid).setIndex(null).setPciBusId(null).build();
  }

  private static Signal.Detected thermal(String uuid, Severity sev, Instant at) {
    Evidence e = Evidences.of(Evidences.NONE, null, at, "gpu_hot_fraction").build();
    return new Signal.Detected(
        "n1",
        FaultClass.GPU_THERMAL,
        sev,
        RemediationAction.CORDON,
        List.of(gpu(uuid)),
        e,
        "thermal",
        at,
        "hot",
        null);
  }

  private static Signal.Recovered cool(List<String> uuids, Instant at) {
    Evidence e = Evidences.of(Evidences.NONE, null, at, "gpu_hot_fraction").build();
    return new Signal.Recovered("n1", Set.of(FaultClass.GPU_THERMAL), uuids, "cool", e, at);
  }

  @Test
  void shouldOpenWithADeterministicIdAndContext() {
    var a = decider.onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx);
    var b = decider.onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx);
    FaultVerdict v = a.emit().orElseThrow();
    assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
    assertThat(v.getVerdictId()).isEqualTo(b.emit().orElseThrow().getVerdictId());
    assertThat(v.getNodegroup()).isEqualTo("p5-train");
    assertThat(v.getValidUntil()).isEqualTo(T0.plus(rules.ttl(FaultClass.GPU_THERMAL)));
  }

  @Test
  void shouldStaySilentOnRepeatedEvidenceButExtendValidity() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    var again =
        decider.onDetected(
            Optional.of(open), thermal("G1", Severity.MAJOR, T0.plusSeconds(30)), ctx);
    assertThat(again.emit()).isEmpty();
    assertThat(again.keep().orElseThrow().getValidUntil()).isAfter(open.getValidUntil());
    assertThat(again.keep().orElseThrow().getDetectedAt()).isEqualTo(T0);
  }

  @Test
  void shouldUpdateOnANewGpuOrHigherSeverityWithoutMovingDetectedAt() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    FaultVerdict two =
        decider
            .onDetected(Optional.of(open), thermal("G2", Severity.MAJOR, T0.plusSeconds(30)), ctx)
            .emit()
            .orElseThrow();
    assertThat(two.getState()).isEqualTo(VerdictState.UPDATED);
    assertThat(two.getGpus()).extracting(GpuRef::getUuid).containsExactly("G1", "G2");
    FaultVerdict worse =
        decider
            .onDetected(Optional.of(two), thermal("G1", Severity.CRITICAL, T0.plusSeconds(60)), ctx)
            .emit()
            .orElseThrow();
    assertThat(worse.getSeverity()).isEqualTo(Severity.CRITICAL);
    assertThat(worse.getDetectedAt()).isEqualTo(T0);
    assertThat(worse.getVerdictId()).isEqualTo(open.getVerdictId());
  }

  @Test
  void shouldClearOnlyWhenEveryGpuRecovered() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    FaultVerdict two =
        decider
            .onDetected(Optional.of(open), thermal("G2", Severity.MAJOR, T0.plusSeconds(1)), ctx)
            .keep()
            .orElseThrow();
    var partial = decider.onRecovered(two, cool(List.of("G1"), T0.plusSeconds(60)));
    assertThat(partial.emit().orElseThrow().getState()).isEqualTo(VerdictState.UPDATED);
    assertThat(partial.keep().orElseThrow().getGpus())
        .extracting(GpuRef::getUuid)
        .containsExactly("G2");
    var all =
        decider.onRecovered(partial.keep().orElseThrow(), cool(List.of("G2"), T0.plusSeconds(90)));
    assertThat(all.keep()).isEmpty();
    assertThat(all.emit().orElseThrow().getState()).isEqualTo(VerdictState.CLEARED);
    assertThat(all.emit().orElseThrow().getClearReason()).isEqualTo("cool");
  }

  @Test
  void shouldIgnoreRecoveryEvidenceOlderThanTheFault() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    var late = decider.onRecovered(open, cool(List.of(), T0.minusSeconds(5)));
    assertThat(late.emit()).isEmpty();
    assertThat(late.keep()).contains(open);
  }

  @Test
  void shouldClearOnlyOnACleanWindowWhollyAfterTheFault() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    // The window that ends as the fault arrives was read before it, decided after it.
    var before = decider.onRecovered(open, cleanWindow(T0.minusSeconds(30), T0));
    assertThat(before.emit()).isEmpty();
    assertThat(before.keep()).contains(open);
    var after = decider.onRecovered(open, cleanWindow(T0, T0.plusSeconds(30)));
    assertThat(after.emit().orElseThrow().getState()).isEqualTo(VerdictState.CLEARED);
  }

  private static Signal.Recovered cleanWindow(Instant start, Instant end) {
    Evidence e =
        Evidences.of(Evidences.NONE, null, end, "window_clean")
            .setWindowStart(start)
            .setWindowEnd(end)
            .build();
    return new Signal.Recovered("n1", Set.of(FaultClass.GPU_THERMAL), List.of(), "clean", e, end);
  }

  @Test
  void shouldExpireAtValidUntilAndNotBefore() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    assertThat(decider.onTime(open, open.getValidUntil().minusMillis(1)).emit()).isEmpty();
    var expired = decider.onTime(open, open.getValidUntil());
    assertThat(expired.keep()).isEmpty();
    assertThat(expired.emit().orElseThrow().getClearReason()).startsWith("expired");
  }

  @Test
  void shouldApplyARuleScopedRecoveryOnlyToAVerdictThatRuleOpened() {
    FaultVerdict open =
        decider
            .onDetected(Optional.empty(), thermal("G1", Severity.MAJOR, T0), ctx)
            .keep()
            .orElseThrow();
    Evidence e = Evidences.of(Evidences.NONE, null, T0.plusSeconds(60), "x").build();
    var other =
        new Signal.Recovered(
            "n1", Set.of(FaultClass.GPU_THERMAL), List.of(), "x", e, T0.plusSeconds(60), "other");
    assertThat(decider.onRecovered(open, other).emit()).isEmpty();
    var own =
        new Signal.Recovered(
            "n1", Set.of(FaultClass.GPU_THERMAL), List.of(), "x", e, T0.plusSeconds(60), "thermal");
    assertThat(decider.onRecovered(open, own).emit().orElseThrow().getState())
        .isEqualTo(VerdictState.CLEARED);
  }
}
