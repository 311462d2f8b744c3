package io.gpuward.bench;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.contract.Topics;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.Health;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.SimulatedCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Phase 4: with the engine caught up and live samples flowing, inject XID 79 and XID 119 events
 * (event time = now), one per node, evenly over time; measure send → OPEN verdict visible to a
 * read_committed reader, and verdict visible → the remediator's CORDON SUCCEEDED audit record
 * visible. The remediator acts live on a simulated cluster holding the same synthetic fleet.
 */
final class LatencyPhase {

  /**
   * What was measured.
   *
   * @param liveRate samples per second of background load actually sent
   * @param faults faults injected
   * @param verdicts faults whose OPEN verdict was seen
   * @param cordons verdicts whose CORDON SUCCEEDED was seen
   * @param faultToVerdict fault sent → verdict visible
   * @param verdictToCordon verdict visible → cordon audit record visible
   * @param gcMillis time in garbage collection during the phase
   * @param maxLagSamples the most GPU samples the engine was seen behind the live load while faults
   *     were injected (latency then includes working through that backlog)
   */
  record Result(
      double liveRate,
      int faults,
      int verdicts,
      int cordons,
      LatencyStats faultToVerdict,
      LatencyStats verdictToCordon,
      long gcMillis,
      long maxLagSamples) {}

  /** One injected fault. */
  private record Injected(String node, int xid, long sentNanos, long eventTimeMs) {}

  /** The GPU a fault is injected on. */
  private record Target(String node, String uuid, String pciBusId, String bootId) {}

  /** Waiting for the last verdicts and cordons after the last injection. */
  static final Duration SETTLE = Duration.ofSeconds(30);

  /** How often the engine's lag is read while injecting. */
  static final Duration LAG_EVERY = Duration.ofMillis(500);

  /** Wall time the remediator may go without polling for verdicts before it counts as stopped. */
  static final Duration REMEDIATOR_SILENCE = Duration.ofSeconds(20);

  private LatencyPhase() {}

  /**
   * Throws when the engine or the remediator stopped: latencies measured without one of them are no
   * measurement, and must not be reported as one.
   */
  private static void checkRoles(Supplier<String> engineFailure, ProgressCheck remediatorPolls) {
    String engine = engineFailure.get();
    if (engine != null) {
      throw new IllegalStateException("verdict engine stopped during the latency phase: " + engine);
    }
    if (remediatorPolls.check() instanceof Health.Down down) {
      throw new IllegalStateException(
          "remediator stopped during the latency phase: " + down.reason());
    }
  }

  static Result run(
      Scenario fleet,
      InstanceTypeCatalog types,
      Map<String, Object> clientProps,
      Topics topics,
      LongSupplier engineLag,
      Supplier<String> engineFailure,
      double liveRate,
      int faults,
      double faultRate,
      Duration warmUp,
      PrintStream progress)
      throws InterruptedException {
    long gc0 = CpuMeter.gcMillis();
    // The same fleet again, live this time: its first tick populates the cluster (nodes, pods) and
    // gives the samples the background load replays.
    Instant now = Instant.now().truncatedTo(Bench.SECONDS);
    SimulatedCluster cluster =
        new SimulatedCluster(
            Clock.systemUTC(),
            // Drains must not wait on PodDisruptionBudgets here: this measures the decision path.
            SimulatedCluster.Settings.defaults().withPdbMaxUnavailable(Integer.MAX_VALUE));
    Capture tick = new Capture();
    new FleetSimulator(fleet.withStart(now), types, cluster, tick, now).advanceTo(now);
    List<Target> targets = targets(tick.samples, faults, fleet.seed());

    List<Injected> injected = new ArrayList<>();
    try (RemediatorService remediator = remediator(clientProps, topics, cluster);
        VerdictObserver observer = new VerdictObserver(clientProps, topics);
        LiveLoad live = new LiveLoad(clientProps, topics.gpu, tick.samples, liveRate);
        KafkaProducer<String, byte[]> xids =
            new KafkaProducer<>(
                faultProducerProps(clientProps),
                new StringSerializer(),
                new ByteArraySerializer())) {
      tick.samples.clear(); // the live load keeps them encoded, a fifth of the heap
      remediator.start();
      ProgressCheck remediatorPolls =
          new ProgressCheck(
              "verdict polls", remediator::polls, REMEDIATOR_SILENCE, Clock.systemUTC());
      Runnable roles = () -> checkRoles(engineFailure, remediatorPolls);
      live.start();
      warmUp(live, engineLag, liveRate, warmUp, progress);

      Serializer<XidEvent> serializer = topics.xid.valueSerde().serializer();
      long t0 = System.nanoTime();
      long lastProgress = t0;
      long lastLag = t0;
      long maxLag = 0;
      for (int i = 0; i < targets.size(); i++) {
        long wait = t0 + (long) (i * 1e9 / faultRate) - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        roles.run();
        Injected f = inject(xids, serializer, topics.xid.name(), targets.get(i), i);
        injected.add(f);
        if (f.sentNanos() - lastLag >= LAG_EVERY.toNanos()) {
          lastLag = f.sentNanos();
          maxLag = Math.max(maxLag, engineLag.getAsLong());
        }
        if (f.sentNanos() - lastProgress >= Bench.PROGRESS_EVERY.toNanos()) {
          lastProgress = f.sentNanos();
          reportInjecting(progress, i + 1, targets.size(), injected, observer, live);
        }
      }
      xids.flush();
      awaitAllSeen(injected, observer, roles);
      double achievedLive = live.achievedRate();
      failIfObserversFailed(live, observer);
      return summarise(injected, observer, achievedLive, CpuMeter.gcMillis() - gc0, maxLag);
    }
  }

  private static RemediatorService remediator(
      Map<String, Object> clientProps, Topics topics, SimulatedCluster cluster) {
    var meters = new SimpleMeterRegistry();
    Planner planner = new Planner(RemediationPolicy.load());
    return new RemediatorService(
        clientProps,
        topics,
        audit ->
            new Remediation(planner, cluster, cluster, audit, Clock.systemUTC(), false, meters),
        "gpuward-bench-remediator-" + UUID.randomUUID());
  }

  private static Map<String, Object> faultProducerProps(Map<String, Object> clientProps) {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "gpuward-bench-faults");
    return p;
  }

  /** Sends fault {@code i}: XID 79 and XID 119 by turns. */
  private static Injected inject(
      KafkaProducer<String, byte[]> xids,
      Serializer<XidEvent> serializer,
      String topic,
      Target t,
      int i) {
    int code = i % 2 == 0 ? 79 : 119;
    XidEvent ev = xid(t, code, i);
    byte[] bytes = serializer.serialize(topic, ev);
    long sent = System.nanoTime();
    xids.send(new ProducerRecord<>(topic, t.node(), bytes));
    return new Injected(t.node(), code, sent, ev.getEventTime().toEpochMilli());
  }

  private static void reportInjecting(
      PrintStream progress,
      int sent,
      int total,
      List<Injected> injected,
      VerdictObserver observer,
      LiveLoad live) {
    progress.printf(
        Locale.ROOT,
        "  latency: %d of %d faults injected, %d verdicts seen; live load %,.0f samples/s%n",
        sent,
        total,
        injected.stream().filter(f -> observer.open(f.node(), f.eventTimeMs()) != null).count(),
        live.achievedRate());
  }

  /** Waits up to {@link #SETTLE} for every verdict and cordon, checking the roles meanwhile. */
  private static void awaitAllSeen(
      List<Injected> injected, VerdictObserver observer, Runnable roles)
      throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < deadline && !allSeen(injected, observer)) {
      roles.run();
      Thread.sleep(50);
    }
    roles.run();
  }

  private static void failIfObserversFailed(LiveLoad live, VerdictObserver observer) {
    if (live.failure() != null) {
      throw new IllegalStateException("live load failed: " + live.failure(), live.failure());
    }
    if (observer.failure() != null) {
      throw new IllegalStateException(
          "verdict observer failed: " + observer.failure(), observer.failure());
    }
  }

  private static void warmUp(
      LiveLoad live, LongSupplier engineLag, double liveRate, Duration warmUp, PrintStream progress)
      throws InterruptedException {
    // Let the live load run, and the engine absorb the jump of stream time from the pre-load to
    // now (every pre-loaded window closes at once), before measuring.
    long t0 = System.nanoTime();
    long minEnd = t0 + warmUp.toNanos();
    long maxEnd = t0 + warmUp.toNanos() + Duration.ofSeconds(60).toNanos();
    long lagOk = Math.max(1_000, (long) (liveRate / 2));
    long lastProgress = t0;
    while (true) {
      long now = System.nanoTime();
      long lag = engineLag.getAsLong();
      if (now >= minEnd && lag >= 0 && lag <= lagOk) {
        return;
      }
      if (now >= maxEnd) {
        progress.printf(
            Locale.ROOT,
            "  latency: engine still %,d samples behind the live load; measuring%n",
            lag);
        return;
      }
      if (now - lastProgress >= Bench.PROGRESS_EVERY.toNanos()) {
        lastProgress = now;
        progress.printf(
            Locale.ROOT,
            "  latency: warming up, live load %,.0f samples/s, engine lag %,d samples%n",
            live.achievedRate(),
            lag);
      }
      Thread.sleep(100);
    }
  }

  private static boolean allSeen(List<Injected> injected, VerdictObserver observer) {
    for (Injected f : injected) {
      VerdictObserver.Seen v = observer.open(f.node(), f.eventTimeMs());
      if (v == null || observer.cordon(v.verdictId()) == null) {
        return false;
      }
    }
    return true;
  }

  private static Result summarise(
      List<Injected> injected,
      VerdictObserver observer,
      double liveRate,
      long gcMillis,
      long maxLag) {
    List<Long> toVerdict = new ArrayList<>();
    List<Long> toCordon = new ArrayList<>();
    for (Injected f : injected) {
      VerdictObserver.Seen v = observer.open(f.node(), f.eventTimeMs());
      if (v == null) {
        continue;
      }
      toVerdict.add(v.atNanos() - f.sentNanos());
      Long cordon = observer.cordon(v.verdictId());
      if (cordon != null) {
        toCordon.add(Math.max(0, cordon - v.atNanos()));
      }
    }
    return new Result(
        liveRate,
        injected.size(),
        toVerdict.size(),
        toCordon.size(),
        LatencyStats.ofNanos(toVerdict),
        LatencyStats.ofNanos(toCordon),
        gcMillis,
        maxLag);
  }

  /** {@code count} GPUs on distinct nodes, chosen by the seed. */
  private static List<Target> targets(List<GpuSample> samples, int count, long seed) {
    Map<String, List<GpuSample>> byNode = new LinkedHashMap<>();
    for (GpuSample s : samples) {
      byNode.computeIfAbsent(s.getNode(), n -> new ArrayList<>()).add(s);
    }
    List<String> nodes = new ArrayList<>(byNode.keySet());
    if (count > nodes.size()) {
      throw new IllegalArgumentException(
          "cannot inject " + count + " faults on distinct nodes: the fleet has " + nodes.size());
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      int j = i + r.nextInt(nodes.size() - i);
      String tmp = nodes.get(i);
      nodes.set(i, nodes.get(j));
      nodes.set(j, tmp);
    }
    List<Target> out = new ArrayList<>(count);
    for (String node : nodes.subList(0, count)) {
      List<GpuSample> gpus = byNode.get(node);
      GpuSample g = gpus.get(r.nextInt(gpus.size()));
      out.add(new Target(node, g.getUuid(), g.getPciBusId(), g.getBootId()));
    }
    return out;
  }

  private static XidEvent xid(Target t, int code, int seq) {
    String text =
        code == 79
            ? "GPU has fallen off the bus."
            : "Timeout after 6s of waiting for RPC response from GPU0 GSP! Expected function 76"
                + " (GSP_RM_CONTROL)";
    return XidEvent.newBuilder()
        .setEventId(t.node() + "/xid/bench/" + seq)
        .setNode(t.node())
        .setEventTime(Instant.ofEpochMilli(System.currentTimeMillis()))
        .setXid(code)
        .setPciBusId(t.pciBusId())
        .setGpuUuid(t.uuid())
        .setPid(null)
        .setProcessName(null)
        .setMessage(text)
        .setBootId(t.bootId())
        .setKmsgSequence(null)
        .build();
  }

  /** Keeps the GPU samples of one tick; the rest of what the simulator emits is not needed. */
  private static final class Capture implements TelemetrySink {
    final List<GpuSample> samples = new ArrayList<>();

    @Override
    public void gpuSample(GpuSample s) {
      samples.add(s);
    }

    @Override
    public void xid(XidEvent e) {}

    @Override
    public void nodeEvent(NodeEvent e) {}

    @Override
    public void inventory(NodeInventory i) {}

    @Override
    public void inventoryRemoved(String node) {}
  }
}
