package io.gpuward.contract;

import io.gpuward.contract.registry.InMemorySchemaStore;
import io.gpuward.contract.registry.RegistryCore;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A schema registry inside the JVM with no HTTP and no storage, with the same semantics as
 * gpuward's embedded registry (ids, versions, compatibility, error codes): for unit tests with
 * {@code TopologyTestDriver}. Thread-safe.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {
  private final RegistryCore core = new RegistryCore(new InMemorySchemaStore());

  @Override
  public int register(String subject, Schema schema) {
    return core.register(subject, schema.toString()).id();
  }

  @Override
  public Schema schemaById(int id) {
    return core.schemaById(id);
  }

  @Override
  public Optional<Registered> lookup(String subject, Schema schema) {
    try {
      return Optional.of(core.lookup(subject, schema.toString()));
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    return core.isCompatible(subject, "latest", schema.toString());
  }

  @Override
  public List<String> subjects() {
    return core.subjects();
  }

  @Override
  public void setCompatibility(String subject, String level) {
    core.setCompatibility(subject, level);
  }

  @Override
  public String compatibility(String subject) {
    return core.compatibility(subject).name();
  }
}
