package io.gpuward.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A {@link BenchResult} as one JSON object with stable keys, or as a table for people. */
public final class BenchReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double MIB = 1024.0 * 1024.0;

  /** The throughput and latency targets gpuward is built to meet. */
  static final double TARGET_SAMPLES_PER_SECOND = 150_000;

  static final double TARGET_FAULT_TO_VERDICT_P99_MS = 1_000;
  static final double TARGET_VERDICT_TO_CORDON_P99_MS = 2_000;
  static final double TARGET_STATE_BYTES_PER_GPU = 1_024;

  private BenchReport() {}

  /** The result as ordered key/values; NaN becomes null. */
  public static Map<String, Object> toMap(BenchResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    BenchSettings s = r.settings();
    m.put("gpus", s.gpus());
    m.put("nodes", r.nodes());
    m.put("ticks", s.ticks());
    m.put("partitions", s.partitions());
    m.put("seed", s.seed());
    m.put("samples", r.engine().samples());
    m.put("records", r.engine().records());
    m.put("preloadSeconds", round(r.preload().seconds(), 2));
    m.put("preloadRate", round(r.preload().sampleRate(), 0));
    m.put("rawEosRate", round(r.rawEos().rate(), 0));
    m.put("rawRate", round(r.raw().rate(), 0));
    m.put("engineRate", round(r.engine().rate(), 0));
    m.put("ratio", round(r.ratio(), 3));
    m.put("engineSeconds", round(r.engine().seconds(), 2));
    m.put("engineStartSeconds", round(r.engine().startSeconds(), 2));
    m.put("rawEosCpuRate", round(r.rawEos().cpuRate(), 0));
    m.put("engineCpuRate", round(r.engine().cpuRate(), 0));
    m.put("cpuRatio", round(r.cpuRatio(), 3));
    m.put("engineThreadCpuSeconds", round(r.engine().threadCpuSeconds(), 2));
    m.put("engineCpuShare", round(r.engineCpuShare(), 3));
    m.put("engineGcMillis", r.engine().gcMillis());
    LatencyPhase.Result l = r.latency();
    m.put("liveRate", round(l.liveRate(), 0));
    m.put("faults", l.faults());
    m.put("faultsWithVerdict", l.verdicts());
    putLatency(m, "faultToVerdict", l.faultToVerdict());
    m.put("cordons", l.cordons());
    m.put("latencyGcMillis", l.gcMillis());
    m.put("latencyMaxLagSamples", l.maxLagSamples());
    putLatency(m, "verdictToCordon", l.verdictToCordon());
    BenchResult.Memory mem = r.memory();
    m.put("peakHeapMiB", round(mem.peakHeapBytes() / MIB, 1));
    m.put("heapPoolPeakSumMiB", round(mem.poolPeakSumBytes() / MIB, 1));
    m.put("heapBeforeEngineMiB", round(mem.heapBeforeEngineBytes() / MIB, 1));
    m.put("heapWithEngineMiB", round(mem.heapWithEngineBytes() / MIB, 1));
    m.put("heapPerGpuBytes", round(r.heapPerGpuBytes(), 0));
    m.put("stateBytesRunning", mem.stateBytesRunning());
    m.put("stateBytes", mem.stateBytes());
    m.put("stateBytesPerGpu", round(r.stateBytesPerGpu(), 0));
    m.put("rocksMemBytes", mem.rocksMemBytes());
    putScaleOut(m, r);
    if (r.restore() != null) {
      m.put("restoreKeptSeconds", round(r.restore().keptSeconds(), 2));
      m.put("restoreWipedSeconds", round(r.restore().wipedSeconds(), 2));
    }
    Map<String, Object> engine = new LinkedHashMap<>();
    engine.put("threads", 1);
    engine.put("guarantee", "exactly_once_v2");
    engine.put("commitIntervalMs", r.engine().commitIntervalMs());
    engine.put("cacheMaxBytes", r.engine().cacheMaxBytes());
    engine.put("settings", new TreeMap<>(s.engineSettings()));
    m.put("engine", engine);
    Machine mc = r.machine();
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", mc.cores());
    machine.put("maxHeapMiB", mc.maxHeapMiB());
    machine.put("java", mc.java());
    machine.put("vm", mc.vm());
    machine.put("os", mc.os());
    machine.put("gc", mc.gc());
    machine.put("loadAverage", round(mc.loadAverage(), 2));
    m.put("machine", machine);
    return m;
  }

  /** One line of JSON. */
  public static String json(BenchResult r) {
    try {
      return JSON.writeValueAsString(toMap(r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the bench result as JSON", e);
    }
  }

  private static void putScaleOut(Map<String, Object> m, BenchResult r) {
    ScaleOutPhase.Result so = r.scaleOut();
    if (so == null) {
      return;
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("instances", so.instances());
    o.put("rate", round(so.rate(), 0));
    o.put("ratioToOneInstance", round(r.scaleOutRatio(), 3));
    o.put("seconds", round(so.seconds(), 2));
    o.put("restoreKeptSeconds", round(so.restoreKeptSeconds(), 2));
    o.put("restoreWipedSeconds", round(so.restoreWipedSeconds(), 2));
    m.put("scaleOut", o);
  }

  private static void putLatency(Map<String, Object> m, String prefix, LatencyStats l) {
    m.put(prefix + "P50Ms", round(l.p50Ms(), 2));
    m.put(prefix + "P95Ms", round(l.p95Ms(), 2));
    m.put(prefix + "P99Ms", round(l.p99Ms(), 2));
    m.put(prefix + "MaxMs", round(l.maxMs(), 2));
  }

  /** {@code v} rounded to {@code digits} decimals; null for NaN or infinite. */
  static Number round(double v, int digits) {
    if (!Double.isFinite(v)) {
      return null;
    }
    if (digits == 0) {
      return Math.round(v);
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** The human table. */
  public static String text(BenchResult r) {
    StringBuilder b = new StringBuilder();
    header(b, r);
    b.append('\n');
    throughput(b, r);
    b.append('\n');
    latencies(b, r.latency());
    b.append('\n');
    memory(b, r);
    restore(b, r);
    scaleOut(b, r);
    return b.toString();
  }

  private static void header(StringBuilder b, BenchResult r) {
    BenchSettings s = r.settings();
    Machine mc = r.machine();
    line(
        b,
        "gpuward bench: %,d GPUs on %,d nodes, %d ticks, %d partitions, seed %d",
        s.gpus(),
        r.nodes(),
        s.ticks(),
        s.partitions(),
        s.seed());
    line(
        b,
        "machine: %d cores, max heap %,d MiB, Java %s (%s, %s), %s, load average %.1f at start",
        mc.cores(),
        mc.maxHeapMiB(),
        mc.java(),
        mc.vm(),
        String.join("/", mc.gc()),
        mc.os(),
        mc.loadAverage());
    line(
        b,
        "engine: 1 stream thread, exactly_once_v2, commit %d ms, cache %,d bytes%s",
        r.engine().commitIntervalMs(),
        r.engine().cacheMaxBytes(),
        s.engineSettings().isEmpty() ? "" : ", " + new TreeMap<>(s.engineSettings()));
  }

  private static void throughput(StringBuilder b, BenchResult r) {
    int cores = r.machine().cores();
    line(
        b,
        "  %-50s %12s",
        "throughput, the same " + fmt(r.engine().samples()) + " GPU samples",
        "per second");
    line(b, "    %-48s %12s", "pre-load (simulator -> Kafka)", fmt(r.preload().sampleRate()));
    line(b, "    %-48s %12s", "raw consume+produce, plain", fmt(r.raw().rate()));
    line(b, "    %-48s %12s", "raw consume+produce, exactly-once", fmt(r.rawEos().rate()));
    line(
        b,
        "    %-48s %12s   ratio %.2f of raw exactly-once; target >= %s",
        "engine (" + fmt(r.engine().records()) + " input records)",
        fmt(r.engine().rate()),
        r.ratio(),
        fmt(TARGET_SAMPLES_PER_SECOND));
    line(
        b,
        "    %-48s %12s   ratio %.2f; this JVM had %.0f%% of the %d cores while the engine ran",
        "per CPU-second of the one thread: raw exactly-once",
        fmt(r.rawEos().cpuRate()),
        r.cpuRatio(),
        r.engineCpuShare() * 100,
        cores);
    line(
        b, "    %-48s %12s", "per CPU-second of the one thread: engine", fmt(r.engine().cpuRate()));
  }

  private static void restore(StringBuilder b, BenchResult r) {
    CrashRestore.Result c = r.restore();
    if (c == null) {
      return;
    }
    b.append('\n');
    line(b, "  restore after kill -9 (child engine, SIGKILL), until RUNNING with stores restored");
    line(b, "    %-48s %10.2f s", "state directory kept", c.keptSeconds());
    line(b, "    %-48s %10.2f s", "state directory wiped", c.wipedSeconds());
  }

  private static void scaleOut(StringBuilder b, BenchResult r) {
    ScaleOutPhase.Result so = r.scaleOut();
    if (so == null) {
      return;
    }
    b.append('\n');
    line(b, "Scale-out (%d instances, same records, static members)", so.instances());
    line(
        b,
        "    %-48s %12s   ratio %.2f of one instance",
        "engine samples/s, all instances",
        String.format(Locale.ROOT, "%,.0f", so.rate()),
        r.scaleOutRatio());
    line(
        b,
        "    %-48s %12s",
        "halted instance back RUNNING, state kept",
        String.format(Locale.ROOT, "%.2f s", so.restoreKeptSeconds()));
    line(
        b,
        "    %-48s %12s",
        "halted instance back RUNNING, state wiped",
        String.format(Locale.ROOT, "%.2f s", so.restoreWipedSeconds()));
  }

  private static void latencies(StringBuilder b, LatencyPhase.Result l) {
    line(
        b,
        "  %-50s %8s %8s %8s %8s",
        "latency, ms (live load "
            + fmt(l.liveRate())
            + " samples/s, engine lag <= "
            + fmt(l.maxLagSamples())
            + ")",
        "p50",
        "p95",
        "p99",
        "max");
    latency(
        b,
        "fault -> verdict, " + l.verdicts() + " of " + l.faults() + " faults",
        l.faultToVerdict(),
        TARGET_FAULT_TO_VERDICT_P99_MS);
    latency(
        b,
        "verdict -> cordon, " + l.cordons() + " of " + l.verdicts() + " verdicts",
        l.verdictToCordon(),
        TARGET_VERDICT_TO_CORDON_P99_MS);
  }

  private static void memory(StringBuilder b, BenchResult r) {
    LatencyPhase.Result l = r.latency();
    BenchResult.Memory mem = r.memory();
    line(b, "  memory (one JVM: broker, registry, clients and engine)");
    line(
        b,
        "    %-48s %,9d ms / %,d ms",
        "GC pauses: engine catch-up / latency phase",
        r.engine().gcMillis(),
        l.gcMillis());
    line(
        b,
        "    %-48s %9.1f MiB  (sum of pool peaks %.1f MiB)",
        "peak heap, engine start to end (sampled)",
        mem.peakHeapBytes() / MIB,
        mem.poolPeakSumBytes() / MIB);
    line(
        b,
        "    %-48s %9.1f MiB  = %s B/GPU",
        "engine heap (live after GC, with - without)",
        (mem.heapWithEngineBytes() - mem.heapBeforeEngineBytes()) / MIB,
        fmt(r.heapPerGpuBytes()));
    line(
        b,
        "    %-48s %9.1f MiB  = %s B/GPU; target < %s",
        "engine state on disk after close (RocksDB flushed)",
        mem.stateBytes() / MIB,
        fmt(r.stateBytesPerGpu()),
        fmt(TARGET_STATE_BYTES_PER_GPU));
    line(
        b,
        "    %-48s %9.1f MiB",
        "engine state on disk while running (no memtables)",
        mem.stateBytesRunning() / MIB);
    if (mem.rocksMemBytes() >= 0) {
      line(
          b,
          "    %-48s %9.1f MiB",
          "RocksDB native memory (reported, off heap)",
          mem.rocksMemBytes() / MIB);
    }
  }

  private static void latency(StringBuilder b, String label, LatencyStats l, double targetP99) {
    line(
        b,
        "    %-48s %8s %8s %8s %8s   target p99 < %s",
        label,
        ms(l.p50Ms()),
        ms(l.p95Ms()),
        ms(l.p99Ms()),
        ms(l.maxMs()),
        fmt(targetP99));
  }

  private static String ms(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f", v) : "-";
  }

  /** A count or rate with thousands separators; "-" when not a number. */
  static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : "-";
  }

  private static void line(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
