package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kills the remediator (in-JVM: {@link RemediatorService#halt()}, nothing more written or
 * committed) between the intent and the outcome of every action in turn, restarts it each time, and
 * counts what the simulated cluster did: no action repeats, none is lost.
 */
class RemediatorCrashIT {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  private Topics topics;
  private String bootstrap;
  private Map<String, Object> props;

  private void setUp(String name) throws Exception {
    bootstrap = SharedKafka.bootstrapServers();
    props = Map.of("bootstrap.servers", bootstrap);
    topics =
        new Topics(
            TopicCatalog.load(TestNames.unique(name) + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(props)) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
  }

  private static SimulatedCluster cluster(ManualClock clock) {
    var types = InstanceTypeCatalog.load();
    var cluster =
        new SimulatedCluster(
            clock, SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(100));
    DefaultFleet.populate(cluster, types, T0);
    return cluster;
  }

  private static RemediationPolicy policy() {
    var p = RemediationPolicy.load();
    return new RemediationPolicy(
        p.version(),
        p.steps(),
        Duration.ofSeconds(30),
        Map.of(),
        p.observeOnlyLag(),
        Duration.ZERO,
        p.ladder(),
        p.repeatOffender());
  }

  @Test
  void shouldNeitherRepeatNorLoseAnActionWhenKilledBetweenIntentAndOutcome() throws Exception {
    setUp("crash");
    var clock = new ManualClock(T0);
    var cluster = cluster(clock);
    // Without an engine no verdict clears, so every rung would end FAILED_PERMANENT at its
    // deadline and the ladder climb on: long deadlines keep this test about the crashes. A reboot
    // killed before it was sent is retried once its deadline passed with the boot id unchanged,
    // so the GPU reset's deadline must outlast that wait.
    var ladder = policy().ladder();
    var deadlines = new java.util.HashMap<>(ladder.verifyDeadline());
    deadlines.put(RemediationAction.RESET_GPU, Duration.ofHours(6));
    deadlines.put(RemediationAction.REBOOT, Duration.ofMinutes(30));
    var planner =
        new Planner(
            policy()
                .withLadder(
                    new RemediationPolicy.Ladder(ladder.rungs(), deadlines, ladder.recheck())));
    String group = TestNames.unique("remediator-crash");
    List<FaultVerdict> verdicts =
        List.of(
            verdict("v-hot-5", "p5-train-5", FaultClass.GPU_THERMAL, RemediationAction.CORDON),
            verdict("v-hot-6", "p5-train-6", FaultClass.GPU_THERMAL, RemediationAction.CORDON),
            verdict("v-lost-2", "p5-train-2", FaultClass.GPU_LOST, RemediationAction.REBOOT),
            FaultVerdict.newBuilder(
                    verdict(
                        "v-xid-3",
                        "p5-train-3",
                        FaultClass.GPU_XID_FATAL,
                        RemediationAction.RESET_GPU))
                .setGpus(
                    List.of(
                        io.gpuward.avro.GpuRef.newBuilder()
                            .setUuid("0") // the simulated cluster takes an index too
                            .setIndex(0)
                            .build()))
                .build());
    int podsOnDrainedNodes =
        cluster.pods("p5-train-2").stream().filter(p -> !p.daemonSet()).toList().size()
            + cluster.pods("p5-train-3").stream().filter(p -> !p.daemonSet()).toList().size();

    // Every (node, action) is killed once, alternately before and after the call reaches the
    // cluster; the remediator is restarted after each kill.
    Set<String> killedAt = ConcurrentHashMap.newKeySet();
    AtomicInteger kills = new AtomicInteger();
    int rounds = 0;
    try (var producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.verdicts.valueSerde().serializer())) {
      for (FaultVerdict v : verdicts) {
        producer.send(new ProducerRecord<>(topics.verdicts.name(), v.getNode(), v)).get();
      }
      while (true) {
        rounds++;
        assertThat(rounds).as("rounds").isLessThan(20);
        AtomicReference<RemediatorService> self = new AtomicReference<>();
        var ports = new KillingPorts(cluster, killedAt, kills, () -> self.get().halt());
        var service =
            new RemediatorService(
                props,
                topics,
                a ->
                    new Remediation(
                        planner, ports, ports, a, clock, false, new SimpleMeterRegistry()),
                group);
        self.set(service);
        service.start();
        awaitShowingTheAudit(
            () -> {
              // Simulated time passes only while the remediator waits for it (a reboot to finish,
              // a lost reboot to be noticed), never while it restarts or acts: however slow the
              // machine, a restart takes no simulated time and verdicts do not expire meanwhile.
              if (service.caughtUp()) {
                clock.advance(Duration.ofSeconds(10));
              }
              assertThat(service.halted() || allDone(service.remediation().ledger()))
                  .as(() -> "halted or done at " + clock.instant() + ": " + trail(service))
                  .isTrue();
            });
        boolean killed = service.halted();
        service.close();
        if (!killed) {
          break;
        }
      }
    }
    assertThat(kills.get()).as("kills").isGreaterThanOrEqualTo(8);

    // Counted on the cluster: each action took effect exactly once.
    var stats = cluster.stats();
    assertThat(stats.cordons()).as("cordons").isEqualTo(4);
    assertThat(stats.reboots()).as("reboots").isEqualTo(1);
    assertThat(stats.gpuResets()).as("GPU resets").isEqualTo(1);
    assertThat(stats.evictions()).as("pods evicted once each").isEqualTo(podsOnDrainedNodes);
    assertThat(stats.replacements()).isZero();

    // And in the audit: every operation ended SUCCEEDED once, nothing AMBIGUOUS.
    List<RemediationRecord> audit = readAudit();
    assertThat(audit).noneMatch(r -> r.getOutcome() == Outcome.AMBIGUOUS);
    var succeeded =
        audit.stream()
            .filter(r -> r.getOutcome() == Outcome.SUCCEEDED)
            .map(r -> r.getNode() + "/" + r.getAction())
            .toList();
    assertThat(succeeded)
        .containsExactlyInAnyOrder(
            "p5-train-5/CORDON",
            "p5-train-6/CORDON",
            "p5-train-2/CORDON",
            "p5-train-2/DRAIN",
            "p5-train-2/REBOOT",
            "p5-train-3/CORDON",
            "p5-train-3/DRAIN",
            "p5-train-3/RESET_GPU");
    assertThat(audit)
        .anySatisfy(r -> assertThat(r.getDetail()).contains("reconciled after restart"));
    // The GPU reset, killed before or after it was sent, was settled by the command history.
    assertThat(audit)
        .filteredOn(r -> r.getAction() == RemediationAction.RESET_GPU)
        .anySatisfy(
            r ->
                assertThat(r.getDetail())
                    .containsAnyOf("nvidia-smi -r -i 0 succeeded", "never sent"));
  }

  /** Waits up to a minute; on failure the message also holds the whole audit trail so far. */
  private void awaitShowingTheAudit(Eventually.ThrowingRunnable condition) {
    try {
      Eventually.await(Duration.ofSeconds(60), condition);
    } catch (AssertionError e) {
      StringBuilder b = new StringBuilder(String.valueOf(e.getMessage())).append("\naudit:");
      for (RemediationRecord r : readAudit()) {
        b.append("\n  ")
            .append(r.getAt())
            .append(' ')
            .append(r.getNode())
            .append(' ')
            .append(r.getAction())
            .append('#')
            .append(r.getAttempt())
            .append(' ')
            .append(r.getOutcome())
            .append(r.getReason() == null ? "" : "(" + r.getReason() + ")")
            .append(' ')
            .append(r.getDetail());
      }
      throw new AssertionError(b.toString(), e);
    }
  }

  /** The latest outcome of each (node, action) so far, for a failure message. */
  private static String trail(RemediatorService service) {
    var l = service.remediation().ledger();
    StringBuilder b = new StringBuilder();
    for (String[] nv :
        new String[][] {
          {"p5-train-5", "v-hot-5"},
          {"p5-train-6", "v-hot-6"},
          {"p5-train-2", "v-lost-2"},
          {"p5-train-3", "v-xid-3"}
        }) {
      for (RemediationAction a :
          List.of(
              RemediationAction.CORDON,
              RemediationAction.DRAIN,
              RemediationAction.RESET_GPU,
              RemediationAction.REBOOT)) {
        l.latestAttempt(nv[0], nv[1], a)
            .ifPresent(
                e ->
                    b.append(nv[0])
                        .append('/')
                        .append(a)
                        .append('#')
                        .append(e.attempt())
                        .append('=')
                        .append(e.outcome())
                        .append(' '));
      }
    }
    return b.append("caughtUp=").append(service.caughtUp()).toString();
  }

  private static boolean allDone(Ledger ledger) {
    return done(ledger, "p5-train-5", "v-hot-5", RemediationAction.CORDON)
        && done(ledger, "p5-train-6", "v-hot-6", RemediationAction.CORDON)
        && done(ledger, "p5-train-2", "v-lost-2", RemediationAction.CORDON)
        && done(ledger, "p5-train-2", "v-lost-2", RemediationAction.DRAIN)
        && done(ledger, "p5-train-2", "v-lost-2", RemediationAction.REBOOT)
        && done(ledger, "p5-train-3", "v-xid-3", RemediationAction.CORDON)
        && done(ledger, "p5-train-3", "v-xid-3", RemediationAction.DRAIN)
        && done(ledger, "p5-train-3", "v-xid-3", RemediationAction.RESET_GPU);
  }

  private static boolean done(Ledger l, String node, String verdict, RemediationAction a) {
    return l.latestAttempt(node, verdict, a)
        .map(e -> e.outcome() == Outcome.SUCCEEDED)
        .orElse(false);
  }

  @Test
  void shouldResumeALadderWaitingForVerificationAfterARestart() throws Exception {
    setUp("resume");
    var clock = new ManualClock(T0);
    var cluster = cluster(clock);
    var planner = new Planner(policy());
    String group = TestNames.unique("remediator-resume");
    FaultVerdict xid =
        FaultVerdict.newBuilder(
                verdict(
                    "v-xid-1", "g5-infer-1", FaultClass.GPU_XID_FATAL, RemediationAction.RESET_GPU))
            .setNodegroup("g5-infer")
            .setGpus(List.of(io.gpuward.avro.GpuRef.newBuilder().setUuid("0").setIndex(0).build()))
            .build();
    try (var producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.verdicts.valueSerde().serializer())) {
      try (var first =
          new RemediatorService(
              props,
              topics,
              a ->
                  new Remediation(
                      planner, cluster, cluster, a, clock, false, new SimpleMeterRegistry()),
              group)) {
        first.start();
        producer.send(new ProducerRecord<>(topics.verdicts.name(), xid.getNode(), xid)).get();
        Eventually.await(
            Duration.ofSeconds(30), () -> assertThat(cluster.gpuResets()).isEqualTo(1));
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(first.idle()).isTrue());
      }
      // Down while the reset awaited verification; back after its deadline passed.
      clock.advance(policy().ladder().deadline(RemediationAction.RESET_GPU).plusSeconds(1));
      try (var second =
          new RemediatorService(
              props,
              topics,
              a ->
                  new Remediation(
                      planner, cluster, cluster, a, clock, false, new SimpleMeterRegistry()),
              group)) {
        second.start();
        Eventually.await(Duration.ofSeconds(30), () -> assertThat(cluster.reboots()).isEqualTo(1));
      }
    }
    assertThat(cluster.gpuResets()).as("the reset is not repeated").isEqualTo(1);
    List<String> trail =
        readAudit().stream()
            .filter(r -> r.getVerdictId().equals("v-xid-1"))
            .map(r -> r.getAction() + ":" + r.getOutcome())
            .toList();
    assertThat(trail)
        .containsSubsequence(
            "RESET_GPU:SUCCEEDED",
            "RESET_GPU:FAILED_PERMANENT",
            "REBOOT:STARTED",
            "REBOOT:SUCCEEDED");
  }

  @Test
  void shouldTakeNoActionOnADayOldVerdictStreamReplayed() throws Exception {
    setUp("replay");
    var clock = new ManualClock(T0.plus(Duration.ofDays(1)));
    var cluster = cluster(clock);
    var before = cluster.stats();
    List<FaultVerdict> dayOld =
        List.of(
            verdict("v-old-5", "p5-train-5", FaultClass.GPU_THERMAL, RemediationAction.CORDON),
            verdict("v-old-2", "p5-train-2", FaultClass.GPU_LOST, RemediationAction.REBOOT),
            verdict(
                "v-old-3",
                "p5-train-3",
                FaultClass.GPU_MEMORY_DEGRADED,
                RemediationAction.REPLACE));
    try (var producer =
            new KafkaProducer<>(
                props, new StringSerializer(), topics.verdicts.valueSerde().serializer());
        var service =
            new RemediatorService(
                props,
                topics,
                a ->
                    new Remediation(
                        new Planner(policy()),
                        cluster,
                        cluster,
                        a,
                        clock,
                        false,
                        new SimpleMeterRegistry()),
                TestNames.unique("remediator-replay"))) {
      service.start();
      for (FaultVerdict v : dayOld) {
        producer.send(new ProducerRecord<>(topics.verdicts.name(), v.getNode(), v)).get();
      }
      Eventually.await(
          Duration.ofSeconds(30),
          () -> assertThat(service.remediation().ledger().size()).isGreaterThanOrEqualTo(3));
    }
    List<RemediationRecord> audit = readAudit();
    assertThat(audit).hasSize(3);
    assertThat(audit)
        .allSatisfy(
            r -> {
              assertThat(r.getOutcome()).isEqualTo(Outcome.SKIPPED);
              assertThat(r.getReason()).isEqualTo(SkipReason.STALE);
              assertThat(r.getDetail()).contains("verdict expired");
            });
    assertThat(cluster.stats()).isEqualTo(before);
  }

  private List<RemediationRecord> readAudit() {
    List<RemediationRecord> out = new ArrayList<>();
    try (var c =
        new KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            topics.audit.valueSerde().deserializer())) {
      var parts =
          c.partitionsFor(topics.audit.name()).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      var end = c.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }

  private static FaultVerdict verdict(String id, String node, FaultClass c, RemediationAction a) {
    return FaultVerdict.newBuilder(PlannerTest.verdict(c, a, VerdictState.OPEN))
        .setVerdictId(id)
        .setNode(node)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setValidUntil(T0.plus(Duration.ofHours(1)))
        .build();
  }

  /** The simulated cluster, killing the remediator once per (node, action), before or after. */
  private static final class KillingPorts implements ClusterPort, CloudPort {
    private final SimulatedCluster cluster;
    private final Set<String> killedAt;
    private final AtomicInteger kills;
    private final Runnable kill;

    KillingPorts(
        SimulatedCluster cluster, Set<String> killedAt, AtomicInteger kills, Runnable kill) {
      this.cluster = cluster;
      this.killedAt = killedAt;
      this.kills = kills;
      this.kill = kill;
    }

    private void around(String target, String action, Runnable call) {
      if (!killedAt.add(target + "/" + action)) {
        call.run();
        return;
      }
      boolean after = kills.incrementAndGet() % 2 == 0;
      if (after) {
        call.run();
      }
      kill.run();
      throw new IllegalStateException("killed " + (after ? "after " : "before ") + action);
    }

    @Override
    public Optional<LiveNode> node(String name) {
      return cluster.node(name);
    }

    @Override
    public void cordon(String node, String operationId) {
      around(node, "CORDON", () -> cluster.cordon(node, operationId));
    }

    @Override
    public void uncordon(String node, String operationId) {
      around(node, "UNCORDON", () -> cluster.uncordon(node, operationId));
    }

    @Override
    public DrainResult drain(String node, Duration deadline) {
      DrainResult[] out = new DrainResult[1];
      around(node, "DRAIN", () -> out[0] = cluster.drain(node, deadline));
      return out[0];
    }

    @Override
    public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
      DrainResult[] out = new DrainResult[1];
      around(node, "DRAIN", () -> out[0] = cluster.evictPods(node, pods, deadline));
      return out[0];
    }

    @Override
    public void resetGpu(String instanceId, String gpu, String token) {
      around(instanceId, "RESET_GPU", () -> cluster.resetGpu(instanceId, gpu, token));
    }

    @Override
    public io.gpuward.remediation.port.CommandTrace gpuResetTrace(
        String instanceId, String gpu, String token, Instant since) {
      return cluster.gpuResetTrace(instanceId, gpu, token, since);
    }

    @Override
    public void reboot(String instanceId, String token) {
      around(instanceId, "REBOOT", () -> cluster.reboot(instanceId, token));
    }

    @Override
    public void replace(String instanceId, String asgName, String token) {
      around(instanceId, "REPLACE", () -> cluster.replace(instanceId, asgName, token));
    }
  }
}
