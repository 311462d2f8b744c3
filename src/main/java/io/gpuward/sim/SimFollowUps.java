package io.gpuward.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * What the fleet simulator has promised to do later: a fault's end after its {@code for}, a
 * container start retried, a device plugin's grace running out, an XID that comes back after a
 * reboot. One queue for all of them, in time order and ties in the order scheduled, so a seeded run
 * replays the same; a follow-up checks when it runs whether it still applies (a later fault or a
 * reboot may have superseded it).
 */
final class SimFollowUps {

  private record FollowUp(Instant at, long seq, Consumer<Instant> action) {}

  private final PriorityQueue<FollowUp> queue =
      new PriorityQueue<>(Comparator.comparing(FollowUp::at).thenComparingLong(FollowUp::seq));
  private long seq;

  /** Runs {@code action} with its instant when the simulation reaches {@code at}. */
  void at(Instant at, Consumer<Instant> action) {
    queue.add(new FollowUp(at, seq++, action));
  }

  /**
   * Ends a fault that lasts {@code forDuration} after {@code from}; a fault without one lasts until
   * a recover, a reboot or a later fault.
   */
  void endAfter(Optional<Duration> forDuration, Instant from, Consumer<Instant> end) {
    forDuration.ifPresent(d -> at(from.plus(d), end));
  }

  /** The instant of the earliest follow-up due at or before {@code t}, or null. */
  Instant nextDue(Instant t) {
    FollowUp next = queue.peek();
    return next == null || next.at().isAfter(t) ? null : next.at();
  }

  /** Runs the earliest follow-up. */
  void runNext() {
    FollowUp next = queue.poll();
    next.action().accept(next.at());
  }
}
