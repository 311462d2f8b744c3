package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.testing.SampleRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BacktestEndTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant END = T0.plusSeconds(300);
  private static final Duration TOLERANCE = Duration.ofSeconds(45);

  private static List<RemediationRecord> taken(String node, RemediationAction a, int at) {
    List<RemediationRecord> out = new ArrayList<>();
    for (Outcome o : List.of(Outcome.PLANNED, Outcome.STARTED)) {
      out.add(
          RemediationRecord.newBuilder(SampleRecords.remediationRecord())
              .setOperationId("op-" + node + "-" + a)
              .setVerdictId("v-" + node)
              .setNode(node)
              .setAction(a)
              .setOutcome(o)
              .setReason(null)
              .setAt(T0.plusSeconds(at))
              .build());
    }
    return out;
  }

  private static Backtest.Result compare(
      List<RemediationRecord> live, List<RemediationRecord> candidate) {
    return Backtest.compare(
            List.of(),
            live,
            new Backtest.Candidate(candidate, "candidate", Set.of()),
            T0,
            END,
            TOLERANCE)
        .withoutTheEnd();
  }

  @Test
  void shouldNotCompareAStepOnlyOneSideStartedInTheLastToleranceOfThePeriod() {
    // The replay resets n1 2 s before the history ends; live had not got to it yet.
    var live = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 100));
    var candidate = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 100));
    candidate.addAll(taken("n1", RemediationAction.RESET_GPU, 298));
    live.addAll(taken("n2", RemediationAction.REBOOT, 290));

    Backtest.Result r = compare(live, candidate);

    assertThat(r.changes()).isEmpty();
    assertThat(r.atEnd()).containsExactlyInAnyOrder("op-n1-RESET_GPU", "op-n2-REBOOT");
  }

  @Test
  void shouldStillReportAStepOnlyOneSideStartedEarlierThanThat() {
    var live = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 100));
    var candidate = new ArrayList<>(taken("n1", RemediationAction.DRAIN, 100));
    candidate.addAll(taken("n1", RemediationAction.RESET_GPU, 200));

    Backtest.Result r = compare(live, candidate);

    assertThat(r.changes())
        .singleElement()
        .satisfies(c -> assertThat(c.kind()).isEqualTo(AuditDiff.Kind.ADDED));
    assertThat(r.atEnd()).isEmpty();
  }
}
