package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.ScenarioLoader;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimTimeline;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole loop under fire: the verdict engine classifies telemetry of a simulated fleet ({@code
 * scenarios/chaos.yaml}, real time on a {@link SimClock}), and the remediator acting on the
 * simulated cluster is killed ({@link RemediatorService#halt()}) again and again, at a seeded
 * choice of action calls (before the call reaches the cluster, or after it took effect and before
 * its outcome is recorded) and at random moments, then restarted with the same group id (the ledger
 * rebuilt from the audit topic) until the scenario has played out.
 *
 * <p>Judged by {@link ChaosOracle} on the cluster's recorded calls and the {@code read_committed}
 * verdict and audit topics: no operation takes effect twice, nothing the policy prescribes is lost
 * (ladders climb, nodes are uncordoned when their verdicts clear), AMBIGUOUS only for an
 * interrupted GPU reset (then the ladder escalates), and the remediator keeps making progress.
 *
 * <p>Seeded: {@code -Dchaos.seed=N} repeats a run's kill plan ({@code -Dchaos.kills=0} runs the
 * scenario without kills); the seed and the kill points are printed on failure.
 */
class RemediatorChaosIT {
  private static final Logger log = LoggerFactory.getLogger(RemediatorChaosIT.class);
  private static final Path SCENARIO = Path.of("src/test/resources/scenarios/chaos.yaml");
  private static final double SPEED = 3;

  /** Wall time the scenario and the settling after it may take, kills and restarts included. */
  private static final Duration WALL_LIMIT = Duration.ofSeconds(150);

  @TempDir Path stateDir;

  /**
   * The shipped policy with budgets that let the scenario's four disruptions through two at a time
   * (per node group one), shorter verification deadlines, and the correlation settle kept.
   */
  static RemediationPolicy policy() {
    var p = RemediationPolicy.load();
    var ladder =
        new RemediationPolicy.Ladder(
            p.ladder().rungs(),
            Map.of(
                RemediationAction.RESET_GPU, Duration.ofSeconds(30),
                RemediationAction.REBOOT, Duration.ofSeconds(60),
                RemediationAction.REPLACE, Duration.ofMinutes(15)),
            p.ladder().recheck());
    return new RemediationPolicy(
        p.version(),
        p.steps(),
        Duration.ofSeconds(60),
        Map.of(
            "global", new Budgets.Limits(2, 0, 0, 0),
            "nodegroup", new Budgets.Limits(1, 0, 0, 0)),
        p.observeOnlyLag(),
        p.correlationSettle(),
        ladder,
        p.repeatOffender());
  }

  @Test
  void shouldNeitherRepeatNorLoseAnActionWhenKilledAnywhereDuringAScenario() throws Exception {
    long seed = Long.getLong("chaos.seed", System.nanoTime() % 100_000);
    int maxKills = Integer.getInteger("chaos.kills", 12);
    String bootstrap = SharedKafka.bootstrapServers();
    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("chaos") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(props)) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var cfg =
        new GpuwardConfig(
            Map.of(
                GpuwardConfig.BOOTSTRAP_SERVERS, bootstrap,
                GpuwardConfig.ENGINE_APPLICATION_ID, TestNames.unique("chaos-engine"),
                GpuwardConfig.ENGINE_STATE_DIR, stateDir.toString()));
    var types = InstanceTypeCatalog.load();
    Scenario scenario = ScenarioLoader.load(SCENARIO, types);
    // Placed as the demo places its run: simulated time never passes the wall clock the engine
    // checks event times against, however slowly a loaded machine runs the scenario.
    Instant start =
        SimTimeline.start(
            Optional.empty(),
            Instant.now().truncatedTo(ChronoUnit.SECONDS),
            scenario.duration(),
            SPEED);
    SimClock clock = SimClock.notAfter(start, SPEED, Clock.systemUTC());
    SimulatedCluster cluster =
        new SimulatedCluster(clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(4));
    Planner planner = new Planner(policy());
    String group = TestNames.unique("chaos-remediator");
    long t0 = System.nanoTime();
    log.info("chaos run: seed={} kills<={}", seed, maxKills);

    int rounds = 0;
    ChaosOracle oracle;
    try (ChaosMonkey monkey = new ChaosMonkey(seed, clock, maxKills);
        EngineService engine =
            EngineService.start(
                cfg,
                topics,
                RuleCatalog.load(),
                types,
                new SimpleMeterRegistry(),
                Clock.systemUTC(),
                Duration.ofSeconds(60));
        TelemetryPublisher publisher =
            new TelemetryPublisher(cfg.kafkaClientProps(), topics, TestNames.unique("chaos-sim"));
        ChaosRecords records = new ChaosRecords(bootstrap, topics);
        SimulationRunner runner =
            SimulationRunner.realTime(
                new FleetSimulator(scenario, types, cluster, publisher, clock.start()), clock)) {
      monkey.start();
      long deadline = t0 + WALL_LIMIT.toNanos();
      boolean done = false;
      while (!done) {
        rounds++;
        int round = rounds;
        AtomicReference<RemediatorService> self = new AtomicReference<>();
        ChaosMonkey.Instance ports = monkey.attach(cluster, self::get);
        var service =
            new RemediatorService(
                props,
                topics,
                a ->
                    new Remediation(
                        planner,
                        ports,
                        ports,
                        ports.audit(a),
                        clock,
                        false,
                        new SimpleMeterRegistry()),
                group);
        self.set(service);
        try {
          service.start();
          if (round == 1) {
            runner.start(); // the first instance is up before the first fault
          }
          while (!service.halted()) {
            var now = new ChaosOracle(records.verdicts(), records.audit(), cluster);
            assertThat(now.violations()).as(() -> monkey.describe() + now.trail()).isEmpty();
            if (now.missing().isEmpty() && service.caughtUp()) {
              done = true;
              break;
            }
            assertThat(System.nanoTime() < deadline)
                .as(
                    () ->
                        "not done within "
                            + WALL_LIMIT
                            + " (round "
                            + round
                            + ", sim "
                            + clock.instant()
                            + "): "
                            + now.missing()
                            + "\n"
                            + monkey.describe()
                            + now.trail())
                .isTrue();
            Thread.sleep(200);
          }
        } finally {
          service.close();
        }
        if (done) {
          assertThat(service.polls()).as("the last remediator instance polls").isPositive();
        }
      }
      runner.stop();
      monkey.close();
      // What the audit topic holds now, once every instance has stopped.
      Thread.sleep(1_000);
      oracle = new ChaosOracle(records.verdicts(), records.audit(), cluster);
      String context = monkey.describe() + oracle.trail();
      assertThat(oracle.violations()).as(context).isEmpty();
      assertThat(oracle.missing()).as(context).isEmpty();
      if (maxKills > 0) {
        assertThat(monkey.kills()).as(context).isGreaterThanOrEqualTo(Math.min(6, maxKills));
        assertThat(rounds).as("restarts").isEqualTo(monkey.kills() + 1);
      } else {
        assertThat(rounds).isEqualTo(1);
      }
      var stats = cluster.stats();
      log.info(
          "chaos run done: seed={} kills={} rounds={} wall={}s sim={} killedKinds={} stats={}",
          seed,
          monkey.kills(),
          rounds,
          (System.nanoTime() - t0) / 1_000_000_000,
          Duration.between(clock.start(), clock.instant()),
          monkey.killedKinds(),
          stats);
      log.info("chaos kills and trail: {}{}", monkey.describe(), oracle.trail());
      // The cluster's own counts agree: one effect per fault session that recorded the step done.
      assertThat(stats.replacements())
          .as(context)
          .isEqualTo(oracle.sessions(RemediationAction.REPLACE, Outcome.SUCCEEDED));
      assertThat(stats.reboots())
          .as(context)
          .isEqualTo(oracle.sessions(RemediationAction.REBOOT, Outcome.SUCCEEDED));
      // An interrupted reset may or may not have reached the cluster: that is why it is AMBIGUOUS.
      assertThat(stats.gpuResets())
          .as(context)
          .isBetween(
              oracle.sessions(RemediationAction.RESET_GPU, Outcome.SUCCEEDED),
              oracle.sessions(RemediationAction.RESET_GPU, Outcome.SUCCEEDED)
                  + oracle.sessions(RemediationAction.RESET_GPU, Outcome.AMBIGUOUS));
    }
  }
}
