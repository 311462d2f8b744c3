package io.gpuward.exporter;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.ExporterMetrics.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory buffer in front of a {@link TelemetrySink} (the Kafka producer), so a broker
 * that is down never blocks the node: callers only enqueue, and one drain thread hands records on
 * in arrival order.
 *
 * <p><b>Full buffer.</b> The capacity is in records. When it is full, the oldest {@link GpuSample}
 * is dropped first (a newer scrape supersedes it); then the oldest other record (kube events,
 * heartbeats, inventory); an {@link XidEvent} is dropped only when the buffer holds nothing else.
 * Drops are counted per kind ({@link ExporterMetrics#BUFFER_DROPS}) and reported in one log line
 * per minute at most.
 *
 * <p><b>Failures.</b> A record the downstream rejects with a transient failure (the broker or
 * registry unreachable, a timeout, a send that failed inside the call as the {@link Backpressure}
 * reports) stays at the head and is retried with backoff (100 ms doubling to 5 s). A permanent
 * failure (a record that cannot be serialised) drops that record, counted in {@link
 * ExporterMetrics#SEND_ERRORS}. While the downstream has {@code maxInFlight} records
 * unacknowledged, the drain waits, so the records queue here, under the drop policy, instead of in
 * the producer.
 *
 * <p>Thread-safe: any thread may publish.
 */
public final class BufferedSink implements TelemetrySink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BufferedSink.class);

  static final Duration REPORT_EVERY = Duration.ofMinutes(1);
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5_000;

  /** One buffered record and what to do with it. */
  private sealed interface Item permits Sample, Xid, Event, Inventory, Tombstone {}

  private record Sample(GpuSample s) implements Item {}

  private record Xid(XidEvent e) implements Item {}

  private record Event(NodeEvent e) implements Item {}

  private record Inventory(NodeInventory i) implements Item {}

  private record Tombstone(String node) implements Item {}

  private record Entry(long seq, Item item) {}

  private final TelemetrySink downstream;
  private final int capacity;
  private final Backpressure backpressure;
  private final long maxInFlight;
  private final ExporterMetrics metrics;
  private final Clock clock;
  private final String name;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Entry> samples = new ArrayDeque<>();
  private final ArrayDeque<Entry> xids = new ArrayDeque<>();
  private final ArrayDeque<Entry> others = new ArrayDeque<>();
  private Entry inDelivery;
  private long seq;
  private boolean closing;
  private boolean stopped;

  private final Map<Kind, Long> droppedSinceReport = new EnumMap<>(Kind.class);
  private final Map<Kind, Long> dropped = new EnumMap<>(Kind.class);
  private long delivered;
  private long permanentFailures;
  private long transientFailures;
  private Instant lastReport;
  private Instant lastFailureLog = Instant.EPOCH;
  private String lastFailure;

  private final Thread drainer;

  /**
   * Starts the drain thread.
   *
   * @param downstream where records go (called from the drain thread only)
   * @param capacity records held at most
   * @param backpressure what the downstream reports, or {@link Backpressure#NONE}
   * @param maxInFlight unacknowledged downstream records at which draining pauses
   * @param name for the thread and log lines (e.g. the node)
   */
  public BufferedSink(
      TelemetrySink downstream,
      int capacity,
      Backpressure backpressure,
      long maxInFlight,
      ExporterMetrics metrics,
      Clock clock,
      String name) {
    if (capacity < 1) {
      throw new IllegalArgumentException("buffer capacity must be >= 1, was " + capacity);
    }
    this.downstream = Objects.requireNonNull(downstream, "downstream");
    this.capacity = capacity;
    this.backpressure = Objects.requireNonNull(backpressure, "backpressure");
    this.maxInFlight = maxInFlight;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.name = name;
    this.lastReport = clock.instant();
    for (Kind k : Kind.values()) {
      dropped.put(k, 0L);
      droppedSinceReport.put(k, 0L);
    }
    metrics.bufferSize(this::size);
    this.drainer = new Thread(this::drainLoop, "gpuward-exporter-buffer-" + name);
    drainer.setDaemon(true);
    drainer.start();
  }

  // ------------------------------------------------------------------ TelemetrySink

  @Override
  public void gpuSample(GpuSample s) {
    offer(new Sample(s));
  }

  @Override
  public void xid(XidEvent e) {
    offer(new Xid(e));
  }

  @Override
  public void nodeEvent(NodeEvent e) {
    offer(new Event(e));
  }

  @Override
  public void inventory(NodeInventory i) {
    offer(new Inventory(i));
  }

  @Override
  public void inventoryRemoved(String node) {
    offer(new Tombstone(node));
  }

  // ------------------------------------------------------------------ state

  /** Records waiting, including one being handed on. */
  public int size() {
    lock.lock();
    try {
      return samples.size() + xids.size() + others.size() + (inDelivery == null ? 0 : 1);
    } finally {
      lock.unlock();
    }
  }

  /** Counts so far. */
  public Stats stats() {
    lock.lock();
    try {
      return new Stats(
          samples.size() + xids.size() + others.size() + (inDelivery == null ? 0 : 1),
          delivered,
          dropped.get(Kind.GPU),
          dropped.get(Kind.XID),
          dropped.get(Kind.OTHER),
          transientFailures,
          permanentFailures,
          lastFailure);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Buffer counts.
   *
   * @param buffered records waiting
   * @param delivered records handed on
   * @param droppedSamples GpuSamples dropped because the buffer was full
   * @param droppedXids XidEvents dropped because the buffer was full of them
   * @param droppedOther other records dropped because the buffer was full
   * @param transientFailures hand-overs that failed and were retried
   * @param permanentFailures records dropped because the downstream refused them for good
   * @param lastFailure the last failure's description, or null
   */
  public record Stats(
      int buffered,
      long delivered,
      long droppedSamples,
      long droppedXids,
      long droppedOther,
      long transientFailures,
      long permanentFailures,
      String lastFailure) {

    /** All records dropped because the buffer was full. */
    public long dropped() {
      return droppedSamples + droppedXids + droppedOther;
    }
  }

  /** Waits until every record is handed on; false when {@code timeout} passed first. */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || stopped) {
          return isEmpty();
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Hands on what it can within 5 s, then stops the drain thread; later records are dropped. */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /** As {@link #close()}, waiting at most {@code drainTimeout} for the buffer to empty. */
  public void close(Duration drainTimeout) {
    lock.lock();
    try {
      if (closing) {
        return;
      }
      closing = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      if (!flush(drainTimeout)) {
        log.warn("exporter buffer {}: closing with {} records not handed on", name, size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      stopped = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    drainer.interrupt();
    try {
      drainer.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    report(true);
  }

  // ------------------------------------------------------------------ internals

  private boolean isEmpty() {
    return samples.isEmpty() && xids.isEmpty() && others.isEmpty() && inDelivery == null;
  }

  private static Kind kind(Item item) {
    if (item instanceof Sample) {
      return Kind.GPU;
    }
    if (item instanceof Xid) {
      return Kind.XID;
    }
    return Kind.OTHER;
  }

  private ArrayDeque<Entry> queue(Kind k) {
    return k == Kind.GPU ? samples : k == Kind.XID ? xids : others;
  }

  private void offer(Item item) {
    Kind k = kind(item);
    lock.lock();
    try {
      if (stopped) {
        countDrop(k);
        return;
      }
      // the record being handed on is out of the queues: the buffer holds capacity + 1 at most
      while (samples.size() + xids.size() + others.size() >= capacity) {
        evictOne();
      }
      queue(k).addLast(new Entry(seq++, item));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Drops the oldest sample, else the oldest other record, else the oldest XID. */
  private boolean evictOne() {
    for (Kind k : new Kind[] {Kind.GPU, Kind.OTHER, Kind.XID}) {
      if (queue(k).pollFirst() != null) {
        countDrop(k);
        return true;
      }
    }
    return false;
  }

  private void countDrop(Kind k) {
    dropped.merge(k, 1L, Long::sum);
    droppedSinceReport.merge(k, 1L, Long::sum);
    metrics.drops.get(k).increment();
  }

  /** The oldest waiting entry, taken out of its queue; null when empty. */
  private Entry takeOldest() {
    Entry best = null;
    ArrayDeque<Entry> from = null;
    for (ArrayDeque<Entry> q : List.of(samples, xids, others)) {
      Entry head = q.peekFirst();
      if (head != null && (best == null || head.seq() < best.seq())) {
        best = head;
        from = q;
      }
    }
    if (from != null) {
      from.pollFirst();
    }
    return best;
  }

  private void drainLoop() {
    long backoff = MIN_BACKOFF_MS;
    while (true) {
      Entry entry;
      lock.lock();
      try {
        while (!stopped && (isEmpty() || downstreamFull())) {
          report(false);
          changed.await(isEmpty() ? 1_000 : 20, TimeUnit.MILLISECONDS);
        }
        if (stopped) {
          return;
        }
        entry = takeOldest();
        inDelivery = entry;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        drainerInterrupted();
        return;
      } finally {
        lock.unlock();
      }
      Failure failure = deliver(entry.item());
      lock.lock();
      try {
        inDelivery = null;
        if (failure == null) {
          delivered++;
          backoff = MIN_BACKOFF_MS;
        } else if (failure.permanent()) {
          permanentFailures++;
          metrics.sendErrors.get(kind(entry.item())).increment();
          lastFailure = failure.message();
          logFailure(failure, entry.item());
        } else {
          transientFailures++;
          lastFailure = failure.message();
          queue(kind(entry.item())).addFirst(entry);
          logFailure(failure, entry.item());
        }
        changed.signalAll();
        if (failure != null && !failure.permanent() && !stopped) {
          changed.await(backoff, TimeUnit.MILLISECONDS);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
        report(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        drainerInterrupted();
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * The drainer ends when interrupted: close() interrupts it after setting {@code stopped}. Going
   * on with the flag restored would spin on every wait, and going on with it cleared would ignore
   * whoever interrupted it; so an interrupt from anywhere else ends the draining too, loudly.
   */
  private void drainerInterrupted() {
    if (!stopped) {
      log.warn(
          "exporter buffer {}: drainer thread interrupted while running; records are no longer"
              + " handed on ({} buffered)",
          name,
          size());
    }
  }

  private boolean downstreamFull() {
    return maxInFlight > 0 && backpressure.inFlight() >= maxInFlight;
  }

  private record Failure(boolean permanent, String message) {}

  private Failure deliver(Item item) {
    long failuresBefore = backpressure.failures();
    try {
      if (item instanceof Sample s) {
        downstream.gpuSample(s.s());
      } else if (item instanceof Xid x) {
        downstream.xid(x.e());
      } else if (item instanceof Event e) {
        downstream.nodeEvent(e.e());
      } else if (item instanceof Inventory i) {
        downstream.inventory(i.i());
      } else if (item instanceof Tombstone t) {
        downstream.inventoryRemoved(t.node());
      }
    } catch (RuntimeException e) {
      return new Failure(!isTransient(e), describe(e));
    }
    if (backpressure.failures() > failuresBefore) {
      String why =
          backpressure instanceof ProducerFlow.State s && s.lastError() != null
              ? s.lastError()
              : "send failed";
      return new Failure(false, why);
    }
    return null;
  }

  /**
   * Transient: the broker or registry is unreachable or slow (IO errors, Kafka retriable errors and
   * timeouts, registry answers with no HTTP status or a 5xx), found anywhere on the cause chain.
   * Anything else (bad data, a rejected schema) is permanent.
   */
  // Kafka's TimeoutException (imported) and java.util.concurrent's share a simple name.
  @SuppressWarnings("checkstyle:inlineQualifiedName")
  static boolean isTransient(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException
          || c instanceof RetriableException
          || c instanceof TimeoutException
          || c instanceof InterruptException
          || c instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
      if (c instanceof SchemaRegistryException r
          && (r.httpStatus() == 0 || r.httpStatus() >= 500 || r.httpStatus() == 429)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      if (!b.toString().contains(m)) {
        if (!b.isEmpty()) {
          b.append(": ");
        }
        b.append(m);
      }
    }
    return b.toString();
  }

  private void logFailure(Failure f, Item item) {
    Instant now = clock.instant();
    if (Duration.between(lastFailureLog, now).compareTo(REPORT_EVERY) < 0) {
      return;
    }
    lastFailureLog = now;
    if (f.permanent()) {
      log.warn(
          "exporter buffer {}: dropped a {} the downstream refused ({} so far): {}",
          name,
          kind(item).tag(),
          permanentFailures,
          f.message());
    } else {
      log.warn(
          "exporter buffer {}: cannot hand records on, holding {} and retrying: {}",
          name,
          samples.size() + xids.size() + others.size() + 1,
          f.message());
    }
  }

  /** Logs the drops since the last report, at most once per minute (or when closing). */
  private void report(boolean force) {
    long total = droppedSinceReport.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return;
    }
    Instant now = clock.instant();
    if (!force && Duration.between(lastReport, now).compareTo(REPORT_EVERY) < 0) {
      return;
    }
    log.warn(
        "exporter buffer {} full (capacity {}): dropped {} GpuSamples, {} XidEvents, {} other"
            + " records since {}",
        name,
        capacity,
        droppedSinceReport.get(Kind.GPU),
        droppedSinceReport.get(Kind.XID),
        droppedSinceReport.get(Kind.OTHER),
        lastReport);
    for (Kind k : Kind.values()) {
      droppedSinceReport.put(k, 0L);
    }
    lastReport = now;
  }
}
