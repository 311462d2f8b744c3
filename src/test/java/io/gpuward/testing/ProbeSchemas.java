package io.gpuward.testing;

import io.gpuward.contract.registry.SchemaStore;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** A small record schema in three versions, and a store that fails: for registry tests. */
public final class ProbeSchemas {

  /** {@code Probe {node}}. */
  public static final Schema V1 =
      SchemaBuilder.record("Probe")
          .namespace("io.gpuward.test")
          .fields()
          .requiredString("node")
          .endRecord();

  /** {@code Probe {node, zone?}}: BACKWARD and FORWARD compatible with {@link #V1}. */
  public static final Schema V2_OPTIONAL =
      SchemaBuilder.record("Probe")
          .namespace("io.gpuward.test")
          .fields()
          .requiredString("node")
          .optionalString("zone")
          .endRecord();

  /** {@code Probe {node, gpus}}: a required field without default, not BACKWARD compatible. */
  public static final Schema V2_REQUIRED =
      SchemaBuilder.record("Probe")
          .namespace("io.gpuward.test")
          .fields()
          .requiredString("node")
          .requiredInt("gpus")
          .endRecord();

  private ProbeSchemas() {}

  /** A schema store that loads nothing and fails every write with "disk full". */
  public static SchemaStore failingStore() {
    return new SchemaStore() {
      @Override
      public List<Entry> load() {
        return List.of();
      }

      @Override
      public void append(Entry entry) {
        throw new IllegalStateException("disk full");
      }

      @Override
      public void close() {}
    };
  }
}
