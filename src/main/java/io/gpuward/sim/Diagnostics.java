package io.gpuward.sim;

import io.gpuward.remediation.port.CommandTrace;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated world's DCGM diagnostics ({@code dcgmi diag -r <level>}): each run takes a
 * level-dependent time and then passes, unless a {@code diag-fail} fault armed the node's next run
 * to fail on a GPU or to hang. Runs are found by their idempotency token, as SSM's command history
 * finds a command by its comment. Thread-safe.
 */
public final class Diagnostics {

  /** The test a failing run names: DCGM 4's memory test, where a bad GPU shows first. */
  public static final String FAILING_TEST = "memory";

  /** One run: where, when it started, how it ends. */
  private record Run(String node, String instanceId, int level, Instant started, Ending ending) {}

  /** How a run ends: passes, fails on a GPU, or never finishes. */
  private record Ending(boolean hang, Optional<Integer> failingGpu) {
    static final Ending PASS = new Ending(false, Optional.empty());
  }

  private final Clock clock;
  private final Map<String, Run> runs = new HashMap<>();
  private final Map<String, Ending> armed = new HashMap<>();

  public Diagnostics(Clock clock) {
    this.clock = clock;
  }

  /** How long a run of {@code level} takes on a simulated node (compressed from real minutes). */
  public static Duration duration(int level) {
    return switch (level) {
      case 1 -> Duration.ofSeconds(5);
      case 2 -> Duration.ofSeconds(30);
      default -> Duration.ofMinutes(3);
    };
  }

  /** The node's next run fails on the fault's GPU, or hangs. */
  public synchronized void failNext(String node, Injection.DiagFail f) {
    armed.put(node, new Ending(f.hang(), f.hang() ? Optional.empty() : Optional.of(f.gpuIndex())));
  }

  /**
   * Starts a run on the node; the same token again is a no-op.
   *
   * @return true when a run started, false for a token seen already
   */
  public synchronized boolean start(String node, String instanceId, int level, String token) {
    if (runs.containsKey(token)) {
      return false;
    }
    Ending e = armed.getOrDefault(node, Ending.PASS);
    armed.remove(node);
    runs.put(token, new Run(node, instanceId, level, clock.instant(), e));
    return true;
  }

  /** How far a run got. */
  public enum Status {
    RUNNING,
    PASSED,
    FAILED
  }

  /**
   * A run as the cloud would report it.
   *
   * @param node the node it ran on
   * @param instanceId its instance
   * @param level the DCGM run level
   * @param started when it was sent
   * @param status how far it got
   * @param failingGpu the GPU index that failed {@link #FAILING_TEST}, when FAILED
   */
  public record Result(
      String node,
      String instanceId,
      int level,
      Instant started,
      Status status,
      Optional<Integer> failingGpu) {}

  /** The run sent with {@code token}, as it stands now; empty when none was. */
  public synchronized Optional<Result> result(String token) {
    Run r = runs.get(token);
    if (r == null) {
      return Optional.empty();
    }
    Instant done = r.started().plus(duration(r.level()));
    Status status =
        r.ending().hang() || clock.instant().isBefore(done)
            ? Status.RUNNING
            : r.ending().failingGpu().isPresent() ? Status.FAILED : Status.PASSED;
    return Optional.of(
        new Result(
            r.node(), r.instanceId(), r.level(), r.started(), status, r.ending().failingGpu()));
  }

  /** What became of the run sent with {@code token}. */
  public CommandTrace trace(String token) {
    Optional<Result> found = result(token);
    if (found.isEmpty()) {
      return new CommandTrace(CommandTrace.State.NOT_SENT, "no dcgmi diag with op=" + token);
    }
    Result r = found.get();
    String what = "dcgmi diag -r " + r.level() + " on " + r.instanceId() + " (" + r.node() + ")";
    return switch (r.status()) {
      case RUNNING -> new CommandTrace(CommandTrace.State.IN_PROGRESS, what + " running");
      case FAILED ->
          new CommandTrace(
              CommandTrace.State.FAILED,
              what + ": test " + FAILING_TEST + " failed on GPU " + r.failingGpu().orElseThrow());
      case PASSED -> new CommandTrace(CommandTrace.State.SUCCEEDED, what + ": all tests pass");
    };
  }

  /** Runs started so far (for the world's counters). */
  public synchronized int started() {
    return runs.size();
  }
}
