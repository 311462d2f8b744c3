package io.gpuward.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each role as its own process on a broker that is its own process: {@code gpuward streams} and
 * {@code gpuward remediate --live --actuator eks} (acting through its production fabric8 and AWS
 * SDK actuators on the simulated world the demo serves, {@code gpuward simulate --serve} in a
 * process of its own, which holds the fleet's nodes and logs every action asked of it) are killed
 * with SIGKILL at seeded random moments and started again with the same instance id; the broker is
 * killed and started again on the same ports and log directory; garbage goes to every input topic.
 * A fault (XID 79 on a fresh node) follows each kill, so the time to the first new verdict (engine,
 * broker) or cordon (remediator) after the kill is measured. The run prints a table and asserts the
 * targets.
 *
 * <p>Sizes: {@code -Dchaos.kills=N} kills per role (CI: 3), {@code -Dchaos.brokerRestarts} (1),
 * {@code -Dchaos.garbageRounds} (3), {@code -Dchaos.unknownIds} (200), {@code -Dchaos.seed}. Needs
 * {@code target/gpuward.jar}: failsafe runs after {@code package}. Role output is in {@code
 * target/chaos/<run>/}.
 */
class RoleChaosIT {
  private static final Logger log = LoggerFactory.getLogger(RoleChaosIT.class);
  private static final Path JAR = Path.of("target/gpuward.jar");
  private static final String ENGINE_APP = "chaos-engine";
  private static final String REMEDIATOR_GROUP = "chaos-remediator";
  private static final Duration MARKER_TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> JVM =
      List.of(
          "-Xmx384m",
          "-XX:+UseSerialGC",
          "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.gpuward.avro");

  private final long seed = Long.getLong("chaos.seed", System.nanoTime() % 100_000);
  private final int kills = Integer.getInteger("chaos.kills", 2);
  private final int brokerRestarts = Integer.getInteger("chaos.brokerRestarts", 1);
  private final int garbageRounds = Integer.getInteger("chaos.garbageRounds", 3);
  private final int unknownIds = Integer.getInteger("chaos.unknownIds", 200);
  private final Random random = new Random(seed);
  private final List<ChaosReport.Sent> garbage = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> engineRecovery = new ArrayList<>();
  private final List<Long> remediatorRecovery = new ArrayList<>();
  private final List<Long> brokerRecovery = new ArrayList<>();
  private final List<RecoveryPhases> enginePhases = new ArrayList<>();
  private final List<RecoveryPhases> remediatorPhases = new ArrayList<>();
  private final List<RecoveryPhases> brokerPhases = new ArrayList<>();

  @Test
  void shouldLoseRepeatAndStopNothingWhenEveryRoleIsKilledAndFedGarbage() throws Exception {
    assertThat(JAR).as("target/gpuward.jar (failsafe runs after package)").exists();
    Path dir =
        Path.of("target", "chaos", "run-" + seed + "-" + System.currentTimeMillis())
            .toAbsolutePath();
    Files.createDirectories(dir.resolve("broker"));
    log.info(
        "role chaos run: seed={} kills per role={} broker restarts={} dir={}",
        seed,
        kills,
        brokerRestarts,
        dir);
    int faults = 2 + 2 * kills + brokerRestarts;
    try (BrokerProcess broker = new BrokerProcess(dir.resolve("broker"), JAR)) {
      broker.start();
      String bootstrap = broker.bootstrapServers();
      awaitBroker(bootstrap);
      try (EmbeddedSchemaRegistry registry =
          EmbeddedSchemaRegistry.startOnKafka(bootstrap, "_chaos_schemas")) {
        Topics topics =
            new Topics(
                TopicCatalog.load("").withPartitions(3),
                new AvroSerdes(new RegistryClient(registry.url()), true));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
          TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(60));
        }
        try (ChaosFleet fleet = new ChaosFleet(faults, topics, bootstrap);
            ChaosCluster cluster = new ChaosCluster(dir, JAR, fleet.nodes());
            ChaosWatch watch = new ChaosWatch(bootstrap, topics)) {
          fleet.adopt(cluster.identities(names(fleet)));
          fleet.publishInventory();
          ScheduledExecutorService ticker =
              Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "chaos-ticker");
                    t.setDaemon(true);
                    return t;
                  });
          ticker.scheduleAtFixedRate(fleet::tick, 0, 2, TimeUnit.SECONDS);
          List<String> engineJvm = classDataSharing(dir, "engine", bootstrap, registry, cluster);
          List<String> remediatorJvm =
              classDataSharing(dir, "remediator", bootstrap, registry, cluster);
          RoleProcess engine = engine(dir, bootstrap, registry.url(), engineJvm, "engine.log");
          RoleProcess remediator =
              remediator(dir, bootstrap, registry.url(), cluster, remediatorJvm, "remediator.log");
          try (engine;
              remediator) {
            engine.start();
            remediator.start();
            ChaosGarbage crafted = new ChaosGarbage(topics, ENGINE_APP, REMEDIATOR_GROUP);
            run(fleet, cluster, watch, broker, engine, remediator, crafted);
            ChaosReport report =
                settle(
                    fleet,
                    cluster,
                    watch,
                    List.of(engine, remediator, broker.process(), cluster.process()));
            System.out.println(report.table());
            log.info("role chaos run done (seed {}):\n{}", seed, report.table());
            assertTargets(report);
          } finally {
            ticker.shutdownNow();
          }
        }
      }
    }
  }

  private static Set<String> names(ChaosFleet fleet) {
    return fleet.nodes().stream().map(ChaosFleet.FleetNode::name).collect(Collectors.toSet());
  }

  private void run(
      ChaosFleet fleet,
      ChaosCluster cluster,
      ChaosWatch watch,
      BrokerProcess broker,
      RoleProcess engine,
      RoleProcess remediator,
      ChaosGarbage crafted)
      throws Exception {
    for (int i = 0; i < 2; i++) {
      String node = fleet.fault();
      firstSeen(() -> cordonOf(cluster, node), "first cordon of " + node, Duration.ofSeconds(180));
    }
    sendGarbage(fleet, crafted.unknownIds(unknownIds, random));
    List<String> plan = new ArrayList<>();
    for (int i = 0; i < kills; i++) {
      plan.add("engine");
      plan.add("remediator");
    }
    for (int i = 0; i < brokerRestarts; i++) {
      plan.add("broker");
    }
    Collections.shuffle(plan, random);
    log.info("chaos plan (seed {}): {}", seed, plan);
    int garbageEvery = Math.max(1, plan.size() / Math.max(1, garbageRounds));
    int round = 0;
    for (int i = 0; i < plan.size(); i++) {
      if (i % garbageEvery == 0 && round < garbageRounds) {
        sendGarbage(fleet, crafted.round(round++, System.currentTimeMillis(), random));
      }
      pause(Duration.ofMillis(500 + random.nextInt(3_500)));
      switch (plan.get(i)) {
        case "engine" -> engineRecovery.add(killEngine(engine, fleet, watch));
        case "remediator" -> remediatorRecovery.add(killRemediator(remediator, fleet, cluster));
        default -> brokerRecovery.add(restartBroker(broker, fleet, watch));
      }
    }
    while (round < garbageRounds) {
      sendGarbage(fleet, crafted.round(round++, System.currentTimeMillis(), random));
    }
  }

  private long killEngine(RoleProcess engine, ChaosFleet fleet, ChaosWatch watch) throws Exception {
    long t = System.currentTimeMillis();
    engine.kill();
    engine.start();
    String node = fleet.fault();
    long seen =
        firstSeen(
            () -> verdictOf(watch, node),
            "verdict of " + node + " after an engine kill",
            MARKER_TIMEOUT);
    log.info("engine kill -> verdict of {} in {} ms", node, seen - t);
    enginePhases.add(
        RecoveryPhases.of(
            t, RecoveryPhases.ENGINE, engine.outputSinceStart(), seen, "first new verdict"));
    return seen - t;
  }

  private long killRemediator(RoleProcess remediator, ChaosFleet fleet, ChaosCluster cluster)
      throws Exception {
    long t = System.currentTimeMillis();
    remediator.kill();
    remediator.start();
    String node = fleet.fault();
    long seen =
        firstSeen(
            () -> cordonOf(cluster, node),
            "cordon of " + node + " after a remediator kill",
            MARKER_TIMEOUT);
    log.info("remediator kill -> cordon of {} in {} ms", node, seen - t);
    remediatorPhases.add(
        RecoveryPhases.of(
            t, RecoveryPhases.REMEDIATOR, remediator.outputSinceStart(), seen, "first new cordon"));
    return seen - t;
  }

  private long restartBroker(BrokerProcess broker, ChaosFleet fleet, ChaosWatch watch)
      throws Exception {
    long t = System.currentTimeMillis();
    broker.kill();
    pause(Duration.ofMillis(1_000 + random.nextInt(2_000)));
    long started = System.currentTimeMillis();
    broker.start();
    awaitBroker(broker.bootstrapServers());
    long answers = System.currentTimeMillis();
    String node = fleet.fault();
    long acked = System.currentTimeMillis();
    long seen =
        firstSeen(
            () -> verdictOf(watch, node),
            "verdict of " + node + " after a broker restart",
            Duration.ofSeconds(180));
    log.info("broker kill -> verdict of {} in {} ms", node, seen - t);
    Map<String, Long> phases = new LinkedHashMap<>();
    phases.put("kill -> broker started (harness pause)", started - t);
    phases.put("broker started -> broker answers", answers - started);
    phases.put("broker answers -> fault (XID) acknowledged", acked - answers);
    phases.put("fault acknowledged -> first new verdict seen", Math.max(0, seen - acked));
    brokerPhases.add(new RecoveryPhases(phases));
    return seen - t;
  }

  /**
   * Waits for the targets' evidence (every fault's verdict and cordon, every garbage record
   * handled), for at most two minutes, then reports what there is.
   */
  private ChaosReport settle(
      ChaosFleet fleet, ChaosCluster cluster, ChaosWatch watch, List<RoleProcess> roles) {
    try {
      Eventually.await(
          Duration.ofSeconds(120),
          () -> {
            ChaosReport r = report(fleet, cluster, watch, roles);
            assertThat(r.lost()).isEmpty();
            assertThat(r.garbageUnhandled()).isEmpty();
            assertThat(cluster.cordons()).containsAll(fleet.faulted());
          });
    } catch (AssertionError e) {
      log.warn("run did not settle within 2 min: {}", e.getMessage());
    }
    return report(fleet, cluster, watch, roles);
  }

  private ChaosReport report(
      ChaosFleet fleet, ChaosCluster cluster, ChaosWatch watch, List<RoleProcess> roles) {
    List<RoleProcess.Exit> exits = new ArrayList<>();
    roles.forEach(r -> exits.addAll(r.exits()));
    return ChaosReport.of(
        new ChaosReport.Inputs(
            fleet.faulted(),
            watch.verdicts(),
            watch.audit(),
            watch.deadLetters(),
            cluster.cordons(),
            cluster.reboots(),
            List.copyOf(garbage),
            engineRecovery,
            remediatorRecovery,
            brokerRecovery,
            enginePhases,
            remediatorPhases,
            brokerPhases,
            exits,
            kills,
            brokerRestarts));
  }

  private static void assertTargets(ChaosReport r) {
    String table = r.table();
    assertThat(r.lost()).as(table).isEmpty();
    assertThat(r.duplicated()).as(table).isEmpty();
    assertThat(r.extra()).as(table).isEmpty();
    assertThat(r.repeated()).as(table).isEmpty();
    assertThat(r.exits()).as(table).isEmpty();
    assertThat(r.garbageUnhandled()).as(table).isEmpty();
    assertThat(r.deadLetteredTwice()).as(table).isEmpty();
    assertThat(r.maxIdenticalAudit()).as(table).isLessThanOrEqualTo(ChaosReport.FLOOD);
  }

  private void sendGarbage(ChaosFleet fleet, List<ChaosGarbage.Item> items) throws Exception {
    for (ChaosGarbage.Item item : items) {
      var c = item.crafted();
      try {
        RecordMetadata m =
            fleet
                .producer()
                .send(
                    new ProducerRecord<>(
                        item.topic(), null, System.currentTimeMillis(), c.key(), c.value()))
                .get(60, TimeUnit.SECONDS);
        garbage.add(new ChaosReport.Sent(m.topic(), m.partition(), m.offset(), item, null));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof InvalidRecordException refused)) {
          throw e;
        }
        garbage.add(new ChaosReport.Sent(item.topic(), -1, -1, item, refused.getMessage()));
      }
    }
    log.info("sent {} garbage records", items.size());
  }

  private static OptionalLong verdictOf(ChaosWatch watch, String node) {
    return watch.verdicts().stream()
        .filter(
            s ->
                s.value().getNode().equals(node)
                    && s.value().getFaultClass() == FaultClass.GPU_LOST
                    && s.value().getState() == VerdictState.OPEN)
        .mapToLong(ChaosWatch.Seen::seenAt)
        .min();
  }

  private static OptionalLong cordonOf(ChaosCluster cluster, String node) {
    return cluster.cordons().contains(node)
        ? OptionalLong.of(System.currentTimeMillis())
        : OptionalLong.empty();
  }

  /**
   * Polls {@code probe} until it has a time, and returns it. After {@code timeout}, the run goes on
   * and the timeout's end counts as the time: the figure then shows the miss.
   */
  private static long firstSeen(Supplier<OptionalLong> probe, String what, Duration timeout) {
    long[] at = {System.currentTimeMillis() + timeout.toMillis()};
    try {
      Eventually.await(
          timeout,
          () -> {
            OptionalLong t = probe.get();
            assertThat(t).as(what).isPresent();
            at[0] = t.getAsLong();
          });
    } catch (AssertionError e) {
      log.warn("no {} within {}: the run goes on, the figure shows the miss", what, timeout);
    }
    return at[0];
  }

  /** A random pause between moves, so kills land at different points of the roles' work. */
  private static void pause(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    Eventually.await(d.plusSeconds(1), () -> assertThat(System.nanoTime() - until).isNotNegative());
  }

  private static void awaitBroker(String bootstrap) {
    Eventually.await(
        Duration.ofSeconds(60),
        () -> {
          try (Admin admin =
              Admin.create(
                  Map.of(
                      "bootstrap.servers",
                      bootstrap,
                      "request.timeout.ms",
                      2_000,
                      "default.api.timeout.ms",
                      3_000))) {
            assertThat(admin.describeCluster().nodes().get(3, TimeUnit.SECONDS)).isNotEmpty();
          } catch (java.util.concurrent.ExecutionException
              | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("broker not up yet: " + e);
          }
        });
  }

  /**
   * The JVM options a role runs with. With {@code -Dchaos.cds=true} (the default), as the container
   * image does: the role is started once with {@code -XX:ArchiveClassesAtExit}, left to reach its
   * last startup step, and stopped with SIGTERM, which writes its class-data archive; every start
   * after that maps the archive ({@code -XX:SharedArchiveFile}) instead of loading and verifying
   * those classes from the jar again.
   */
  private List<String> classDataSharing(
      Path dir,
      String role,
      String bootstrap,
      EmbeddedSchemaRegistry registry,
      ChaosCluster cluster)
      throws Exception {
    if (!Boolean.parseBoolean(System.getProperty("chaos.cds", "true"))) {
      return JVM;
    }
    Path archive = dir.resolve(role + ".jsa");
    List<String> train = new ArrayList<>(JVM);
    train.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off"));
    String log = role + "-cds-training.log";
    boolean engine = role.equals("engine");
    try (RoleProcess trainee =
        engine
            ? engine(dir, bootstrap, registry.url(), train, log)
            : remediator(dir, bootstrap, registry.url(), cluster, train, log)) {
      trainee.start();
      String ready = engine ? "verdict-engine-running" : "verdict-partitions-assigned";
      Eventually.await(
          Duration.ofSeconds(180),
          () -> assertThat(trainee.outputSinceStart()).anyMatch(l -> l.contains("step=" + ready)));
      trainee.stop();
    }
    assertThat(archive).as("class-data archive of the " + role).exists();
    List<String> jvm = new ArrayList<>(JVM);
    jvm.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off"));
    return jvm;
  }

  private static RoleProcess engine(
      Path dir, String bootstrap, String registry, List<String> jvm, String output) {
    List<String> args =
        List.of(
            "streams",
            "-b",
            bootstrap,
            "-r",
            registry,
            "--state-dir",
            dir.resolve("engine-state").toString(),
            "--application-id",
            ENGINE_APP,
            "-D",
            "instance.id=engine-0",
            "--metrics-port",
            "0");
    return new RoleProcess(
        "engine", RoleProcess.java(jvm, JAR, args), Map.of(), dir.resolve(output));
  }

  private static RoleProcess remediator(
      Path dir,
      String bootstrap,
      String registry,
      ChaosCluster cluster,
      List<String> jvm,
      String output) {
    List<String> args =
        List.of(
            "remediate",
            "--live",
            "--actuator",
            "eks",
            "--aws-region",
            "us-east-1",
            "--aws-endpoint",
            cluster.awsEndpoint(),
            "--eks-cluster",
            "gpuward-sim",
            "-b",
            bootstrap,
            "-r",
            registry,
            "-D",
            "instance.id=remediator-0",
            "-D",
            "remediation.group.id=" + REMEDIATOR_GROUP,
            "-D",
            "engine.application.id=" + ENGINE_APP,
            "--metrics-port",
            "0");
    return new RoleProcess(
        "remediator",
        RoleProcess.java(jvm, JAR, args),
        cluster.remediatorEnv(),
        dir.resolve(output));
  }
}
