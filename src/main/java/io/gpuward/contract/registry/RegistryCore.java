package io.gpuward.contract.registry;

import io.gpuward.contract.SchemaRegistry.Registered;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.contract.registry.SchemaStore.ConfigEntry;
import io.gpuward.contract.registry.SchemaStore.Entry;
import io.gpuward.contract.registry.SchemaStore.IdWatermark;
import io.gpuward.contract.registry.SchemaStore.ModeEntry;
import io.gpuward.contract.registry.SchemaStore.SchemaEntry;
import io.gpuward.contract.registry.SchemaStore.SchemaRemoved;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The semantics of a Confluent-compatible schema registry, without HTTP: global ids shared by
 * identical schemas across subjects, versions per subject, soft and permanent deletes,
 * compatibility levels (default BACKWARD) checked with Avro's reader/writer rules, and modes
 * (default READWRITE). Errors are {@link SchemaRegistryException}s carrying the HTTP status and
 * Confluent error code the REST API answers with.
 *
 * <p>Schemas are compared by their canonical JSON (the parsed schema printed back, so whitespace
 * and attribute order do not matter, while docs, defaults and logical types do). Thread-safe; every
 * change is written to the {@link SchemaStore} before it becomes visible.
 *
 * <p>Deletes follow Confluent's {@code KafkaSchemaRegistry.deleteSubject} and {@code
 * validateDeleteSchemaVersion}: a soft delete hides a version from reads and compatibility checks
 * but keeps it (and its id) readable with {@code deleted=true}; only a soft-deleted version may be
 * deleted permanently; a permanent delete of a subject also drops its compatibility and mode.
 */
public final class RegistryCore {

  /** One version of a subject and whether it is soft-deleted. */
  private record Stored(Registered registered, boolean deleted) {}

  private final SchemaStore store;
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final Map<String, NavigableMap<Integer, Stored>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private final Map<String, RegistryMode> subjectModes = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private RegistryMode globalMode = RegistryMode.READWRITE;
  private int maxId;

  /** Rebuilds the registry's state from {@code store}. */
  public RegistryCore(SchemaStore store) {
    this.store = store;
    for (Entry e : store.load()) {
      apply(e);
    }
  }

  /**
   * Registers {@code schemaJson} under {@code subject}: the existing registration when a live
   * version of the subject has this schema, else a new version (with the schema's global id if it
   * exists elsewhere), numbered after every version the subject ever had that is not permanently
   * deleted. Refused with 409/40901 when incompatible with the live versions, 422/42201 when not
   * valid Avro, 422/42205 when the subject is read-only.
   */
  public synchronized Registered register(String subject, String schemaJson) {
    // Before anything else, as Confluent's checkRegisterMode: a read-only subject refuses even a
    // schema it already has.
    requireWritable(subject);
    Schema schema = parse(schemaJson);
    String canonical = schema.toString();
    List<Registered> live = visible(subject, false);
    for (Registered r : live) {
      if (r.schema().toString().equals(canonical)) {
        return r;
      }
    }
    List<String> problems = incompatibilities(schema, checkedVersions(subject, live));
    if (!problems.isEmpty()) {
      throw new SchemaRegistryException(
          409,
          RegistryErrors.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject \""
              + subject
              + "\" (compatibility "
              + levelOf(subject)
              + "): "
              + String.join("; ", problems));
    }
    Integer known = idsByCanonical.get(canonical);
    int id = known != null ? known : maxId + 1;
    NavigableMap<Integer, Stored> all = subjects.get(subject);
    int version = all == null || all.isEmpty() ? 1 : all.lastKey() + 1;
    write(new SchemaEntry(subject, version, id, canonical));
    return subjects.get(subject).get(version).registered();
  }

  /** The schema with global id {@code id}, soft-deleted or not; 404/40403 when unknown. */
  public synchronized Schema schemaById(int id) {
    Schema s = schemasById.get(id);
    if (s == null) {
      throw new SchemaRegistryException(
          404, RegistryErrors.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return s;
  }

  /** The live registration of {@code schemaJson} under {@code subject}; 404/40401 or 404/40403. */
  public synchronized Registered lookup(String subject, String schemaJson) {
    return lookup(subject, schemaJson, false);
  }

  /**
   * The registration of {@code schemaJson} under {@code subject}, a live one first, a soft-deleted
   * one too when {@code includeDeleted}; 404/40401 when the subject has no such versions, 404/40403
   * when none has this schema.
   */
  public synchronized Registered lookup(String subject, String schemaJson, boolean includeDeleted) {
    String canonical = parse(schemaJson).toString();
    List<Registered> candidates = new ArrayList<>(versionsOf(subject, includeDeleted));
    candidates.sort((a, b) -> Boolean.compare(isDeleted(a), isDeleted(b)));
    for (Registered r : candidates) {
      if (r.schema().toString().equals(canonical)) {
        return r;
      }
    }
    throw new SchemaRegistryException(404, RegistryErrors.SCHEMA_NOT_FOUND, "Schema not found");
  }

  /** Subjects with at least one live version, sorted. */
  public synchronized List<String> subjects() {
    return subjects(false, false, "");
  }

  /**
   * Subjects starting with {@code prefix}, sorted: those with a live version; with {@code
   * includeDeleted} also those whose versions are all soft-deleted; with {@code deletedOnly} only
   * those with a soft-deleted version (Confluent's {@code deletedOnly} wins over {@code deleted}).
   */
  public synchronized List<String> subjects(
      boolean includeDeleted, boolean deletedOnly, String prefix) {
    Predicate<Stored> wanted =
        deletedOnly ? Stored::deleted : includeDeleted ? s -> true : s -> !s.deleted();
    return subjects.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix == null ? "" : prefix))
        .filter(e -> e.getValue().values().stream().anyMatch(wanted))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Live version numbers of {@code subject}, ascending; 404/40401 when it has none. */
  public synchronized List<Integer> versions(String subject) {
    return versions(subject, false);
  }

  /** Version numbers, soft-deleted ones too when {@code includeDeleted}; 404/40401 when none. */
  public synchronized List<Integer> versions(String subject, boolean includeDeleted) {
    return versionsOf(subject, includeDeleted).stream().map(Registered::version).toList();
  }

  /**
   * Live version {@code versionSpec} ("latest", "-1" or a number) of {@code subject}; 404/40401 or
   * 404/40402 when missing, 422/42202 when {@code versionSpec} is not a version.
   */
  public synchronized Registered version(String subject, String versionSpec) {
    return version(subject, versionSpec, false);
  }

  /** As {@link #version(String, String)}, finding soft-deleted versions too when asked. */
  public synchronized Registered version(
      String subject, String versionSpec, boolean includeDeleted) {
    int wanted = parseVersion(versionSpec);
    List<Registered> versions = versionsOf(subject, includeDeleted);
    if (wanted == -1) {
      return versions.get(versions.size() - 1);
    }
    return versions.stream()
        .filter(r -> r.version() == wanted)
        .findFirst()
        .orElseThrow(() -> versionNotFound(wanted));
  }

  /**
   * Registrations of every subject starting with {@code prefix}, by subject then version: live
   * ones, soft-deleted ones too when {@code includeDeleted}, only each subject's latest when {@code
   * latestOnly}.
   */
  public synchronized List<Registered> schemas(
      String prefix, boolean includeDeleted, boolean latestOnly) {
    List<Registered> out = new ArrayList<>();
    for (String subject : subjects(includeDeleted, false, prefix)) {
      List<Registered> versions = visible(subject, includeDeleted);
      out.addAll(latestOnly ? versions.subList(versions.size() - 1, versions.size()) : versions);
    }
    return out;
  }

  /**
   * Every registration of global id {@code id} (subject and version), soft-deleted ones too when
   * {@code includeDeleted}; 404/40403 when no subject holds the id at all.
   */
  public synchronized List<Registered> registrationsOf(int id, boolean includeDeleted) {
    schemaById(id);
    List<Registered> out = new ArrayList<>();
    for (NavigableMap<Integer, Stored> versions : subjects.values()) {
      versions.values().stream()
          .filter(s -> s.registered().id() == id && (includeDeleted || !s.deleted()))
          .map(Stored::registered)
          .forEach(out::add);
    }
    return out;
  }

  /**
   * Whether {@code schemaJson} could be registered under {@code subject} given its compatibility
   * level: against {@code versionSpec} only, or for "latest" as registration checks (all live
   * versions for TRANSITIVE levels). True when the subject has no live version and "latest" is
   * asked.
   */
  public synchronized boolean isCompatible(String subject, String versionSpec, String schemaJson) {
    Schema schema = parse(schemaJson);
    List<Registered> existing;
    if (parseVersion(versionSpec) == -1) {
      existing = checkedVersions(subject, visible(subject, false));
    } else {
      existing = List.of(version(subject, versionSpec));
    }
    return incompatibilities(schema, existing).isEmpty();
  }

  /**
   * Deletes {@code subject}: soft-deletes its live versions, or with {@code permanent} removes
   * every version (all must be soft-deleted first) with its compatibility and mode. Answers the
   * versions deleted. 404/40401 when the subject has no version, 404/40404 when a soft delete finds
   * it soft-deleted already, 404/40405 when a permanent delete finds a live version, 422/42205 when
   * read-only.
   */
  public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
    List<Registered> all = versionsOf(subject, true);
    requireWritable(subject);
    List<Registered> live = visible(subject, false);
    if (!permanent) {
      if (live.isEmpty()) {
        throw new SchemaRegistryException(
            404,
            RegistryErrors.SUBJECT_SOFT_DELETED,
            "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
      }
      live.forEach(r -> write(softDeleted(r)));
      return live.stream().map(Registered::version).toList();
    }
    if (!live.isEmpty()) {
      throw new SchemaRegistryException(
          404,
          RegistryErrors.SUBJECT_NOT_SOFT_DELETED,
          "Subject '" + subject + "' was not deleted first before being permanently deleted");
    }
    write(new IdWatermark(maxId));
    for (int i = all.size() - 1; i >= 0; i--) {
      write(new SchemaRemoved(subject, all.get(i).version()));
    }
    if (subjectLevels.containsKey(subject)) {
      write(new ConfigEntry(subject, null));
    }
    if (subjectModes.containsKey(subject)) {
      write(new ModeEntry(subject, null));
    }
    return all.stream().map(Registered::version).toList();
  }

  /**
   * Deletes version {@code versionSpec} of {@code subject}: soft, or with {@code permanent} for
   * good (it must be soft-deleted first). "latest" is the latest live version (the latest of all
   * when none is live). Answers the version deleted. 404/40401, 404/40402, 404/40406 when a soft
   * delete finds it soft-deleted already, 404/40407 when a permanent delete finds it live,
   * 422/42202, 422/42205 when read-only.
   */
  public synchronized int deleteVersion(String subject, String versionSpec, boolean permanent) {
    int wanted = deletedVersion(subject, parseVersion(versionSpec));
    requireWritable(subject);
    Stored stored = subjects.get(subject).get(wanted);
    if (stored == null) {
      throw versionNotFound(wanted);
    }
    if (!permanent && stored.deleted()) {
      throw new SchemaRegistryException(
          404,
          RegistryErrors.VERSION_SOFT_DELETED,
          "Subject '"
              + subject
              + "' Version "
              + wanted
              + " was soft deleted.Set permanent=true to delete permanently");
    }
    if (permanent && !stored.deleted()) {
      throw new SchemaRegistryException(
          404,
          RegistryErrors.VERSION_NOT_SOFT_DELETED,
          "Subject '"
              + subject
              + "' Version "
              + wanted
              + " was not deleted first before being permanently deleted");
    }
    if (permanent) {
      write(new IdWatermark(maxId));
      write(new SchemaRemoved(subject, wanted));
    } else {
      write(softDeleted(stored.registered()));
    }
    return wanted;
  }

  /** The version a delete of {@code wanted} (-1: latest) names; 404/40401 without versions. */
  private int deletedVersion(String subject, int wanted) {
    List<Registered> all = versionsOf(subject, true);
    if (wanted != -1) {
      return wanted;
    }
    List<Registered> live = visible(subject, false);
    List<Registered> from = live.isEmpty() ? all : live;
    return from.get(from.size() - 1).version();
  }

  /** The compatibility level of {@code subject} (its own, else the global one), or the global. */
  public synchronized CompatibilityLevel compatibility(String subject) {
    return levelOf(subject);
  }

  /**
   * The level set on {@code subject} itself; 404/40408 when it has none (Confluent's {@code GET
   * /config/{subject}} without {@code defaultToGlobal}). The global level when {@code subject} is
   * null.
   */
  public synchronized CompatibilityLevel ownCompatibility(String subject) {
    if (subject == null) {
      return globalLevel;
    }
    CompatibilityLevel level = subjectLevels.get(subject);
    if (level == null) {
      throw new SchemaRegistryException(
          404,
          RegistryErrors.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
          "Subject '" + subject + "' does not have subject-level compatibility configured");
    }
    return level;
  }

  /** Sets the level of {@code subject}, or the global level when null; 422/42203 when unknown. */
  public synchronized CompatibilityLevel setCompatibility(String subject, String level) {
    CompatibilityLevel parsed = CompatibilityLevel.parse(level);
    write(new ConfigEntry(subject, parsed));
    return parsed;
  }

  /**
   * Removes the level of {@code subject}, which falls back to the global level, or resets the
   * global level to BACKWARD when null; answers the level removed. 404/40401 when the subject has
   * no level of its own (as Confluent's {@code DELETE /config/{subject}}).
   */
  public synchronized CompatibilityLevel deleteCompatibility(String subject) {
    CompatibilityLevel old = subject == null ? globalLevel : subjectLevels.get(subject);
    if (old == null) {
      throw subjectNotFound(subject);
    }
    write(new ConfigEntry(subject, null));
    return old;
  }

  /** The mode of {@code subject} in force (its own, else the global), or the global mode. */
  public synchronized RegistryMode mode(String subject) {
    if (subject == null || globalMode == RegistryMode.READONLY_OVERRIDE) {
      return globalMode;
    }
    return subjectModes.getOrDefault(subject, globalMode);
  }

  /** The mode set on {@code subject} itself; 404/40409 when none. The global mode when null. */
  public synchronized RegistryMode ownMode(String subject) {
    if (subject == null) {
      return globalMode;
    }
    RegistryMode mode = subjectModes.get(subject);
    if (mode == null) {
      throw new SchemaRegistryException(
          404,
          RegistryErrors.SUBJECT_MODE_NOT_CONFIGURED,
          "Subject '" + subject + "' does not have subject-level mode configured");
    }
    return mode;
  }

  /**
   * Sets the mode of {@code subject}, or the global mode when null. 422/42204 for an unknown mode;
   * 422/42205 for IMPORT and FORWARD, which this registry does not implement: accepting IMPORT
   * would let a migration tool believe it kept its ids when this registry assigns its own.
   */
  public synchronized RegistryMode setMode(String subject, String mode) {
    RegistryMode parsed = RegistryMode.parse(mode);
    if (parsed == RegistryMode.IMPORT || parsed == RegistryMode.FORWARD) {
      throw new SchemaRegistryException(
          422,
          RegistryErrors.OPERATION_NOT_PERMITTED,
          "Mode "
              + parsed
              + " is not supported by this registry; supported: READWRITE, READONLY,"
              + " READONLY_OVERRIDE");
    }
    write(new ModeEntry(subject, parsed));
    return parsed;
  }

  /**
   * Removes the mode of {@code subject}, or resets the global mode to READWRITE when null; answers
   * the mode removed. 404/40401 when the subject has no mode of its own.
   */
  public synchronized RegistryMode deleteMode(String subject) {
    RegistryMode old = subject == null ? globalMode : subjectModes.get(subject);
    if (old == null) {
      throw subjectNotFound(subject);
    }
    write(new ModeEntry(subject, null));
    return old;
  }

  /** Parses an Avro schema; 422/42201 with the parser's reason when it is not valid. */
  public static Schema parse(String schemaJson) {
    if (schemaJson == null || schemaJson.isBlank()) {
      throw new SchemaRegistryException(
          422, RegistryErrors.INVALID_SCHEMA, "Invalid schema: empty");
    }
    try {
      return new Schema.Parser().parse(schemaJson);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          422, RegistryErrors.INVALID_SCHEMA, "Invalid schema: " + e.getMessage(), e);
    }
  }

  private void write(Entry entry) {
    try {
      store.append(entry);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          500, RegistryErrors.STORE_ERROR, "Error while storing to the registry: " + e, e);
    }
    apply(entry);
  }

  private void apply(Entry entry) {
    if (entry instanceof SchemaEntry s) {
      Schema schema = schemasById.computeIfAbsent(s.id(), id -> parse(s.schema()));
      idsByCanonical.putIfAbsent(schema.toString(), s.id());
      subjects
          .computeIfAbsent(s.subject(), k -> new TreeMap<>())
          .put(
              s.version(),
              new Stored(new Registered(s.subject(), s.id(), s.version(), schema), s.deleted()));
      maxId = Math.max(maxId, s.id());
    } else if (entry instanceof SchemaRemoved r) {
      remove(r.subject(), r.version());
    } else if (entry instanceof ConfigEntry c) {
      applyConfig(c);
    } else if (entry instanceof ModeEntry m) {
      applyMode(m);
    } else if (entry instanceof IdWatermark w) {
      maxId = Math.max(maxId, w.maxId());
    }
  }

  private void remove(String subject, int version) {
    NavigableMap<Integer, Stored> versions = subjects.get(subject);
    Stored removed = versions == null ? null : versions.remove(version);
    if (removed == null) {
      return;
    }
    if (versions.isEmpty()) {
      subjects.remove(subject);
    }
    int id = removed.registered().id();
    boolean referenced =
        subjects.values().stream()
            .flatMap(v -> v.values().stream())
            .anyMatch(s -> s.registered().id() == id);
    if (!referenced) {
      // An id nothing refers to any more is gone, as in Confluent; the watermark keeps it
      // from being handed to another schema.
      idsByCanonical.remove(removed.registered().schema().toString(), id);
      schemasById.remove(id);
    }
  }

  private void applyConfig(ConfigEntry c) {
    if (c.subject() == null) {
      globalLevel = c.level() == null ? CompatibilityLevel.BACKWARD : c.level();
    } else if (c.level() == null) {
      subjectLevels.remove(c.subject());
    } else {
      subjectLevels.put(c.subject(), c.level());
    }
  }

  private void applyMode(ModeEntry m) {
    if (m.subject() == null) {
      globalMode = m.mode() == null ? RegistryMode.READWRITE : m.mode();
    } else if (m.mode() == null) {
      subjectModes.remove(m.subject());
    } else {
      subjectModes.put(m.subject(), m.mode());
    }
  }

  private void requireWritable(String subject) {
    if (mode(subject).readOnly()) {
      throw new SchemaRegistryException(
          422,
          RegistryErrors.OPERATION_NOT_PERMITTED,
          "Subject " + subject + " is in read-only mode");
    }
  }

  private static SchemaEntry softDeleted(Registered r) {
    return new SchemaEntry(r.subject(), r.version(), r.id(), r.schema().toString(), true);
  }

  private boolean isDeleted(Registered r) {
    return subjects.get(r.subject()).get(r.version()).deleted();
  }

  /** Versions of {@code subject}, ascending; empty when it has none. */
  private List<Registered> visible(String subject, boolean includeDeleted) {
    NavigableMap<Integer, Stored> versions = subjects.get(subject);
    if (versions == null) {
      return List.of();
    }
    return versions.values().stream()
        .filter(s -> includeDeleted || !s.deleted())
        .map(Stored::registered)
        .toList();
  }

  private List<Registered> versionsOf(String subject, boolean includeDeleted) {
    List<Registered> versions = visible(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw subjectNotFound(subject);
    }
    return versions;
  }

  private static SchemaRegistryException subjectNotFound(String subject) {
    return new SchemaRegistryException(
        404, RegistryErrors.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  private static SchemaRegistryException versionNotFound(int version) {
    return new SchemaRegistryException(
        404, RegistryErrors.VERSION_NOT_FOUND, "Version " + version + " not found.");
  }

  private CompatibilityLevel levelOf(String subject) {
    return subject == null ? globalLevel : subjectLevels.getOrDefault(subject, globalLevel);
  }

  private List<Registered> checkedVersions(String subject, List<Registered> versions) {
    CompatibilityLevel level = levelOf(subject);
    if (level == CompatibilityLevel.NONE || versions.isEmpty()) {
      return List.of();
    }
    return level.transitive() ? versions : List.of(versions.get(versions.size() - 1));
  }

  private List<String> incompatibilities(Schema candidate, List<Registered> existing) {
    if (existing.isEmpty()) {
      return List.of();
    }
    CompatibilityLevel level = levelOf(existing.get(0).subject());
    List<String> problems = new ArrayList<>();
    for (Registered old : existing) {
      if (level.backward()) {
        check(candidate, old.schema(), "new schema cannot read version " + old.version())
            .ifPresent(problems::add);
      }
      if (level.forward()) {
        check(old.schema(), candidate, "version " + old.version() + " cannot read the new schema")
            .ifPresent(problems::add);
      }
    }
    return problems;
  }

  private static Optional<String> check(Schema reader, Schema writer, String what) {
    SchemaPairCompatibility r = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (r.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return Optional.empty();
    }
    return Optional.of(
        what
            + " ("
            + r.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                .collect(Collectors.joining(", "))
            + ")");
  }

  private static int parseVersion(String spec) {
    if (spec == null || spec.equals("latest") || spec.equals("-1")) {
      return -1;
    }
    try {
      int v = Integer.parseInt(spec);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new SchemaRegistryException(
        422,
        RegistryErrors.INVALID_VERSION,
        "The specified version '"
            + spec
            + "' is not a valid version id. Allowed values are"
            + " between [1, 2^31-1] and the string \"latest\"");
  }
}
