package io.gpuward.sim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The simulated cluster's time: timed transitions (a reboot finishing, a replacement registering,
 * an evicted pod rescheduled) waiting for their instant, and the changes the fleet simulator has
 * not yet taken. Transitions fire lazily, the first time anyone looks at or after their deadline,
 * so the cluster needs no thread of its own; ties fire in the order they were scheduled, which
 * keeps seeded runs identical. Not thread-safe: the facade's lock guards every access.
 */
final class ClusterTimeline {

  private record Timer(Instant at, long seq, Consumer<Instant> action) {}

  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>(Comparator.comparing(Timer::at).thenComparingLong(Timer::seq));
  private final List<ClusterChange> changes = new ArrayList<>();
  private long timerSeq;

  /** Runs {@code action} with its instant once the cluster is looked at on or after {@code at}. */
  void schedule(Instant at, Consumer<Instant> action) {
    timers.add(new Timer(at, timerSeq++, action));
  }

  /** Runs every transition due at or before {@code upTo}, earliest first. */
  void fire(Instant upTo) {
    while (!timers.isEmpty() && !timers.peek().at().isAfter(upTo)) {
      Timer t = timers.poll();
      t.action().accept(t.at());
    }
  }

  /** A change the fleet simulator will see at its next poll. */
  void change(ClusterChange c) {
    changes.add(c);
  }

  /** Hands over the changes at or before {@code upTo}, in time order (ties in call order). */
  List<ClusterChange> poll(Instant upTo) {
    if (changes.isEmpty()) {
      return List.of();
    }
    List<ClusterChange> due = new ArrayList<>();
    Iterator<ClusterChange> it = changes.iterator();
    while (it.hasNext()) {
      ClusterChange c = it.next();
      if (!c.at().isAfter(upTo)) {
        due.add(c);
        it.remove();
      }
    }
    due.sort(Comparator.comparing(ClusterChange::at)); // stable: equal times keep call order
    return due;
  }
}
