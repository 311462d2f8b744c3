package io.gpuward.remediation.aws;

import java.time.Duration;

/** Waits between polls; injected so that tests advance a fake clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

  /** The real one: {@link Thread#sleep(long)}. */
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

  /**
   * Waits for {@code duration}.
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  void sleep(Duration duration) throws InterruptedException;
}
