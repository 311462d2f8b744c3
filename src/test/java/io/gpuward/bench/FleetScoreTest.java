package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gpuward.sim.FleetFault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetScoreTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  private static final Duration DAY = Duration.ofDays(1);

  private static FleetFault fault(String id, String node, int minute, String cls, boolean act) {
    return new FleetFault(id, "c", node, 0, Duration.ofMinutes(minute), cls, act, false);
  }

  private static FleetScore.Verdict verdict(String id, String node, String cls, int minute) {
    return new FleetScore.Verdict(id, node, cls, "OPEN", T0.plus(Duration.ofMinutes(minute)));
  }

  private static FleetScore.Action act(String node, String action, String outcome, int second) {
    return new FleetScore.Action("v", node, action, outcome, T0.plusSeconds(second));
  }

  private static FleetScore.Result score(
      List<FleetFault> truth, List<FleetScore.Verdict> v, List<FleetScore.Action> a) {
    return FleetScore.score(new FleetScore.Input(T0, DAY, 100, truth, v, a));
  }

  private static FleetScore.ClassRow row(FleetScore.Result r, String cls) {
    return r.classes().stream().filter(c -> c.faultClass().equals(cls)).findFirst().orElseThrow();
  }

  @Test
  void shouldCountADetectionOfTheExpectedClassOnTheFaultedNode() {
    FleetScore.Result r =
        score(
            List.of(
                fault("f0", "n1", 10, "GPU_LOST", true), fault("f1", "n2", 20, "GPU_LOST", true)),
            List.of(verdict("v1", "n1", "GPU_LOST", 10)),
            List.of());

    FleetScore.ClassRow lost = row(r, "GPU_LOST");
    assertThat(lost.injected()).isEqualTo(2);
    assertThat(lost.detected()).isEqualTo(1);
    assertThat(lost.recall()).isEqualTo(0.5);
    assertThat(lost.precision()).isEqualTo(1.0);
    assertThat(r.missed()).containsExactly("f1 c n2");
  }

  @Test
  void shouldCountAVerdictOnAHealthyNodeAsAFalsePositivePerNodeDay() {
    FleetScore.Result r =
        score(
            List.of(fault("f0", "n1", 10, "GPU_LOST", true)),
            List.of(verdict("v1", "n1", "GPU_LOST", 10), verdict("v2", "n9", "GPU_THERMAL", 50)),
            List.of());

    assertThat(r.falsePositives()).isEqualTo(1);
    // 100 nodes for one day: 1 false positive is 10 per 1,000 node-days
    assertThat(r.falsePositivesPer1000NodeDays()).isCloseTo(10.0, within(1e-9));
    assertThat(row(r, "GPU_THERMAL").precision()).isEqualTo(0.0);
    assertThat(row(r, "GPU_THERMAL").recall()).isNaN();
  }

  @Test
  void shouldTreatAnotherClassOnTheFaultedNodeAsSecondaryNotFalsePositive() {
    FleetScore.Result r =
        score(
            List.of(fault("f0", "n1", 10, "GPU_LOST", true)),
            List.of(
                verdict("v1", "n1", "GPU_LOST", 10),
                verdict("v2", "n1", "GPU_ALLOCATABLE_MISMATCH", 13)),
            List.of());

    assertThat(r.falsePositives()).isZero();
    assertThat(r.secondary()).isEqualTo(1);
    assertThat(row(r, "GPU_ALLOCATABLE_MISMATCH").precision()).isEqualTo(0.0);
  }

  @Test
  void shouldNotCountAVerdictBeforeTheFaultOrTooLateAfterIt() {
    FleetScore.Result r =
        score(
            List.of(fault("f0", "n1", 60, "GPU_THERMAL", true)),
            List.of(
                verdict("v1", "n1", "GPU_THERMAL", 10), verdict("v2", "n1", "GPU_THERMAL", 120)),
            List.of());

    assertThat(row(r, "GPU_THERMAL").detected()).isZero();
    assertThat(r.falsePositives()).isEqualTo(1);
    assertThat(r.secondary()).isEqualTo(1);
  }

  @Test
  void shouldTakeEachVerdictOnceFromItsFirstRecord() {
    FleetScore.Verdict open = verdict("v1", "n1", "GPU_LOST", 10);
    FleetScore.Verdict cleared =
        new FleetScore.Verdict("v1", "n1", "GPU_LOST", "CLEARED", T0.plus(Duration.ofMinutes(10)));
    FleetScore.Result r =
        score(List.of(fault("f0", "n1", 10, "GPU_LOST", true)), List.of(open, cleared), List.of());

    assertThat(row(r, "GPU_LOST").verdicts()).isEqualTo(1);
    assertThat(row(r, "GPU_LOST").correct()).isEqualTo(1);
  }

  @Test
  void shouldMeasureFaultToCordonAndRepairedInSimulatedTime() {
    FleetFault f = fault("f0", "n1", 1, "GPU_LOST", true); // at 60 s
    FleetScore.Result r =
        score(
            List.of(f),
            List.of(verdict("v1", "n1", "GPU_LOST", 1)),
            List.of(
                act("n1", "CORDON", "PLANNED", 61),
                act("n1", "CORDON", "SUCCEEDED", 62),
                act("n1", "REBOOT", "STARTED", 70),
                act("n1", "REBOOT", "SUCCEEDED", 150),
                act("n1", "UNCORDON", "SUCCEEDED", 200)));

    assertThat(r.faultToCordon().count()).isEqualTo(1);
    assertThat(r.faultToCordon().p50Ms()).isEqualTo(2_000.0);
    assertThat(r.faultToRepaired().p99Ms()).isEqualTo(140_000.0);
    assertThat(r.disruptedNodes()).isEqualTo(1);
    assertThat(r.nodesDisruptedPerTrueFault()).isEqualTo(1.0);
  }

  @Test
  void shouldFlagADisruptiveActionAfterAnApplicationXid() {
    FleetScore.Result r =
        score(
            List.of(fault("f0", "n1", 1, "APP_XID", false), fault("f1", "n2", 1, "APP_XID", false)),
            List.of(verdict("v1", "n1", "APP_XID", 1), verdict("v2", "n2", "APP_XID", 1)),
            List.of(act("n1", "NONE", "SKIPPED", 61), act("n2", "CORDON", "SUCCEEDED", 62)));

    assertThat(r.wrongRemediations()).isEqualTo(1);
    assertThat(row(r, "APP_XID").recall()).isEqualTo(1.0);
    // application faults are not true faults: no disruption is owed them
    assertThat(r.nodesDisruptedPerTrueFault()).isNaN();
  }

  @Test
  void shouldCountNodesDisruptedWithoutAFaultAgainstTheTrueFaults() {
    FleetScore.Result r =
        score(
            List.of(fault("f0", "n1", 1, "GPU_LOST", true), fault("f1", "n2", 1, "GPU_LOST", true)),
            List.of(),
            List.of(
                act("n1", "CORDON", "SUCCEEDED", 70),
                act("n1", "DRAIN", "STARTED", 71),
                act("n3", "REBOOT", "STARTED", 80),
                act("n4", "CORDON", "SKIPPED", 80)));

    assertThat(r.disruptedNodes()).isEqualTo(2);
    assertThat(r.nodesDisruptedPerTrueFault()).isEqualTo(1.0);
    assertThat(r.faultToRepaired().count()).isZero();
  }
}
