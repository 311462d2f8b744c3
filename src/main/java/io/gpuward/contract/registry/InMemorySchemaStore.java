package io.gpuward.contract.registry;

import java.util.ArrayList;
import java.util.List;

/** A {@link SchemaStore} that forgets everything when the JVM ends: unit tests and throwaways. */
public final class InMemorySchemaStore implements SchemaStore {
  private final List<Entry> entries = new ArrayList<>();

  @Override
  public synchronized List<Entry> load() {
    return List.copyOf(entries);
  }

  @Override
  public synchronized void append(Entry entry) {
    entries.add(entry);
  }

  @Override
  public void close() {}
}
