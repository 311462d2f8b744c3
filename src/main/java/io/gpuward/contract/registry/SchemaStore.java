package io.gpuward.contract.registry;

import java.util.List;

/**
 * Durable log of a schema registry's state changes. {@link RegistryCore} replays it on start and
 * appends to it before changing its in-memory state, so a registry on a durable store survives a
 * restart with the same ids and versions. One registry writes to a store at a time.
 *
 * <p>Every entry is keyed (see {@link #keyOf}) so that a compacted store keeps the latest entry of
 * each key: a later entry with the same key replaces the earlier one, and a removal ({@link
 * SchemaRemoved}, a {@link ConfigEntry} or {@link ModeEntry} with no value) may be stored as a
 * tombstone of that key.
 */
public interface SchemaStore extends AutoCloseable {

  /** One change to the registry's state. */
  sealed interface Entry permits SchemaEntry, SchemaRemoved, ConfigEntry, ModeEntry, IdWatermark {}

  /**
   * {@code schema} (canonical JSON) registered as {@code version} of {@code subject}; {@code
   * deleted} when that version is soft-deleted (still readable with {@code ?deleted=true}).
   */
  record SchemaEntry(String subject, int version, int id, String schema, boolean deleted)
      implements Entry {

    /** A live (not soft-deleted) registration. */
    public SchemaEntry(String subject, int version, int id, String schema) {
      this(subject, version, id, schema, false);
    }
  }

  /** Version {@code version} of {@code subject} permanently deleted. */
  record SchemaRemoved(String subject, int version) implements Entry {}

  /**
   * Compatibility level set for {@code subject}, or globally when {@code subject} is null; a null
   * {@code level} removes that setting (the subject falls back to the global level, the global
   * level to BACKWARD).
   */
  record ConfigEntry(String subject, CompatibilityLevel level) implements Entry {}

  /**
   * Mode set for {@code subject}, or globally when {@code subject} is null; a null {@code mode}
   * removes that setting (the subject falls back to the global mode, the global mode to READWRITE).
   */
  record ModeEntry(String subject, RegistryMode mode) implements Entry {}

  /**
   * The highest schema id ever given out. Written when a permanent delete may remove the entry that
   * held it, so that a compacted store never hands the same id to a different schema.
   */
  record IdWatermark(int maxId) implements Entry {}

  /** Every entry stored so far, oldest first. */
  List<Entry> load();

  /** Stores {@code entry} durably; returns once it is stored. Throws when it cannot be. */
  void append(Entry entry);

  @Override
  void close();

  /**
   * The compaction key of {@code entry}: entries with the same key replace one another. {@code
   * schema:<version>:<subject>}, {@code config[:<subject>]}, {@code mode[:<subject>]}, {@code ids}.
   */
  static String keyOf(Entry entry) {
    if (entry instanceof SchemaEntry s) {
      return "schema:" + s.version() + ":" + s.subject();
    }
    if (entry instanceof SchemaRemoved s) {
      return "schema:" + s.version() + ":" + s.subject();
    }
    if (entry instanceof ConfigEntry c) {
      return c.subject() == null ? "config" : "config:" + c.subject();
    }
    if (entry instanceof ModeEntry m) {
      return m.subject() == null ? "mode" : "mode:" + m.subject();
    }
    return "ids";
  }
}
