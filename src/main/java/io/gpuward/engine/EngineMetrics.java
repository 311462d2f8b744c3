package io.gpuward.engine;

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
}
