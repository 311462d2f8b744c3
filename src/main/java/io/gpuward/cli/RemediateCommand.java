package io.gpuward.cli;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.TelemetrySink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gpuward remediate}: the remediation consumer. */
@Command(
    name = "remediate",
    mixinStandardHelpOptions = true,
    description = {
      "Consume verdicts, plan and (with --live) carry out remediation, and write every decision",
      "to the audit topic. Dry run by default. Actuator in this release: 'simulated' (a simulated",
      "cluster built from --scenario); the EKS/EC2 actuators are not wired yet."
    })
final class RemediateCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ScenarioOptions scenarioOptions;

  @Option(names = "--live", description = "Act (default: dry run, decide and audit only).")
  boolean live;

  @Option(
      names = "--actuator",
      paramLabel = "KIND",
      defaultValue = "simulated",
      description = "Where actions go: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Actuator actuator;

  enum Actuator {
    simulated
  }

  @Override
  public Integer call() throws Exception {
    var cfg =
        kafka.config(
            Map.of(io.gpuward.config.GpuwardConfig.REMEDIATION_DRY_RUN, Boolean.toString(!live)));
    Platform platform = Platform.connect(cfg, true);
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    SimClock clock =
        new SimClock(Instant.now().truncatedTo(ChronoUnit.SECONDS), scenarioOptions.speed());
    SimulatedCluster cluster = new SimulatedCluster(clock);
    // Populate the simulated cluster with the scenario's nodes (no telemetry leaves this process).
    new FleetSimulator(scenarioOptions.scenario(types), types, cluster, NO_TELEMETRY, clock.start())
        .advanceTo(clock.start());
    Planner planner = new Planner(RemediationPolicy.load());
    var meters = new SimpleMeterRegistry();
    CountDownLatch stop = new CountDownLatch(1);
    try (RemediatorService service =
        new RemediatorService(
            cfg.kafkaClientProps(),
            platform.topics(),
            audit -> new Remediation(planner, cluster, cluster, audit, clock, cfg.dryRun(), meters),
            cfg.remediationGroupId())) {
      service.start();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "gpuward-remediate-stop"));
      System.out.printf(
          "gpuward remediator running (%s, actuator %s, policy %s)%n",
          cfg.dryRun() ? "DRY RUN" : "LIVE", actuator, planner.policy().version());
      stop.await();
    }
    return 0;
  }

  private static final TelemetrySink NO_TELEMETRY =
      new TelemetrySink() {
        @Override
        public void gpuSample(GpuSample s) {}

        @Override
        public void xid(XidEvent e) {}

        @Override
        public void nodeEvent(NodeEvent e) {}

        @Override
        public void inventory(NodeInventory i) {}

        @Override
        public void inventoryRemoved(String node) {}
      };
}
