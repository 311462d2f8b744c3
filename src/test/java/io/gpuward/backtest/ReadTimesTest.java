package io.gpuward.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.testing.SampleRecords;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadTimesTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private static FaultVerdict version(VerdictState s, int at) {
    return FaultVerdict.newBuilder(SampleRecords.faultVerdict())
        .setVerdictId("v1")
        .setState(s)
        .setUpdatedAt(T0.plusSeconds(at))
        .build();
  }

  private static RemediationRecord answer(int at) {
    return RemediationRecord.newBuilder(SampleRecords.remediationRecord())
        .setVerdictId("v1")
        .setOutcome(Outcome.PLANNED)
        .setAt(T0.plusSeconds(at))
        .build();
  }

  @Test
  void shouldPlayAFirstVersionWhenTheLiveRemediatorAnsweredIt() {
    FaultVerdict open = version(VerdictState.OPEN, 0);
    var read = ReadTimes.of(List.of(open), List.of(answer(170)));
    assertThat(read.get(open)).isEqualTo(T0.plusSeconds(170));
  }

  @Test
  void shouldReadAnUnansweredUpdateWithTheLagLastSeenForItsVerdict() {
    FaultVerdict open = version(VerdictState.OPEN, 0);
    FaultVerdict updated = version(VerdictState.UPDATED, 10);
    FaultVerdict cleared = version(VerdictState.CLEARED, 50);
    var read = ReadTimes.of(List.of(open, updated, cleared), List.of(answer(3), answer(52)));
    assertThat(read.get(updated)).isEqualTo(T0.plusSeconds(13));
    assertThat(read.get(cleared)).isEqualTo(T0.plusSeconds(52));
  }

  @Test
  void shouldReadVersionsOfOneNodeDecidedTogetherAtTheEarliestAnswer() {
    FaultVerdict lost = version(VerdictState.CLEARED, 80);
    FaultVerdict notReady =
        FaultVerdict.newBuilder(version(VerdictState.CLEARED, 80)).setVerdictId("v2").build();
    RemediationRecord verified = answer(81);
    RemediationRecord uncordoned =
        RemediationRecord.newBuilder(answer(83)).setVerdictId("v2").build();
    var read = ReadTimes.of(List.of(lost, notReady), List.of(verified, uncordoned));
    // v2's uncordon waited for v1's verification on the node's lane: it was read with v1.
    assertThat(read.get(notReady)).isEqualTo(T0.plusSeconds(81));
  }

  @Test
  void shouldPlayAVersionNoRecordAnswersAtItsUpdateTime() {
    FaultVerdict open = version(VerdictState.OPEN, 5);
    assertThat(ReadTimes.of(List.of(open), List.of()).get(open)).isEqualTo(T0.plusSeconds(5));
  }
}
