package io.gpuward.contract;

import io.gpuward.config.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Schema ids the registry said it does not know, remembered for a while, and a budget for looking
 * up ids not in the client's cache. Garbage on a topic often carries "schema ids" (any record whose
 * first byte is 0): without this, each costs a registry round trip, so 10,000 of them stall a
 * consumer for minutes, long enough for its transactions to time out. An id the registry answered
 * unknown is not asked again for the TTL. A known id is never remembered here and never throttled.
 *
 * <p>The budget bounds the TIME those lookups take, because that is what a consumer loses: a lookup
 * costs 3 ms against the embedded registry on loopback, but 50 ms or more against a registry across
 * a network, and a registry that hangs costs the whole request timeout. A count alone cannot bound
 * that (20 a second is 6% of a consumer's time at 3 ms, all of it at 50 ms). So each failed lookup
 * (a 404, a timeout, no connection) is charged its measured duration, and failed lookups may take
 * at most {@link #TIME_SHARE_PERCENT}% of wall time (50 ms a second), with a burst of {@link
 * #TIME_BURST} (5 lookups of 50 ms, about 80 of 3 ms). 5% keeps a consumer working at full speed on
 * its real records while a garbage burst is dead-lettered; 250 ms is far below any transaction or
 * poll timeout. A lookup that finds its schema is not charged: the schema is then cached for good,
 * so those are bounded by the number of real schemas, and charging them would spend the burst on a
 * cold start (a client's first lookup took over 250 ms in a test, loading the HTTP client),
 * refusing real ids and dead-lettering real records. The charge is taken after the lookup (its cost
 * is not known before), so the last lookup of a burst may overdraw the budget, and a 10 s timeout
 * stops lookups of new ids for about 200 s: a registry that hangs is the worst case, and a consumer
 * keeps its time for records with known ids. A second bound of {@link #LOOKUPS_PER_SECOND} lookups
 * a second (a burst of that many), found or not, keeps a fast registry from being hammered by
 * random ids: at 3 ms those take 6% of the time, so with the embedded registry the count bound
 * stops a burst first and, on sustained garbage, the time bound then allows about 16 a second.
 * Lookups running at once on several threads are each charged (each holds up its own consumer), and
 * each takes the count budget first, which bounds how many can overdraw the time budget together.
 *
 * <p>Real writers add a new schema id a few times a deploy: one arriving inside a garbage burst is
 * refused (dead-lettered, bytes kept) until the budget refills, within seconds when the registry
 * answers fast. Refusals are {@link SchemaRegistryException}s with HTTP status 429, as a registry
 * under load would answer. Thread-safe; the clock is the injected {@code nanoTime}, which also
 * measures the lookups; at most {@link #MAX_ENTRIES} ids, oldest forgotten.
 */
final class UnknownIds {
  static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  static final int MAX_ENTRIES = 10_000;
  static final int LOOKUPS_PER_SECOND = 20;

  /** The share of wall time failed lookups of ids not in the cache may take, in percent. */
  static final int TIME_SHARE_PERCENT = 5;

  /** The lookup time that may be spent at once when the budget is full. */
  static final Duration TIME_BURST = Duration.ofMillis(250);

  private static final long NANOS_PER_LOOKUP = 1_000_000_000L / LOOKUPS_PER_SECOND;

  /** Wall time that refills {@link #TIME_BURST}: the burst at {@link #TIME_SHARE_PERCENT}%. */
  private static final long TIME_REFILL_NANOS = TIME_BURST.toNanos() * 100 / TIME_SHARE_PERCENT;

  private static final long MAX_CHARGE_NANOS = Duration.ofHours(1).toNanos();

  private record Unknown(long untilNanos, SchemaRegistryException answer) {}

  private final long ttlNanos;
  private final LongSupplier nanoTime;

  /** When the count budget is full again; it is spent while this is a burst ahead of now. */
  private long countFullAt;

  /**
   * When the time budget is full again; each nanosecond of lookup moves it {@code 100 /
   * TIME_SHARE_PERCENT} nanoseconds on, and it is spent while this is {@link #TIME_REFILL_NANOS}
   * ahead of now.
   */
  private long timeFullAt;

  private final Map<Integer, Unknown> ids =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Unknown> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  UnknownIds(Duration ttl, LongSupplier nanoTime) {
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
    // nanoTime may be negative: a deadline of 0 could then lie far ahead of now.
    this.countFullAt = nanoTime.getAsLong();
    this.timeFullAt = countFullAt;
  }

  /**
   * Looks up {@code id}, which is not in the client's cache, within the budget: throws the
   * registry's remembered answer for an id it did not know less than the TTL ago, or a 429 when the
   * budget is spent; otherwise runs {@code lookup}, and when it fails (a 404, a timeout, no
   * connection) charges its duration and remembers a 404.
   */
  <T> T lookUp(int id, Supplier<T> lookup) {
    check(id);
    takeLookup(id);
    long start = nanoTime.getAsLong();
    try {
      return lookup.get();
    } catch (RuntimeException e) {
      spent(nanoTime.getAsLong() - start);
      if (e instanceof SchemaRegistryException r && r.isNotFound()) {
        remember(id, r);
      }
      throw e;
    }
  }

  /** Throws the registry's earlier answer when {@code id} was unknown less than the TTL ago. */
  synchronized void check(int id) {
    Unknown u = ids.get(id);
    if (u == null) {
      return;
    }
    if (nanoTime.getAsLong() - u.untilNanos() < 0) {
      throw new SchemaRegistryException(
          u.answer().httpStatus(),
          u.answer().errorCode(),
          u.answer().getMessage()
              + " (remembered for "
              + Durations.format(Duration.ofNanos(ttlNanos))
              + ")");
    }
    ids.remove(id);
  }

  /**
   * Takes one lookup from the budget, or throws (HTTP status 429, as a registry under load would
   * answer) when lookups took {@link #TIME_SHARE_PERCENT}% of the time or {@link
   * #LOOKUPS_PER_SECOND} were made in the last second. The caller reports a failed lookup's
   * duration to {@link #spent}.
   */
  synchronized void takeLookup(int id) {
    long now = nanoTime.getAsLong();
    if (ahead(timeFullAt, now) >= TIME_REFILL_NANOS) {
      throw refused(
          id,
          "lookups of unknown schema ids took more than "
              + TIME_SHARE_PERCENT
              + "% of the time (a slow registry, or garbage on the topic?)");
    }
    long countFull = now + ahead(countFullAt, now);
    if (countFull + NANOS_PER_LOOKUP - now > NANOS_PER_LOOKUP * LOOKUPS_PER_SECOND) {
      throw refused(
          id,
          "more than "
              + LOOKUPS_PER_SECOND
              + " unknown schema ids a second (garbage on the topic?)");
    }
    countFullAt = countFull + NANOS_PER_LOOKUP;
  }

  /** Charges a failed lookup that took {@code nanos}. */
  synchronized void spent(long nanos) {
    long now = nanoTime.getAsLong();
    // Capped so that a clock gone wrong cannot overflow the arithmetic.
    long charge = Math.min(Math.max(0, nanos), MAX_CHARGE_NANOS) * 100 / TIME_SHARE_PERCENT;
    timeFullAt = now + ahead(timeFullAt, now) + charge;
  }

  /** How far {@code fullAt} is ahead of {@code now}; 0 when it has passed. */
  private static long ahead(long fullAt, long now) {
    return Math.max(0, fullAt - now);
  }

  private static SchemaRegistryException refused(int id, String why) {
    return new SchemaRegistryException(429, 42900, "schema id " + id + " not looked up: " + why);
  }

  /** Remembers that the registry answered {@code answer} (a 404) for {@code id}. */
  synchronized void remember(int id, SchemaRegistryException answer) {
    ids.put(id, new Unknown(nanoTime.getAsLong() + ttlNanos, answer));
  }
}
