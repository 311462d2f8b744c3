package io.gpuward.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * {@code gpuward bench --curve}: the whole benchmark once per fleet size, each on its own broker,
 * topics and state (a fresh {@link Bench#run}), so that rows are independent. A size that the
 * machine cannot hold (heap, disk) is reported as a row saying why, and so is one that fails.
 */
public final class Curve {
  /** 10k, 100k and 1M GPUs. */
  public static final List<Integer> DEFAULT_SIZES = List.of(10_000, 100_000, 1_000_000);

  static final int MIN_GPUS = 8;
  static final int MAX_GPUS = 10_000_000;
  private static final long MIB = 1024L * 1024L;

  /**
   * Heap a run needs besides the engine's state: broker, registry, clients, fetch buffers and the
   * record cache, from the 100k-GPU run's peak (455 MiB of 512 with 676 B/GPU of engine state).
   */
  static final long HEAP_BASE_BYTES = 384 * MIB;

  /**
   * Engine heap per GPU assumed until a row has measured it: the 100k-GPU runs of 2026-12-08
   * measured 1,138-1,173 B.
   */
  static final double HEAP_PER_GPU_BYTES = 1_150;

  /**
   * Smallest fleet whose measured heap per GPU goes into the next sizes' estimate: below it the
   * engine's fixed heap (topology, clients, caches) divided by few GPUs inflates the figure.
   */
  static final int MEASURED_HEAP_MIN_GPUS = 50_000;

  /** Disk per pre-loaded sample: the GPU topic and the two raw pipes' copies of it, rounded up. */
  static final long DISK_PER_SAMPLE_BYTES = 750;

  /** Disk per GPU: the engine's state and changelogs, rounded up from 783 B measured. */
  static final long DISK_PER_GPU_BYTES = 2_048;

  /**
   * One size: its result, or why it did not run.
   *
   * @param gpus GPUs asked for
   * @param result the run's numbers, or null
   * @param skipped why there are no numbers (did not fit, or failed), or null
   */
  public record Row(int gpus, BenchResult result, String skipped) {}

  /** Every row, and the machine they ran on. */
  public record Result(Machine machine, List<Row> rows) {
    public Result {
      rows = List.copyOf(rows);
    }
  }

  private Curve() {}

  /**
   * {@code 10000,100000,1000000} as sizes, ascending and distinct.
   *
   * @throws IllegalArgumentException naming the bad part
   */
  public static List<Integer> parseSizes(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("--sizes needs GPU counts, e.g. 10000,100000,1000000");
    }
    TreeSet<Integer> sizes = new TreeSet<>();
    for (String part : text.split(",", -1)) {
      String p = part.strip().replace("_", "");
      int n;
      try {
        n = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--sizes: '" + part.strip() + "' is not a GPU count (e.g. 10000,100000,1000000)");
      }
      if (n < MIN_GPUS || n > MAX_GPUS) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT, "--sizes: each must be %d..%d GPUs, was %d", MIN_GPUS, MAX_GPUS, n));
      }
      sizes.add(n);
    }
    return List.copyOf(sizes);
  }

  /**
   * Runs every size with {@code template}'s settings, its GPU count replaced, its ticks given by
   * {@code ticks} (null: about {@link BenchSettings#DEFAULT_SAMPLES} samples per size) and its
   * faults capped at one per node.
   */
  public static Result run(
      List<Integer> sizes,
      BenchSettings template,
      Integer ticks,
      EngineLauncher launcher,
      PrintStream progress) {
    List<Row> rows = new ArrayList<>();
    double heapPerGpu = HEAP_PER_GPU_BYTES;
    for (int gpus : sizes) {
      BenchSettings s = settings(template, gpus, ticks);
      String misfit =
          misfit(s, Runtime.getRuntime().maxMemory(), freeDisk(), Math.max(heapPerGpu, 0));
      if (misfit != null) {
        progress.printf(Locale.ROOT, "curve: %,d GPUs skipped: %s%n", gpus, misfit);
        rows.add(new Row(gpus, null, misfit));
        continue;
      }
      Row row = runOne(s, launcher, progress);
      rows.add(row);
      if (row.result() != null && gpus >= MEASURED_HEAP_MIN_GPUS) {
        heapPerGpu = Math.max(heapPerGpu, row.result().heapPerGpuBytes());
      }
    }
    return new Result(Machine.current(), rows);
  }

  private static Row runOne(BenchSettings s, EngineLauncher launcher, PrintStream progress) {
    progress.printf(
        Locale.ROOT, "curve: %,d GPUs, %d ticks, %d faults%n", s.gpus(), s.ticks(), s.faults());
    try {
      return new Row(s.gpus(), Bench.run(s, launcher, progress), null);
    } catch (Exception | OutOfMemoryError e) {
      String why = "failed: " + e;
      progress.printf(Locale.ROOT, "curve: %,d GPUs %s%n", s.gpus(), why);
      return new Row(s.gpus(), null, why);
    }
  }

  static BenchSettings settings(BenchSettings t, int gpus, Integer ticks) {
    return new BenchSettings(
        gpus,
        ticks == null ? BenchSettings.defaultTicks(gpus) : ticks,
        Math.min(t.faults(), BenchSettings.nodes(gpus)),
        t.partitions(),
        t.seed(),
        t.liveRate(),
        t.faultRate(),
        t.engineSettings(),
        t.instances());
  }

  /**
   * Why {@code s} does not fit, or null when it does: the heap it needs (a fixed base plus the
   * engine's state per GPU) over the maximum heap, or the disk its topics and state need over the
   * free space of the temp directory.
   */
  static String misfit(BenchSettings s, long maxHeapBytes, long freeDiskBytes, double heapPerGpu) {
    long heap = HEAP_BASE_BYTES + Math.round(heapPerGpu * s.gpus());
    if (heap > maxHeapBytes) {
      return String.format(
          Locale.ROOT,
          "does not fit the heap: needs about %,d MiB (%,d base + %.0f B/GPU), max heap %,d MiB",
          heap / MIB,
          HEAP_BASE_BYTES / MIB,
          heapPerGpu,
          maxHeapBytes / MIB);
    }
    long samples = (long) s.gpus() * s.ticks();
    long disk = samples * DISK_PER_SAMPLE_BYTES + (long) s.gpus() * DISK_PER_GPU_BYTES;
    if (disk > freeDiskBytes) {
      return String.format(
          Locale.ROOT,
          "does not fit the disk: needs about %,d MiB for %,d samples, %,d MiB free",
          disk / MIB,
          samples,
          freeDiskBytes / MIB);
    }
    return null;
  }

  private static long freeDisk() {
    try {
      return Files.getFileStore(Path.of(System.getProperty("java.io.tmpdir"))).getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE; // unknown: let the run try
    }
  }
}
