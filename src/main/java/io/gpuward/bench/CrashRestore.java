package io.gpuward.bench;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.Topics;
import io.gpuward.engine.EngineService;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Restore time after a kill -9 of the engine. The caught-up engine's state directory is taken over
 * by a child process running the engine (same application, same static instance id), which is
 * killed with SIGKILL once it runs: no clean close, no checkpoint, memtables lost, as a crash
 * leaves it. The engine is then started in this JVM on that directory and timed until RUNNING with
 * every local store restored; then halted, its directory wiped, and timed again.
 */
final class CrashRestore {
  private static final Duration START = Duration.ofSeconds(120);
  private static final long POLL_MILLIS = 20;
  static final String RUNNING_LINE = "gpuward engine running";

  /**
   * @param keptSeconds start until restored, on the directory the killed process left
   * @param wipedSeconds the same from an empty directory
   */
  record Result(double keptSeconds, double wipedSeconds) {}

  private final GpuwardConfig cfg;
  private final Topics topics;
  private final RuleCatalog rules;
  private final InstanceTypeCatalog types;
  private final EngineLauncher launcher;

  CrashRestore(
      GpuwardConfig cfg,
      Topics topics,
      RuleCatalog rules,
      InstanceTypeCatalog types,
      EngineLauncher launcher) {
    this.cfg = cfg;
    this.topics = topics;
    this.rules = rules;
    this.types = types;
    this.launcher = launcher;
  }

  Result run(PrintStream progress) throws IOException, InterruptedException {
    progress.printf("  restore: engine as a child process on the caught-up state, then SIGKILL%n");
    killChildEngine(progress);
    long t0 = System.nanoTime();
    EngineService kept = startRestored();
    double keptSeconds = (System.nanoTime() - t0) / 1e9;
    halt(kept);
    deleteRecursively(Path.of(cfg.engineStateDir()));
    t0 = System.nanoTime();
    EngineService wiped = startRestored();
    double wipedSeconds = (System.nanoTime() - t0) / 1e9;
    wiped.close();
    progress.printf(
        Locale.ROOT,
        "  back RUNNING and restored: %.2fs on the killed engine's state, %.2fs wiped%n",
        keptSeconds,
        wipedSeconds);
    return new Result(keptSeconds, wipedSeconds);
  }

  /** Starts the engine as a child, waits until it runs, and kills it with SIGKILL. */
  private void killChildEngine(PrintStream progress) throws IOException, InterruptedException {
    ProcessBuilder pb = launcher.command(cfg).redirectErrorStream(true);
    Process child = pb.start();
    try {
      CompletableFuture<Boolean> running = CompletableFuture.supplyAsync(() -> awaitRunning(child));
      boolean up = running.completeOnTimeout(false, START.toSeconds(), TimeUnit.SECONDS).join();
      if (!up) {
        throw new IllegalStateException(
            "the child engine did not report running within " + START.toSeconds() + "s");
      }
      // RUNNING can come while the state updater still loads the stores: let it finish, so that
      // the kill finds a running engine with its stores open, not one still starting.
      awaitCommitIntervals(2);
      progress.printf("  child engine pid %d running; SIGKILL%n", child.pid());
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux and macOS
      child.waitFor();
    }
  }

  /** Reads the child's output until its running line; the rest is drained and discarded. */
  private static boolean awaitRunning(Process child) {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    try {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(RUNNING_LINE)) {
          drain(out);
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** Keeps reading, so the child never blocks on a full pipe. */
  private static void drain(BufferedReader out) {
    Thread t =
        new Thread(
            () -> {
              try (out) {
                while (out.readLine() != null) {
                  // the child's log is not the bench's output
                }
              } catch (IOException e) {
                // the child was killed
              }
            },
            "gpuward-bench-child-output");
    t.setDaemon(true);
    t.start();
  }

  private void awaitCommitIntervals(int n) throws InterruptedException {
    Thread.sleep(n * cfg.engineCommitIntervalMs() + 1_000);
  }

  /** Starts the engine in this JVM and waits until every local store is restored. */
  private EngineService startRestored() throws InterruptedException {
    EngineService e =
        EngineService.start(
            cfg, topics, rules, types, new SimpleMeterRegistry(), Clock.systemUTC(), START);
    long deadline = System.nanoTime() + START.toNanos();
    while (e.restoreLag() != 0) {
      if (System.nanoTime() > deadline) {
        e.close();
        throw new IllegalStateException("the engine did not restore within " + START);
      }
      Thread.sleep(POLL_MILLIS);
    }
    return e;
  }

  private static void halt(EngineService e) throws InterruptedException {
    e.halt();
    while (e.state() != KafkaStreams.State.NOT_RUNNING && e.state() != KafkaStreams.State.ERROR) {
      Thread.sleep(POLL_MILLIS); // the state directory stays locked until its threads stop
    }
  }

  private static void deleteRecursively(Path dir) {
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir, e);
    }
  }
}
