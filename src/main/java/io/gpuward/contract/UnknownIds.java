package io.gpuward.contract;

import io.gpuward.config.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Schema ids the registry said it does not know, remembered for a while. Garbage on a topic often
 * carries random "schema ids" (any record whose first byte is 0): without this, each costs a
 * registry round trip (~44 ms measured), so 10,000 of them stall a consumer for minutes, long
 * enough for its transactions to time out. A known id is never remembered here, and an id the
 * registry learns later (a writer registering a new schema) is asked again after the TTL.
 * Thread-safe; at most {@link #MAX_ENTRIES} ids, the oldest forgotten first.
 */
final class UnknownIds {
  static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
  static final int MAX_ENTRIES = 10_000;

  private record Unknown(long untilNanos, SchemaRegistryException answer) {}

  private final long ttlNanos;
  private final LongSupplier nanoTime;
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

  /** Remembers that the registry answered {@code answer} (a 404) for {@code id}. */
  synchronized void remember(int id, SchemaRegistryException answer) {
    ids.put(id, new Unknown(nanoTime.getAsLong() + ttlNanos, answer));
  }
}
