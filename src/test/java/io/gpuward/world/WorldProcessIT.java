package io.gpuward.world;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.chaos.ChaosWatch;
import io.gpuward.chaos.RoleProcess;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated world in its own process ({@code gpuward simulate --serve --publish}), the engine
 * ({@code gpuward streams}) and the remediator ({@code gpuward remediate --live --actuator eks},
 * acting through the kubeconfig and the AWS endpoint the world serves) in theirs. The remediator is
 * killed with SIGKILL while the drain is in flight and again while the node reboots, and started
 * again each time; the world's own action log then shows each action done once: one cordon, one
 * reboot, no replacement, and the verdict cleared.
 *
 * <p>{@code -Dworld.kills=N} (default 2): kills after the second land as soon as the restarted
 * remediator has its partitions again. Needs {@code target/gpuward.jar}: failsafe runs after {@code
 * package}. Role output is in {@code target/world/<run>/}.
 */
class WorldProcessIT {
  private static final Logger log = LoggerFactory.getLogger(WorldProcessIT.class);
  private static final Path JAR = Path.of("target/gpuward.jar");
  private static final Path SCENARIO = Path.of("src/test/resources/world/reboot.yaml");
  private static final String NODE = "g5-train-1";
  private static final String HEALTHY = "g5-train-0";
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(150);
  private static final Pattern AWS = Pattern.compile("^ {2}aws: (http://\\S+)");
  private static final Pattern ACTIONS = Pattern.compile("^ {2}world actions: (http://\\S+)");
  private static final List<String> JVM =
      List.of(
          "-Xmx384m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.gpuward.avro");

  private final int kills = Integer.getInteger("world.kills", 2);

  /**
   * A fresh directory for one test's processes (the jar must be built: failsafe runs after
   * package).
   */
  private static Path runDir(String kind) throws IOException {
    assertThat(JAR).as("target/gpuward.jar (failsafe runs after package)").exists();
    Path dir = Path.of("target", "world", kind + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  /** The contract's topics under {@code prefix}, 2 partitions each, created on the broker. */
  private static Topics createTopics(
      String bootstrap, String prefix, EmbeddedSchemaRegistry registry) throws Exception {
    Topics topics =
        new Topics(
            TopicCatalog.load(prefix).withPartitions(2),
            new AvroSerdes(new RegistryClient(registry.url()), true));
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(60));
    }
    return topics;
  }

  /** What the world process announced. */
  private record Served(URI aws, WorldLog log, Path kubeconfig) {}

  @Test
  void shouldRepeatNoActionOnTheWorldWhenALiveRemediatorIsKilledMidAction() throws Exception {
    Path dir = runDir("run-");
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("world") + ".";
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory()) {
      Topics topics = createTopics(bootstrap, prefix, registry);
      List<String> common =
          List.of("-b", bootstrap, "-r", registry.url(), "--topic-prefix", prefix);
      RoleProcess world = world(dir, common);
      try (world;
          ChaosWatch watch = new ChaosWatch(bootstrap, topics)) {
        world.start();
        Served served = announced(world, dir.resolve("kubeconfig"));
        RoleProcess engine = engine(dir, common, prefix);
        RoleProcess remediator = remediator(dir, common, prefix, served);
        try (engine;
            remediator) {
          engine.start();
          remediator.start();
          killMidAction(remediator, served.log());
          awaitRecovered(watch, served.log());
          assertOnceEach(served.log(), watch);
          assertThat(List.of(world, engine, remediator))
              .allSatisfy(r -> assertThat(r.exits()).as(r.name() + " exits").isEmpty());
        }
      }
    }
  }

  /**
   * Two remediator processes on one Lease: the standby waits warm, and when the leader is killed
   * with SIGKILL mid-drain (the Lease not released) it takes over after the lease expired and
   * finishes the repair; the world shows each action done once. The takeover is printed.
   */
  @Test
  void shouldFinishTheRepairOnTheStandbyWhenTheLeaderIsKilledMidAction() throws Exception {
    Path dir = runDir("standby-");
    String bootstrap = SharedKafka.bootstrapServers();
    String prefix = TestNames.unique("world-standby") + ".";
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startInMemory()) {
      Topics topics = createTopics(bootstrap, prefix, registry);
      List<String> common =
          List.of("-b", bootstrap, "-r", registry.url(), "--topic-prefix", prefix);
      List<String> lease =
          List.of(
              "-D",
              "remediation.lease.name=gpuward-remediate",
              "-D",
              "remediation.lease.namespace=default",
              "-D",
              "remediation.lease.duration.ms=3000");
      RoleProcess world = world(dir, common);
      try (world;
          ChaosWatch watch = new ChaosWatch(bootstrap, topics)) {
        world.start();
        Served served = announced(world, dir.resolve("kubeconfig"));
        RoleProcess engine = engine(dir, common, prefix);
        RoleProcess leader = remediator(dir, common, prefix, served, "remediator-0", lease);
        RoleProcess standby = remediator(dir, common, prefix, served, "remediator-1", lease);
        try (engine;
            leader;
            standby) {
          engine.start();
          leader.start();
          awaitLine(leader, "gpuward remediator leading as remediator-0");
          standby.start();
          awaitLine(standby, "gpuward remediator standby as remediator-1");
          Eventually.await(
              STEP_TIMEOUT,
              () ->
                  assertThat(served.log().actions())
                      .anyMatch(
                          a -> a.is("EVICT") && a.accepted() && a.detail().equals("node " + NODE)));
          long killed = System.currentTimeMillis();
          leader.kill();
          awaitLine(standby, "gpuward remediator leading as remediator-1");
          long leading = System.currentTimeMillis();
          awaitPartitions(standby);
          long assigned = System.currentTimeMillis();
          awaitRecovered(watch, served.log());
          assertOnceEach(served.log(), watch);
          System.out.printf(
              "standby process takeover (lease 3000 ms): kill -> 'leading' line %d ms,"
                  + " -> verdict partitions assigned %d ms%n",
              leading - killed, assigned - killed);
          assertThat(List.of(world, engine, standby))
              .allSatisfy(r -> assertThat(r.exits()).as(r.name() + " exits").isEmpty());
        }
      }
    }
  }

  private static void awaitLine(RoleProcess role, String line) {
    Eventually.await(
        STEP_TIMEOUT, () -> assertThat(role.outputSinceStart()).anyMatch(l -> l.contains(line)));
  }

  /**
   * SIGKILL at the first accepted eviction of the faulted node (drain in flight), then at the
   * accepted reboot (node rebooting, verification pending), then each time the restarted remediator
   * owns its partitions again.
   */
  private void killMidAction(RoleProcess remediator, WorldLog world) throws Exception {
    List<Predicate<WorldLog.Action>> moments =
        List.of(
            a -> a.is("EVICT") && a.accepted() && a.detail().equals("node " + NODE),
            a -> a.is("REBOOT") && a.accepted());
    for (int i = 0; i < kills; i++) {
      if (i < moments.size()) {
        Predicate<WorldLog.Action> moment = moments.get(i);
        Eventually.await(
            STEP_TIMEOUT,
            () -> assertThat(world.actions()).as("world actions").anyMatch(moment::test));
      } else {
        awaitPartitions(remediator);
      }
      long t = System.currentTimeMillis();
      remediator.kill();
      remediator.start();
      log.info(
          "remediator killed (kill {} of {}) and started again in {} ms",
          i + 1,
          kills,
          System.currentTimeMillis() - t);
    }
  }

  private static void awaitPartitions(RoleProcess remediator) {
    Eventually.await(
        STEP_TIMEOUT,
        () ->
            assertThat(remediator.outputSinceStart())
                .anyMatch(l -> l.contains("step=verdict-partitions-assigned")));
  }

  /** The fault's verdict cleared and the node given back to the scheduler. */
  private static void awaitRecovered(ChaosWatch watch, WorldLog world) {
    Eventually.await(
        Duration.ofSeconds(180),
        () -> {
          assertThat(watch.verdicts())
              .as("GPU_LOST verdict of " + NODE + " cleared")
              .anyMatch(
                  s ->
                      s.value().getNode().equals(NODE)
                          && s.value().getFaultClass() == FaultClass.GPU_LOST
                          && s.value().getState() == VerdictState.CLEARED);
          assertThat(world.accepted("UNCORDON", a -> a.target().equals(NODE)))
              .as("uncordons of " + NODE)
              .isPositive();
        });
  }

  private static void assertOnceEach(WorldLog world, ChaosWatch watch) throws Exception {
    List<WorldLog.Action> actions = world.actions();
    String all = actions.stream().map(Object::toString).reduce("", (a, b) -> a + "\n  " + b);
    log.info("world action log:{}", all);
    assertThat(world.accepted("CORDON", a -> a.target().equals(NODE))).as(all).isEqualTo(1);
    assertThat(world.accepted("REBOOT", a -> true)).as(all).isEqualTo(1);
    assertThat(world.accepted("REPLACE", a -> true)).as(all).isZero();
    assertThat(actions)
        .as("nothing done to the healthy node:" + all)
        .noneMatch(a -> a.accepted() && a.target().equals(HEALTHY));
    List<String> resets =
        actions.stream()
            .filter(a -> a.is("RESET_GPU") && a.accepted())
            .map(a -> a.token())
            .toList();
    assertThat(resets).as("GPU resets, by token:" + all).doesNotHaveDuplicates();
    assertThat(startedOperations(watch, RemediationAction.REBOOT))
        .as("REBOOT operations started in the audit")
        .hasSize(1);
  }

  private static List<String> startedOperations(ChaosWatch watch, RemediationAction action) {
    return watch.audit().stream()
        .map(ChaosWatch.Seen::value)
        .filter(r -> r.getAction() == action && r.getOutcome() == Outcome.STARTED)
        .map(RemediationRecord::getOperationId)
        .distinct()
        .toList();
  }

  /** Waits for the world's endpoints in its output and for its kubeconfig file. */
  private static Served announced(RoleProcess world, Path kubeconfig) {
    List<URI> found = new ArrayList<>();
    Eventually.await(
        Duration.ofSeconds(90),
        () -> {
          List<String> out = world.outputSinceStart();
          Optional<String> aws = first(out, AWS);
          Optional<String> actions = first(out, ACTIONS);
          assertThat(aws).as("aws endpoint in " + world.output()).isPresent();
          assertThat(actions).as("world actions in " + world.output()).isPresent();
          assertThat(kubeconfig).exists();
          found.add(URI.create(aws.get()));
          found.add(URI.create(actions.get()));
        });
    return new Served(found.get(0), new WorldLog(found.get(1)), kubeconfig);
  }

  private static Optional<String> first(List<String> lines, Pattern p) {
    for (String l : lines) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }

  private static RoleProcess world(Path dir, List<String> common) {
    List<String> args = new ArrayList<>(List.of("simulate", "--serve", "--publish"));
    args.addAll(List.of("--scenario", SCENARIO.toAbsolutePath().toString(), "--speed", "1"));
    args.addAll(List.of("--write-kubeconfig", dir.resolve("kubeconfig").toString()));
    args.addAll(List.of("--metrics-port", "-1"));
    args.addAll(common);
    return new RoleProcess(
        "world", RoleProcess.java(JVM, JAR, args), Map.of(), dir.resolve("world.log"));
  }

  private static RoleProcess engine(Path dir, List<String> common, String prefix) {
    List<String> args = new ArrayList<>(List.of("streams", "--no-rollup"));
    args.addAll(List.of("--state-dir", dir.resolve("engine-state").toString()));
    args.addAll(List.of("--application-id", prefix + "engine", "-D", "instance.id=engine-0"));
    args.addAll(List.of("--metrics-port", "-1"));
    args.addAll(common);
    return new RoleProcess(
        "engine", RoleProcess.java(JVM, JAR, args), Map.of(), dir.resolve("engine.log"));
  }

  private static RoleProcess remediator(
      Path dir, List<String> common, String prefix, Served served) {
    return remediator(dir, common, prefix, served, "remediator-0", List.of());
  }

  /**
   * A remediator process named {@code name} (its pod name and static member id), with {@code extra}
   * settings.
   */
  private static RoleProcess remediator(
      Path dir,
      List<String> common,
      String prefix,
      Served served,
      String name,
      List<String> extra) {
    List<String> args = new ArrayList<>(List.of("remediate", "--live", "--actuator", "eks"));
    args.addAll(List.of("--aws-endpoint", served.aws().toString(), "--aws-region", "us-east-1"));
    args.addAll(List.of("--eks-cluster", "gpuward-sim"));
    args.addAll(List.of("-D", "remediation.group.id=" + prefix + "remediator"));
    // Its disruptive steps wait for this engine's committed progress (EngineProgressBarrier).
    args.addAll(List.of("-D", "engine.application.id=" + prefix + "engine"));
    args.addAll(List.of("-D", "instance.id=" + name, "--metrics-port", "-1"));
    args.addAll(extra);
    args.addAll(common);
    Map<String, String> env =
        Map.of(
            "POD_NAME", name,
            "KUBECONFIG", served.kubeconfig().toString(),
            "AWS_ACCESS_KEY_ID", "AKIDWORLD",
            "AWS_SECRET_ACCESS_KEY", "world-secret",
            "AWS_REGION", "us-east-1",
            "AWS_EC2_METADATA_DISABLED", "true");
    return new RoleProcess(name, RoleProcess.java(JVM, JAR, args), env, dir.resolve(name + ".log"));
  }
}
