package io.gpuward.engine;

import java.util.Map;

/** Meter names of the verdict engine (Micrometer; tags are bounded enums). */
public final class EngineMetrics {
  private EngineMetrics() {}

  /** Verdicts emitted; tags {@code class}, {@code state}. */
  public static final String VERDICTS = "gpuward.engine.verdicts";

  /** Records sent to the dead-letter topic; tags {@code topic}, {@code kind}. */
  public static final String DEAD_LETTERS = "gpuward.engine.dead.letters";

  /**
   * Local state restored from changelog topics at start (after an unclean stop under exactly-once,
   * every store is wiped and restored); tags {@code application}, {@code store}.
   */
  public static final String RESTORE = "gpuward.streams.restore";

  /** Help text ({@code # HELP}) of these meters, by name. */
  public static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(VERDICTS, "Verdicts emitted by the engine, by fault class and state."),
          Map.entry(
              DEAD_LETTERS,
              "Records sent to the dead-letter topic, by source topic and kind of failure."));
}
