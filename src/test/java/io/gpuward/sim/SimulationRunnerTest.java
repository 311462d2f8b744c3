package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulationRunnerTest {

  private static final String FLEET =
      """
      name: r
      seed: 5
      sampleInterval: 1s
      duration: 20s
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 2, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 2, zone: us-east-1b}
      faults:
        - {at: 5s, node: p5-train-1, inject: xid, gpu: 2, xid: 79}
      """;

  @Test
  void shouldRunAsFastAsPossibleMovingTheManualClock() throws InterruptedException {
    ManualClock clock = new ManualClock(SimHarness.T0);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    RecordingSink sink = new RecordingSink();
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(FLEET, SimHarness.CATALOG), SimHarness.CATALOG, cluster, sink);
    try (SimulationRunner runner =
        SimulationRunner.asFastAsPossible(sim, clock, Duration.ofSeconds(20))) {
      runner.start();
      assertThat(runner.awaitCompletion(Duration.ofSeconds(30))).isTrue();
      SimulationRunner.Progress p = runner.progress();
      assertThat(p.done()).isTrue();
      assertThat(p.failure()).isEmpty();
      assertThat(p.simulatedElapsed()).isEqualTo(Duration.ofSeconds(20));
      assertThat(p.fraction()).isEqualTo(1.0);
      assertThat(p.records().gpuSamples())
          .isEqualTo(21L * 18 - 16); // one GPU lost from the tick at 5s on
      assertThat(p.records().xidEvents()).isEqualTo(1);
      assertThat(p.records().inventory()).isEqualTo(4);
      assertThat(p.records().gpuSamples()).isEqualTo(sink.samples.size());
      assertThat(p.records().nodeEvents()).isEqualTo(sink.events.size());
    }
    assertThat(clock.instant()).isEqualTo(SimHarness.T0.plusSeconds(20));
  }

  @Test
  void shouldRunInRealTimeAtTheClockSpeed() throws InterruptedException {
    SimClock clock = new SimClock(SimHarness.T0, 100);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    RecordingSink sink = new RecordingSink();
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(FLEET, SimHarness.CATALOG), SimHarness.CATALOG, cluster, sink);
    SimulationRunner runner = SimulationRunner.realTime(sim, clock);
    runner.start();
    assertThat(runner.awaitCompletion(Duration.ofSeconds(10))).isTrue();
    // Real time means the runner never gets ahead of the clock it paces on.
    assertThat(clock.instant()).isAfterOrEqualTo(SimHarness.T0.plusSeconds(20));
    assertThat(runner.progress().simulatedElapsed()).isEqualTo(Duration.ofSeconds(20));
    assertThat(runner.progress().done()).isTrue();
    assertThat(sim.ticks()).isEqualTo(21);
    runner.stop(); // idempotent after completion
  }

  @Test
  void shouldStopEarlyAndReportProgress() throws InterruptedException {
    SimClock clock = new SimClock(SimHarness.T0, 1);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(FLEET, SimHarness.CATALOG),
            SimHarness.CATALOG,
            cluster,
            new RecordingSink());
    SimulationRunner runner = SimulationRunner.realTime(sim, clock, Duration.ofHours(1));
    runner.start();
    runner.stop();
    assertThat(runner.awaitCompletion(Duration.ofSeconds(5))).isTrue();
    SimulationRunner.Progress p = runner.progress();
    assertThat(p.done()).isTrue();
    assertThat(p.simulatedElapsed()).isLessThan(Duration.ofMinutes(1));
    assertThat(p.target()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void shouldSurfaceASinkFailure() {
    ManualClock clock = new ManualClock(SimHarness.T0);
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(FLEET, SimHarness.CATALOG),
            SimHarness.CATALOG,
            new SimulatedCluster(clock),
            new RecordingSink() {
              @Override
              public void xid(io.gpuward.avro.XidEvent e) {
                throw new IllegalStateException("broker gone");
              }
            });
    SimulationRunner runner = SimulationRunner.asFastAsPossible(sim, clock, Duration.ofSeconds(20));
    runner.start();
    assertThatThrownBy(runner::awaitCompletion)
        .isInstanceOf(IllegalStateException.class)
        .hasRootCauseMessage("broker gone");
    assertThat(runner.progress().failure()).isPresent();
  }

  @Test
  void shouldServeARemediatorOnAnotherThreadWhileTicking() throws Exception {
    SimClock clock = new SimClock(SimHarness.T0, 200);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    RecordingSink sink = new RecordingSink();
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(FLEET, SimHarness.CATALOG).withDuration(Duration.ofMinutes(2)),
            SimHarness.CATALOG,
            cluster,
            sink,
            SimHarness.T0);
    SimulationRunner runner = SimulationRunner.realTime(sim, clock);
    runner.start();
    var remediator = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      var done =
          remediator.submit(
              () -> {
                while (cluster.node("p5-train-1").isEmpty()
                    || clock.instant().isBefore(SimHarness.T0.plusSeconds(6))) {
                  Thread.onSpinWait();
                }
                var before = cluster.node("p5-train-1").orElseThrow();
                cluster.cordon("p5-train-1", "op-c");
                var drained = cluster.drain("p5-train-1", Duration.ofMinutes(2));
                cluster.reboot(before.instanceId(), "op-r");
                return new Object[] {before.bootId(), drained};
              });
      Object[] r = done.get(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(((io.gpuward.remediation.port.DrainResult) r[1]).complete()).isTrue();
      assertThat(runner.awaitCompletion(Duration.ofSeconds(20))).isTrue();
      var after = cluster.node("p5-train-1").orElseThrow();
      assertThat(after.bootId()).isNotEqualTo(r[0]);
      assertThat(after.ready()).isTrue();
      assertThat(sink.events("p5-train-1", io.gpuward.avro.NodeEventKind.NODE_REBOOTED))
          .singleElement()
          .satisfies(e -> assertThat(e.getBootId()).isEqualTo(after.bootId()));
      // the GPU lost at 5 s is back after the reboot
      assertThat(sink.samples("p5-train-1", 2)).anyMatch(s -> s.getBootId().equals(after.bootId()));
    } finally {
      remediator.shutdownNow();
      runner.stop();
    }
  }
}
