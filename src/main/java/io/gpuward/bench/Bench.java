package io.gpuward.bench;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedKafka;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.sim.Scenario;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/**
 * {@code gpuward bench}: one run on a real in-JVM broker with the embedded schema registry, every
 * phase on the same records — pre-load a synthetic fleet, raw Kafka consume+produce baselines, the
 * engine's catch-up, fault latencies with live load, and memory. Progress goes to {@code progress};
 * the result is returned.
 */
public final class Bench {

  static final Duration PROGRESS_EVERY = Duration.ofSeconds(3);
  static final ChronoUnit SECONDS = ChronoUnit.SECONDS;
  static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);
  static final Duration WARM_UP = Duration.ofSeconds(3);
  static final String SCRATCH_EOS = "gpuward.bench.scratch-eos";
  static final String SCRATCH_PLAIN = "gpuward.bench.scratch-plain";

  private Bench() {}

  /** Runs the benchmark in a temp dir (deleted after) and returns every number. */
  public static BenchResult run(BenchSettings s, PrintStream progress) throws Exception {
    return run(s, null, progress);
  }

  /**
   * As {@link #run(BenchSettings, PrintStream)}; with a {@code launcher}, also the restore time
   * after a kill -9 of the engine run as a child process ({@link CrashRestore}).
   */
  public static BenchResult run(BenchSettings s, EngineLauncher launcher, PrintStream progress)
      throws Exception {
    Path work = Files.createTempDirectory("gpuward-bench-");
    try {
      return run(s, launcher, work, progress);
    } finally {
      deleteRecursively(work);
    }
  }

  private static BenchResult run(
      BenchSettings s, EngineLauncher launcher, Path work, PrintStream progress) throws Exception {
    Machine machine = Machine.current();
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    RuleCatalog rules = RuleCatalog.load();
    Scenario fleet = Scenario.synthetic(s.gpus(), s.seed());
    try (HeapMeter heap = new HeapMeter();
        EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.startOnKafka(
                kafka.bootstrapServers(), EmbeddedSchemaRegistry.DEFAULT_TOPIC)) {
      progress.printf("  kafka %s, schema registry %s%n", kafka.bootstrapServers(), registry.url());
      Map<String, Object> base = new HashMap<>();
      base.put(GpuwardConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
      base.put(GpuwardConfig.REGISTRY_URL, registry.url());
      base.put(GpuwardConfig.ENGINE_STATE_DIR, work.resolve("streams").toString());
      String appId = "gpuward-bench-engine-" + UUID.randomUUID();
      base.put(GpuwardConfig.ENGINE_APPLICATION_ID, appId);
      GpuwardConfig benchCfg = new GpuwardConfig(base);
      Map<String, Object> engineValues = new HashMap<>(base);
      if (launcher != null) {
        // A static member, so the child engine and each restart take its tasks over at once.
        engineValues.put(GpuwardConfig.INSTANCE_ID, appId + "-0");
      }
      engineValues.putAll(s.engineSettings());
      GpuwardConfig engineCfg = new GpuwardConfig(engineValues);
      Map<String, Object> clients = benchCfg.kafkaClientProps();

      TopicCatalog catalog = TopicCatalog.load("").withPartitions(s.partitions());
      Topics topics = new Topics(catalog, new AvroSerdes(new RegistryClient(registry.url()), true));
      try (Admin admin = Admin.create(clients)) {
        TopicAdmin.ensureTopics(admin, topics.specs(), TOPIC_TIMEOUT);
        TopicAdmin.ensureNewTopics(
            admin,
            List.of(
                new NewTopic(SCRATCH_EOS, s.partitions(), (short) 1),
                new NewTopic(SCRATCH_PLAIN, s.partitions(), (short) 1)),
            TOPIC_TIMEOUT);
        var phases =
            new Phases(
                s, fleet, types, rules, clients, topics, admin, engineCfg, heap, launcher,
                progress);
        return phases.run(machine);
      }
    }
  }

  /** What the pre-load left on the topics: the GPU topic's end offsets and the record counts. */
  private record Loaded(
      Preload.Result preload, Map<TopicPartition, Long> gpuEnd, long samples, long inputRecords) {}

  /** The engine phase's numbers, taken while it runs. */
  private record EngineRun(
      BenchResult.Engine engine,
      LatencyPhase.Result latency,
      long stateRunning,
      long rocksMem,
      long heapWith) {}

  /** The five phases of one run, in order, on one broker and one set of topics. */
  private record Phases(
      BenchSettings s,
      Scenario fleet,
      InstanceTypeCatalog types,
      RuleCatalog rules,
      Map<String, Object> clients,
      Topics topics,
      Admin admin,
      GpuwardConfig engineCfg,
      HeapMeter heap,
      EngineLauncher launcher,
      PrintStream progress) {

    BenchResult run(Machine machine) throws Exception {
      Loaded loaded = preload();
      long commitMs = engineCfg.engineCommitIntervalMs();
      progress.printf("2/5 raw Kafka consume+produce of the %,d samples%n", loaded.samples());
      RawPipe.Result rawEos =
          RawPipe.run(
              clients, topics.gpu.name(), SCRATCH_EOS, loaded.gpuEnd(), true, commitMs, progress);
      progress.printf(
          Locale.ROOT,
          "  raw exactly-once: %,.0f records/s; %,.0f per pipe-thread CPU second%n",
          rawEos.rate(),
          rawEos.cpuRate());
      RawPipe.Result raw =
          RawPipe.run(
              clients,
              topics.gpu.name(),
              SCRATCH_PLAIN,
              loaded.gpuEnd(),
              false,
              commitMs,
              progress);
      progress.printf(
          Locale.ROOT,
          "  raw plain: %,.0f records/s; %,.0f per pipe-thread CPU second%n",
          raw.rate(),
          raw.cpuRate());

      progress.printf("3/5 engine: 1 stream thread, exactly_once_v2, from the beginning%n");
      long heapBefore = heap.usedAfterGc();
      heap.resetPeaks();
      EngineRun e = engine(loaded, rawEos);
      long peak = heap.sampledPeakBytes();
      long poolPeakSum = heap.poolPeakSumBytes();
      progress.printf("5/5 memory%n");
      // Closed: RocksDB flushed its memtables, so the directory now holds the whole state.
      long stateBytes = directorySize(Path.of(engineCfg.engineStateDir()));
      CrashRestore.Result restore = restore();
      ScaleOutPhase.Result scaleOut = scaleOut(loaded, e.engine());
      return new BenchResult(
          machine,
          s,
          fleet.nodeCount(),
          loaded.preload(),
          rawEos,
          raw,
          e.engine(),
          e.latency(),
          new BenchResult.Memory(
              heapBefore,
              e.heapWith(),
              peak,
              poolPeakSum,
              e.stateRunning(),
              stateBytes,
              e.rocksMem()),
          scaleOut,
          restore);
    }

    /**
     * Restore times after a kill -9, with a launcher; null without one, or when the measurement
     * itself failed (said on {@code progress}: the run's other numbers still stand).
     */
    private CrashRestore.Result restore() throws InterruptedException {
      if (launcher == null) {
        return null;
      }
      try {
        return new CrashRestore(engineCfg, topics, rules, types, launcher).run(progress);
      } catch (IOException | RuntimeException e) {
        progress.printf("  restore not measured: %s%n", e);
        return null;
      }
    }

    /** With {@code --instances N} above 1: N instances on the same records, then a restore. */
    private ScaleOutPhase.Result scaleOut(Loaded loaded, BenchResult.Engine one) throws Exception {
      if (s.instances() <= 1) {
        return null;
      }
      progress.printf(
          Locale.ROOT,
          "scale-out: %d instances from the beginning (1 instance: %,.0f samples/s)%n",
          s.instances(),
          one.rate());
      Path work = Path.of(engineCfg.engineStateDir()).getParent();
      return new ScaleOutPhase(engineCfg, topics, rules, types, work)
          .run(s.instances(), admin, loaded.gpuEnd(), progress);
    }

    private Loaded preload() throws Exception {
      progress.printf(
          Locale.ROOT,
          "1/5 pre-load: %,d GPUs on %,d nodes, %d ticks%n",
          s.gpus(),
          fleet.nodeCount(),
          s.ticks());
      Preload.Result preload = Preload.run(fleet, s.ticks(), types, clients, topics, progress);
      Map<TopicPartition, Long> gpuEnd = endOffsets(admin, topics.gpu.name());
      long samples = sum(gpuEnd);
      if (samples != preload.counts().gpuSamples()) {
        throw new IllegalStateException(
            "GPU topic holds " + samples + " records, pre-load sent " + preload.counts());
      }
      long inputRecords = samples;
      for (String t :
          List.of(topics.xid.name(), topics.kubeEvents.name(), topics.inventory.name())) {
        inputRecords += sum(endOffsets(admin, t));
      }
      progress.printf(
          Locale.ROOT,
          "  pre-loaded %,d samples (%,d records) in %.1fs: %,.0f samples/s%n",
          samples,
          preload.counts().total(),
          preload.seconds(),
          preload.sampleRate());
      return new Loaded(preload, gpuEnd, samples, inputRecords);
    }

    /** Phases 3 and 4: the engine's catch-up, then fault latencies while it runs. */
    private EngineRun engine(Loaded loaded, RawPipe.Result rawEos) throws Exception {
      var meters = new SimpleMeterRegistry();
      StreamsConfig streamsConfig =
          new StreamsConfig(EngineService.properties(engineCfg, topics, meters, Clock.systemUTC()));
      long t0 = System.nanoTime();
      long gc0 = CpuMeter.gcMillis();
      try (EngineService engine =
          EngineService.start(
              engineCfg, topics, rules, types, meters, Clock.systemUTC(), Duration.ofSeconds(60))) {
        double startSeconds = (System.nanoTime() - t0) / 1e9;
        BenchResult.Engine result = catchUp(engine, streamsConfig, loaded, startSeconds, gc0);
        progress.printf(
            Locale.ROOT,
            "  engine: %,d samples in %.1fs: %,.0f samples/s (%.2f x raw exactly-once);"
                + " %,.0f samples per stream-thread CPU second%n",
            loaded.samples(),
            result.seconds(),
            result.rate(),
            result.rate() / rawEos.rate(),
            result.cpuRate());

        long stateRunning = directorySize(Path.of(engineCfg.engineStateDir()));
        long rocksMem = rocksMemory();
        long heapWith = heap.usedAfterGc();

        progress.printf("4/5 latency: %d faults with live load, remediator live%n", s.faults());
        LatencyPhase.Result latency = latency(engine, result);
        return new EngineRun(result, latency, stateRunning, rocksMem, heapWith);
      }
    }

    private BenchResult.Engine catchUp(
        EngineService engine,
        StreamsConfig streamsConfig,
        Loaded loaded,
        double startSeconds,
        long gc0)
        throws Exception {
      String appId = engineCfg.engineApplicationId();
      Predicate<String> streamThread = n -> n.startsWith(appId) && n.contains("StreamThread");
      long threadCpu0 = CpuMeter.threadCpuNanos(streamThread);
      long processCpu0 = CpuMeter.processCpuNanos();
      double seconds =
          EngineCatchUp.await(
              admin,
              appId,
              loaded.gpuEnd(),
              Duration.ofMinutes(30),
              () -> engineFailure(engine),
              progress);
      return new BenchResult.Engine(
          loaded.samples(),
          loaded.inputRecords(),
          startSeconds,
          seconds,
          streamsConfig.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG),
          streamsConfig.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG),
          (CpuMeter.threadCpuNanos(streamThread) - threadCpu0) / 1e9,
          (CpuMeter.processCpuNanos() - processCpu0) / 1e9,
          CpuMeter.gcMillis() - gc0);
    }

    private LatencyPhase.Result latency(EngineService engine, BenchResult.Engine caughtUp)
        throws Exception {
      double liveRate =
          s.liveRate() > 0
              ? s.liveRate()
              : Math.min(
                  s.gpus() / (double) fleet.sampleInterval().toSeconds(), caughtUp.rate() / 2);
      String appId = engineCfg.engineApplicationId();
      return LatencyPhase.run(
          fleet,
          types,
          clients,
          topics,
          () -> lag(admin, appId, topics.gpu.name()),
          () -> engineFailure(engine),
          liveRate,
          s.faults(),
          s.faultRate(),
          WARM_UP,
          progress);
    }
  }

  private static String engineFailure(EngineService engine) {
    var state = engine.state();
    return state.isRunningOrRebalancing() ? null : "engine is " + state;
  }

  private static long lag(Admin admin, String groupId, String topic) {
    try {
      Map<TopicPartition, Long> end = endOffsets(admin, topic);
      long committed = EngineCatchUp.committed(admin, groupId, end);
      return committed < 0 ? -1 : sum(end) - committed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
      throws InterruptedException {
    try {
      var desc = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      Map<TopicPartition, OffsetSpec> ask =
          desc.partitions().stream()
              .collect(
                  Collectors.toMap(
                      p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
      return admin.listOffsets(ask).all().get().entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read end offsets of " + topic, e.getCause());
    }
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * RocksDB native memory the engine's stores report (Streams' RocksDB property metrics over JMX):
   * memtables, table readers and block cache, summed over stores; -1 when none is reported. A block
   * cache shared by several stores is counted once.
   */
  static long rocksMemory() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    long sum = 0;
    boolean any = false;
    Map<Object, Object> caches = new HashMap<>();
    try {
      for (ObjectName name :
          server.queryNames(new ObjectName("kafka.streams:type=stream-state-metrics,*"), null)) {
        for (String attr : List.of("size-all-mem-tables", "estimate-table-readers-mem")) {
          Object v = attribute(server, name, attr);
          if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            sum += n.longValue();
            any = true;
          }
        }
        Object cache = attribute(server, name, "block-cache-usage");
        Object capacity = attribute(server, name, "block-cache-capacity");
        if (cache instanceof Number n && Double.isFinite(n.doubleValue())) {
          // Stores sharing one cache report the same usage and capacity: count it once.
          caches.put(capacity + "/" + n.longValue(), n.longValue());
          any = true;
        }
      }
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
    for (Object v : caches.values()) {
      sum += (Long) v;
    }
    return any ? sum : -1;
  }

  private static Object attribute(MBeanServer server, ObjectName name, String attr) {
    try {
      return server.getAttribute(name, attr);
    } catch (JMException e) {
      return null;
    }
  }

  static long directorySize(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // a file RocksDB removed meanwhile
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      // best effort: it is a temp dir
    }
  }
}
