package io.gpuward.watch;

import java.util.Collection;
import java.util.List;

/**
 * What the cloud knows about the cluster's instances: the watcher's only view of AWS, so tests (and
 * a simulator) can stand in for it. {@link AwsCloud} is the real one.
 */
public interface CloudPort extends AutoCloseable {

  /**
   * Every instance of the cluster, running or not (terminated ones for as long as the cloud lists
   * them).
   *
   * @throws CloudUnavailableException when the cloud cannot be read now; the caller keeps its last
   *     view and tries again at the next poll
   */
  List<CloudInstance> instances();

  /**
   * The scheduled events (reboot, stop, retirement, maintenance) of the given instances, including
   * ones completed or canceled that the cloud still lists. A cloud without such events has none.
   *
   * @throws CloudUnavailableException when the cloud cannot be read now
   */
  default List<ScheduledEvent> scheduledEvents(Collection<String> instanceIds) {
    return List.of();
  }

  @Override
  void close();

  /** The cloud could not be read (throttled, unreachable, denied). */
  final class CloudUnavailableException extends RuntimeException {
    public CloudUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
