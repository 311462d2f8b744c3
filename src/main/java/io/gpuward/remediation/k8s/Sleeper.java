package io.gpuward.remediation.k8s;

import java.time.Duration;

/**
 * Waits between retries. Injected so that tests can advance a fake clock instead of waiting in real
 * time.
 */
@FunctionalInterface
public interface Sleeper {

  /** Blocks the calling thread for {@code duration} (or less, when interrupted). */
  void sleep(Duration duration) throws InterruptedException;

  /** The real thing: {@link Thread#sleep(long)}. */
  static Sleeper system() {
    return d -> Thread.sleep(Math.max(0, d.toMillis()));
  }
}
