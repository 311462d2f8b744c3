package io.gpuward.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A {@link Curve.Result} as one table for sizing a deployment, or one JSON object. */
public final class CurveReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final List<String> HEADER =
      List.of(
          "GPUs",
          "samples/s",
          "raw EOS/s",
          "ratio",
          "CPU us/sample",
          "heap B/GPU",
          "disk B/GPU",
          "restore kept s",
          "restore wiped s",
          "fault->verdict p50/p99 ms",
          "verdict->cordon p50/p99 ms");

  private CurveReport() {}

  /** The table, with the machine above it and the targets below. */
  public static String text(Curve.Result c) {
    Machine mc = c.machine();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "gpuward bench --curve: %d cores, max heap %,d MiB, Java %s, load average %.1f at end%n",
            mc.cores(),
            mc.maxHeapMiB(),
            mc.java(),
            mc.loadAverage()));
    b.append("engine: 1 stream thread, exactly_once_v2; each size on its own broker and state\n\n");
    b.append(table(c.rows()));
    b.append(
        String.format(
            Locale.ROOT,
            "%ntargets: >= %s samples/s and ratio >= 0.9 of raw exactly-once (100k GPUs, 512 MiB"
                + " heap); fault->verdict p99 < %s ms; verdict->cordon p99 < %s ms.%n"
                + "CPU is the stream thread's; heap is live heap with the engine minus without;"
                + " disk is the state directory after a clean close; restore is a SIGKILLed"
                + " engine back RUNNING with its stores restored.%n",
            BenchReport.fmt(BenchReport.TARGET_SAMPLES_PER_SECOND),
            BenchReport.fmt(BenchReport.TARGET_FAULT_TO_VERDICT_P99_MS),
            BenchReport.fmt(BenchReport.TARGET_VERDICT_TO_CORDON_P99_MS)));
    return b.toString();
  }

  /** Aligned columns; a row without numbers is its size and the reason. */
  static String table(List<Curve.Row> rows) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(HEADER);
    for (Curve.Row r : rows) {
      cells.add(r.result() == null ? List.of(BenchReport.fmt(r.gpus()), r.skipped()) : cells(r));
    }
    int[] width = new int[HEADER.size()];
    for (List<String> row : cells) {
      // A skipped row's reason spans the columns after its size: only its size counts.
      int counted = row.size() == HEADER.size() ? row.size() : 1;
      for (int i = 0; i < counted; i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (List<String> row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        boolean last = i == row.size() - 1;
        line.append(cell).append(last ? "" : " ".repeat(width[i] - cell.length() + 2));
      }
      b.append("  ").append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }

  private static List<String> cells(Curve.Row row) {
    BenchResult r = row.result();
    LatencyPhase.Result l = r.latency();
    return List.of(
        BenchReport.fmt(row.gpus()),
        BenchReport.fmt(r.engine().rate()),
        BenchReport.fmt(r.rawEos().rate()),
        fixed(r.ratio(), 2),
        fixed(r.cpuMicrosPerSample(), 2),
        BenchReport.fmt(r.heapPerGpuBytes()),
        BenchReport.fmt(r.stateBytesPerGpu()),
        r.restore() == null ? "-" : fixed(r.restore().keptSeconds(), 1),
        r.restore() == null ? "-" : fixed(r.restore().wipedSeconds(), 1),
        pair(l.faultToVerdict()),
        pair(l.verdictToCordon()));
  }

  private static String pair(LatencyStats s) {
    return BenchReport.fmt(s.p50Ms()) + " / " + BenchReport.fmt(s.p99Ms());
  }

  private static String fixed(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "-";
  }

  /** One JSON object: the machine and a row per size, each with its whole run under "run". */
  public static String json(Curve.Result c) {
    Map<String, Object> m = new LinkedHashMap<>();
    Machine mc = c.machine();
    m.put("cores", mc.cores());
    m.put("maxHeapMiB", mc.maxHeapMiB());
    m.put("java", mc.java());
    m.put("loadAverage", BenchReport.round(mc.loadAverage(), 2));
    m.put("rows", c.rows().stream().map(CurveReport::row).toList());
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the curve as JSON", e);
    }
  }

  private static Map<String, Object> row(Curve.Row row) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gpus", row.gpus());
    BenchResult r = row.result();
    if (r == null) {
      m.put("skipped", row.skipped());
      return m;
    }
    m.put("engineRate", BenchReport.round(r.engine().rate(), 0));
    m.put("rawEosRate", BenchReport.round(r.rawEos().rate(), 0));
    m.put("ratio", BenchReport.round(r.ratio(), 3));
    m.put("cpuMicrosPerSample", BenchReport.round(r.cpuMicrosPerSample(), 3));
    m.put("heapPerGpuBytes", BenchReport.round(r.heapPerGpuBytes(), 0));
    m.put("stateBytesPerGpu", BenchReport.round(r.stateBytesPerGpu(), 0));
    m.put(
        "restoreKeptSeconds",
        r.restore() == null ? null : BenchReport.round(r.restore().keptSeconds(), 2));
    m.put(
        "restoreWipedSeconds",
        r.restore() == null ? null : BenchReport.round(r.restore().wipedSeconds(), 2));
    m.put("faultToVerdictP50Ms", BenchReport.round(r.latency().faultToVerdict().p50Ms(), 1));
    m.put("faultToVerdictP99Ms", BenchReport.round(r.latency().faultToVerdict().p99Ms(), 1));
    m.put("verdictToCordonP50Ms", BenchReport.round(r.latency().verdictToCordon().p50Ms(), 1));
    m.put("verdictToCordonP99Ms", BenchReport.round(r.latency().verdictToCordon().p99Ms(), 1));
    m.put("run", BenchReport.toMap(r));
    return m;
  }
}
