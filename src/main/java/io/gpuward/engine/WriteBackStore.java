package io.gpuward.engine;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A changelogged key-value store for state that its processor keeps as live, mutable objects: the
 * processor mutates its objects in place and only marks their keys dirty ({@link #put}); the store
 * serialises each dirty key once, just before Streams commits the task (the same hook the record
 * caches use: Streams flushes every {@link CachedStateStore} before it flushes the producer and
 * commits the transaction). So the changelog and the input offsets still commit atomically under
 * exactly-once, while the per-record cost is a map insert instead of a serialise+store round trip.
 *
 * <p>The processor reads the committed state back with {@link #forEach} in its {@code init} (after
 * restoration). {@link #clearCache} (Streams discarding uncommitted work) drops the pending writes;
 * the task is then re-initialised and its processor reloads from the store.
 */
final class WriteBackStore<K, V> implements StateStore, CachedStateStore<K, V> {
  private final KeyValueStore<K, V> inner;
  private final Map<K, V> dirty = new HashMap<>();

  private WriteBackStore(KeyValueStore<K, V> inner) {
    this.inner = inner;
  }

  /** A builder of a persistent (RocksDB), changelogged, uncached write-back store. */
  static <K, V> StoreBuilder<WriteBackStore<K, V>> builder(
      String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return new Builder<>(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde, valueSerde)
            .withCachingDisabled());
  }

  /** An uncached, unlogged in-memory write-back store, for unit tests of its processors. */
  static <K, V> WriteBackStore<K, V> inMemoryForTests(
      String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return new WriteBackStore<>(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keySerde, valueSerde)
            .withCachingDisabled()
            .withLoggingDisabled()
            .build());
  }

  /** Marks {@code key} dirty with its current value; {@code null} deletes it at the next commit. */
  void put(K key, V value) {
    dirty.put(key, value);
  }

  /** Every committed entry (call after restoration, e.g. from the processor's init). */
  void forEach(BiConsumer<K, V> action) {
    try (KeyValueIterator<K, V> it = inner.all()) {
      while (it.hasNext()) {
        KeyValue<K, V> kv = it.next();
        action.accept(kv.key, kv.value);
      }
    }
  }

  /** Keys written since the last commit (for tests and metrics). */
  int pending() {
    return dirty.size();
  }

  @Override
  public void flushCache() {
    if (dirty.isEmpty()) {
      return;
    }
    // Insertion order is irrelevant for a key-value changelog; copy so a re-entrant put is safe.
    Map<K, V> batch = new LinkedHashMap<>(dirty);
    dirty.clear();
    for (Map.Entry<K, V> e : batch.entrySet()) {
      if (e.getValue() == null) {
        inner.delete(e.getKey());
      } else {
        inner.put(e.getKey(), e.getValue());
      }
    }
  }

  @Override
  public void clearCache() {
    dirty.clear();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    inner.init(context, root);
  }

  @Override
  @SuppressWarnings("deprecation")
  public void flush() {
    flushCache();
    inner.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    inner.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return inner.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return inner.managesOffsets();
  }

  @Override
  public void close() {
    dirty.clear();
    inner.close();
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }

  private static final class Builder<K, V> implements StoreBuilder<WriteBackStore<K, V>> {
    private StoreBuilder<KeyValueStore<K, V>> inner;

    Builder(StoreBuilder<KeyValueStore<K, V>> inner) {
      this.inner = inner;
    }

    @Override
    public StoreBuilder<WriteBackStore<K, V>> withCachingEnabled() {
      throw new UnsupportedOperationException("a write-back store is its own cache");
    }

    @Override
    public StoreBuilder<WriteBackStore<K, V>> withCachingDisabled() {
      return this;
    }

    @Override
    public StoreBuilder<WriteBackStore<K, V>> withLoggingEnabled(Map<String, String> config) {
      inner = inner.withLoggingEnabled(config);
      return this;
    }

    @Override
    public StoreBuilder<WriteBackStore<K, V>> withLoggingDisabled() {
      throw new UnsupportedOperationException("a write-back store must be changelogged");
    }

    @Override
    public WriteBackStore<K, V> build() {
      return new WriteBackStore<>(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
