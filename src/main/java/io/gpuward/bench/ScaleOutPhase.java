package io.gpuward.bench;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.Topics;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The engine as N instances of one application (own state directories, static members) catching up
 * on the pre-loaded records, then one of them halted and restarted twice: with its state directory
 * kept, and with it wiped. Runs only with {@code --instances} above 1.
 */
final class ScaleOutPhase {
  private static final Duration START = Duration.ofSeconds(120);
  private static final long POLL_MILLIS = 20;

  /**
   * @param instances engine instances
   * @param seconds from all RUNNING until their committed offsets reached the end of the GPU topic
   * @param rate samples per second, all instances together
   * @param restoreKeptSeconds a halted instance restarted on its own state directory: start until
   *     RUNNING with every local store restored
   * @param restoreWipedSeconds the same with its state directory deleted first
   */
  record Result(
      int instances,
      double seconds,
      long samples,
      double restoreKeptSeconds,
      double restoreWipedSeconds) {
    double rate() {
      return samples / seconds;
    }
  }

  private final GpuwardConfig base;
  private final Topics topics;
  private final RuleCatalog rules;
  private final InstanceTypeCatalog types;
  private final Path work;
  private final String app = "gpuward-bench-scale-" + UUID.randomUUID();

  ScaleOutPhase(
      GpuwardConfig base, Topics topics, RuleCatalog rules, InstanceTypeCatalog types, Path work) {
    this.base = base;
    this.topics = topics;
    this.rules = rules;
    this.types = types;
    this.work = work;
  }

  Result run(int n, Admin admin, Map<TopicPartition, Long> gpuEnd, PrintStream progress)
      throws Exception {
    List<EngineService> engines = new ArrayList<>();
    try {
      List<CompletableFuture<EngineService>> starting =
          IntStream.range(0, n)
              .mapToObj(i -> CompletableFuture.supplyAsync(() -> start(i)))
              .toList();
      starting.forEach(f -> engines.add(f.join()));
      double seconds =
          EngineCatchUp.await(
              admin, app, gpuEnd, Duration.ofMinutes(30), () -> failure(engines), progress);
      long samples = gpuEnd.values().stream().mapToLong(Long::longValue).sum();
      progress.printf(
          Locale.ROOT,
          "  %d instances: %,d samples in %.1fs: %,.0f samples/s%n",
          n,
          samples,
          seconds,
          samples / seconds);
      double kept = restart(engines, false);
      double wiped = restart(engines, true);
      progress.printf(
          Locale.ROOT,
          "  halted instance back RUNNING: %.2fs with its state kept, %.2fs with it wiped%n",
          kept,
          wiped);
      return new Result(n, seconds, samples, kept, wiped);
    } finally {
      engines.forEach(EngineService::close);
    }
  }

  /** Halts instance 0, optionally wipes its state, restarts it; seconds from start to RUNNING. */
  private double restart(List<EngineService> engines, boolean wipe) throws InterruptedException {
    EngineService halted = engines.get(0);
    halted.halt();
    while (halted.state() != KafkaStreams.State.NOT_RUNNING
        && halted.state() != KafkaStreams.State.ERROR) {
      Thread.sleep(POLL_MILLIS); // the state directory stays locked until its threads stop
    }
    if (wipe) {
      deleteRecursively(stateDir(0));
    }
    long t0 = System.nanoTime();
    EngineService back = start(0);
    engines.set(0, back);
    // RUNNING can come while the state updater still restores: wait for the stores too.
    while (back.restoreLag() != 0) {
      Thread.sleep(POLL_MILLIS);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private EngineService start(int index) {
    Map<String, Object> values = new HashMap<>(base.originals());
    values.put(GpuwardConfig.ENGINE_APPLICATION_ID, app);
    values.put(GpuwardConfig.ENGINE_STATE_DIR, stateDir(index).toString());
    // Static members, as the chart runs them: a restarted instance gets its own tasks back.
    values.put(GpuwardConfig.INSTANCE_ID, app + "-" + index);
    return EngineService.start(
        new GpuwardConfig(values),
        topics,
        rules,
        types,
        new SimpleMeterRegistry(),
        Clock.systemUTC(),
        START);
  }

  private Path stateDir(int index) {
    return work.resolve("scale-state-" + index);
  }

  private static String failure(List<EngineService> engines) {
    for (EngineService e : engines) {
      if (!e.state().isRunningOrRebalancing()) {
        return "an instance is " + e.state();
      }
    }
    return null;
  }

  private static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }
}
