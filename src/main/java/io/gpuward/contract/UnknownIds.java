package io.gpuward.contract;

import io.gpuward.config.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Schema ids the registry said it does not know, remembered for a while, and a budget of lookups.
 * Garbage on a topic often carries "schema ids" (any record whose first byte is 0): without this,
 * each costs a registry round trip (3 ms against the embedded registry on loopback, 42 ms before it
 * turned Nagle off; more across a network), so 10,000 of them stall a consumer for minutes, long
 * enough for its transactions to time out. The budget bounds the share of a consumer's time those
 * lookups take: 20 a second at 3 ms is 6%; a registry answering in 50 ms would take all of it. An
 * id the registry answered unknown is not asked again for the TTL; and at most {@link
 * #LOOKUPS_PER_SECOND} ids not in the client's cache are looked up a second (a burst of that many
 * at once), so even distinct random ids cost little. Real writers add a new schema id a few times a
 * deploy: one arriving inside a garbage burst is refused (dead-lettered, bytes kept) until the
 * budget refills, within a second. A known id is never remembered here. Thread-safe; at most {@link
 * #MAX_ENTRIES} ids, oldest forgotten.
 */
final class UnknownIds {
  static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  static final int MAX_ENTRIES = 10_000;
  static final int LOOKUPS_PER_SECOND = 20;
  private static final long NANOS_PER_LOOKUP = 1_000_000_000L / LOOKUPS_PER_SECOND;

  private record Unknown(long untilNanos, SchemaRegistryException answer) {}

  private final long ttlNanos;
  private final LongSupplier nanoTime;

  /** When the lookup budget is full again; the budget is spent while this is ahead of now. */
  private long budgetFullAt;

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
   * answer) when {@link #LOOKUPS_PER_SECOND} were spent in the last second.
   */
  synchronized void takeLookup(int id) {
    long now = nanoTime.getAsLong();
    long burst = NANOS_PER_LOOKUP * LOOKUPS_PER_SECOND;
    long full = budgetFullAt - now < 0 ? now : budgetFullAt;
    if (full + NANOS_PER_LOOKUP - now > burst) {
      throw new SchemaRegistryException(
          429,
          42900,
          "schema id "
              + id
              + " not looked up: more than "
              + LOOKUPS_PER_SECOND
              + " unknown schema ids a second (garbage on the topic?)");
    }
    budgetFullAt = full + NANOS_PER_LOOKUP;
  }

  /** Remembers that the registry answered {@code answer} (a 404) for {@code id}. */
  synchronized void remember(int id, SchemaRegistryException answer) {
    ids.put(id, new Unknown(nanoTime.getAsLong() + ttlNanos, answer));
  }
}
