package io.gpuward.engine;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the native memory of every RocksDB store of the engine: one block cache for all of them,
 * with their memtables counted against it through a shared write buffer manager (Kafka Streams'
 * documented bounded-memory recipe).
 *
 * <p>Without it each store instance takes its own 50 MiB block cache and up to 3 × 16 MiB of
 * memtables, and a windowed store is one instance per segment and partition: about 30 instances
 * with 6 partitions, so over a GiB of native memory in the worst case. With it the engine's RocksDB
 * memory stays near {@link #TOTAL_BYTES} whatever the partition count.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {

  /** Block cache, memtables included, shared by every store in this JVM. */
  public static final long TOTAL_BYTES = 64L * 1024 * 1024;

  /** Part of {@link #TOTAL_BYTES} memtables may use before they are flushed. */
  static final long MEMTABLE_BYTES = 32L * 1024 * 1024;

  /** One memtable; stores are small and flush often, so smaller than the 16 MiB default. */
  static final long MEMTABLE_SIZE = 8L * 1024 * 1024;

  private static final double INDEX_FILTER_BLOCK_RATIO = 0.1;

  // Shared by every store instance on purpose: never closed by a store.
  private static final Cache CACHE = new LRUCache(TOTAL_BYTES, -1, false, INDEX_FILTER_BLOCK_RATIO);
  private static final WriteBufferManager WRITE_BUFFERS =
      new WriteBufferManager(MEMTABLE_BYTES, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(WRITE_BUFFERS);
    options.setWriteBufferSize(MEMTABLE_SIZE);
    options.setMaxWriteBufferNumber(2);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared by every store: they stay open.
  }
}
