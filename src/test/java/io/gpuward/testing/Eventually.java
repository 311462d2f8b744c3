package io.gpuward.testing;

import java.time.Duration;

/** Polls an assertion until it passes: the tests' way to wait, instead of sleeping. */
public final class Eventually {

  /** An assertion that may throw. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Throwable;
  }

  private static final long POLL_MS = 50;

  private Eventually() {}

  /**
   * Runs {@code assertion} every 50 ms until it returns without an {@link AssertionError}, and
   * rethrows the last AssertionError once {@code timeout} has passed. Any other exception fails at
   * once.
   */
  public static void await(Duration timeout, ThrowingRunnable assertion) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() - deadline >= 0) {
          e.addSuppressed(new AssertionError("still failing after " + timeout));
          throw e;
        }
      } catch (RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new AssertionError("assertion threw " + t, t);
      }
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }
}
