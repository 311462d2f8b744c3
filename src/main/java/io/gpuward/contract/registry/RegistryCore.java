package io.gpuward.contract.registry;

import io.gpuward.contract.SchemaRegistry.Registered;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.contract.registry.SchemaStore.ConfigEntry;
import io.gpuward.contract.registry.SchemaStore.Entry;
import io.gpuward.contract.registry.SchemaStore.SchemaEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The semantics of a Confluent-compatible schema registry, without HTTP: global ids shared by
 * identical schemas across subjects, versions per subject, compatibility levels (default BACKWARD)
 * checked with Avro's reader/writer rules. Errors are {@link SchemaRegistryException}s carrying the
 * HTTP status and Confluent error code the REST API answers with.
 *
 * <p>Schemas are compared by their canonical JSON (the parsed schema printed back, so whitespace
 * and attribute order do not matter, while docs, defaults and logical types do). Thread-safe; every
 * change is written to the {@link SchemaStore} before it becomes visible.
 */
public final class RegistryCore {

  private final SchemaStore store;
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, Integer> idsByCanonical = new HashMap<>();
  private final Map<String, List<Registered>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private int maxId;

  /** Rebuilds the registry's state from {@code store}. */
  public RegistryCore(SchemaStore store) {
    this.store = store;
    for (Entry e : store.load()) {
      apply(e);
    }
  }

  /**
   * Registers {@code schemaJson} under {@code subject}: the existing registration when the subject
   * already has this schema, else a new version (with the schema's global id if it exists
   * elsewhere). Refused with 409/40901 when incompatible, 422/42201 when not valid Avro.
   */
  public synchronized Registered register(String subject, String schemaJson) {
    Schema schema = parse(schemaJson);
    String canonical = schema.toString();
    List<Registered> versions = subjects.getOrDefault(subject, List.of());
    for (Registered r : versions) {
      if (r.schema().toString().equals(canonical)) {
        return r;
      }
    }
    List<String> problems = incompatibilities(schema, checkedVersions(subject, versions));
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
    int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    SchemaEntry entry = new SchemaEntry(subject, version, id, canonical);
    persist(entry);
    apply(entry);
    return latest(subject);
  }

  /** The schema with global id {@code id}; 404/40403 when unknown. */
  public synchronized Schema schemaById(int id) {
    Schema s = schemasById.get(id);
    if (s == null) {
      throw new SchemaRegistryException(
          404, RegistryErrors.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
    return s;
  }

  /** The registration of {@code schemaJson} under {@code subject}; 404/40401 or 404/40403. */
  public synchronized Registered lookup(String subject, String schemaJson) {
    String canonical = parse(schemaJson).toString();
    for (Registered r : versionsOf(subject)) {
      if (r.schema().toString().equals(canonical)) {
        return r;
      }
    }
    throw new SchemaRegistryException(
        404, RegistryErrors.SCHEMA_NOT_FOUND, "Schema not found under subject '" + subject + "'");
  }

  /** Subjects with at least one version, sorted. */
  public synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  /** Version numbers of {@code subject}, ascending; 404/40401 when the subject is unknown. */
  public synchronized List<Integer> versions(String subject) {
    return versionsOf(subject).stream().map(Registered::version).toList();
  }

  /**
   * Version {@code versionSpec} ("latest", "-1" or a number) of {@code subject}; 404/40401 or
   * 404/40402 when missing, 422/42202 when {@code versionSpec} is not a version.
   */
  public synchronized Registered version(String subject, String versionSpec) {
    List<Registered> versions = versionsOf(subject);
    int wanted = parseVersion(versionSpec);
    if (wanted == -1) {
      return versions.get(versions.size() - 1);
    }
    return versions.stream()
        .filter(r -> r.version() == wanted)
        .findFirst()
        .orElseThrow(
            () ->
                new SchemaRegistryException(
                    404, RegistryErrors.VERSION_NOT_FOUND, "Version " + wanted + " not found."));
  }

  /**
   * Whether {@code schemaJson} could be registered under {@code subject} given its compatibility
   * level: against {@code versionSpec} only, or for "latest" as registration checks (all versions
   * for TRANSITIVE levels). True when the subject has no versions yet and "latest" is asked.
   */
  public synchronized boolean isCompatible(String subject, String versionSpec, String schemaJson) {
    Schema schema = parse(schemaJson);
    List<Registered> existing;
    if (parseVersion(versionSpec) == -1) {
      existing = checkedVersions(subject, subjects.getOrDefault(subject, List.of()));
    } else {
      existing = List.of(version(subject, versionSpec));
    }
    return incompatibilities(schema, existing).isEmpty();
  }

  /** The compatibility level of {@code subject} (its own, else the global one), or the global. */
  public synchronized CompatibilityLevel compatibility(String subject) {
    return levelOf(subject);
  }

  /** Sets the level of {@code subject}, or the global level when null; 422/42203 when unknown. */
  public synchronized CompatibilityLevel setCompatibility(String subject, String level) {
    CompatibilityLevel parsed = CompatibilityLevel.parse(level);
    ConfigEntry entry = new ConfigEntry(subject, parsed);
    persist(entry);
    apply(entry);
    return parsed;
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

  private void persist(Entry entry) {
    try {
      store.append(entry);
    } catch (RuntimeException e) {
      throw new SchemaRegistryException(
          500, RegistryErrors.STORE_ERROR, "Error while storing to the registry: " + e, e);
    }
  }

  private void apply(Entry entry) {
    if (entry instanceof SchemaEntry s) {
      Schema schema = schemasById.computeIfAbsent(s.id(), id -> parse(s.schema()));
      idsByCanonical.putIfAbsent(schema.toString(), s.id());
      subjects
          .computeIfAbsent(s.subject(), k -> new ArrayList<>())
          .add(new Registered(s.subject(), s.id(), s.version(), schema));
      maxId = Math.max(maxId, s.id());
    } else if (entry instanceof ConfigEntry c) {
      if (c.subject() == null) {
        globalLevel = c.level();
      } else {
        subjectLevels.put(c.subject(), c.level());
      }
    }
  }

  private Registered latest(String subject) {
    List<Registered> versions = subjects.get(subject);
    return versions.get(versions.size() - 1);
  }

  private List<Registered> versionsOf(String subject) {
    List<Registered> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw new SchemaRegistryException(
          404, RegistryErrors.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
    return versions;
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
