package io.gpuward.contract.registry;

import java.util.List;

/**
 * Durable log of a schema registry's state changes. {@link RegistryCore} replays it on start and
 * appends to it before changing its in-memory state, so a registry on a durable store survives a
 * restart with the same ids and versions. One registry writes to a store at a time.
 */
public interface SchemaStore extends AutoCloseable {

  /** One change to the registry's state. */
  sealed interface Entry permits SchemaEntry, ConfigEntry {}

  /** {@code schema} (canonical JSON) registered as {@code version} of {@code subject}. */
  record SchemaEntry(String subject, int version, int id, String schema) implements Entry {}

  /** Compatibility level set for {@code subject}, or globally when {@code subject} is null. */
  record ConfigEntry(String subject, CompatibilityLevel level) implements Entry {}

  /** Every entry stored so far, oldest first. */
  List<Entry> load();

  /** Stores {@code entry} durably; returns once it is stored. Throws when it cannot be. */
  void append(Entry entry);

  @Override
  void close();
}
