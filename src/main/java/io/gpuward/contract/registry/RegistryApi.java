package io.gpuward.contract.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.contract.SchemaRegistry.Registered;
import io.gpuward.contract.SchemaRegistryException;
import java.io.IOException;
import java.util.List;

/**
 * The Confluent schema registry REST API over a {@link RegistryCore}, without a transport: one
 * request (method, decoded path segments, query parameters, JSON body) in, the JSON answer out, or
 * a {@link SchemaRegistryException} carrying the status and error code to answer with.
 *
 * <p>Paths, parameters and bodies follow Confluent's resources ({@code
 * io.confluent.kafka.schemaregistry.rest.resources.SubjectsResource}, {@code
 * SubjectVersionsResource}, {@code SchemasResource}, {@code ConfigResource}, {@code ModeResource},
 * {@code ContextsResource}); only the default context exists, and only AVRO schemas without
 * references are accepted.
 */
public final class RegistryApi {

  /** One HTTP request as the API needs it. */
  public interface Request {
    /** The HTTP method, upper case. */
    String method();

    /** The decoded path segments, e.g. {@code [subjects, p-value, versions]}. */
    List<String> path();

    /** The query parameter {@code name}, or null when absent. */
    String query(String name);

    /** The request body as a JSON object; throws the registry's 4xx when it is not one. */
    JsonNode body() throws IOException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryCore core;

  public RegistryApi(RegistryCore core) {
    this.core = core;
  }

  /** Answers {@code request}; a {@link SchemaRegistryException} is the error to answer with. */
  public JsonNode handle(Request request) throws IOException {
    List<String> p = request.path();
    if (p.isEmpty()) {
      allow(request, "GET");
      return JSON.createObjectNode();
    }
    return switch (p.get(0)) {
      case "subjects" -> subjects(request, p);
      case "schemas" -> schemas(request, p);
      case "compatibility" -> compatibility(request, p);
      case "config" -> config(request, p);
      case "mode" -> mode(request, p);
      case "contexts" -> contexts(request, p);
      default -> throw notFound(request);
    };
  }

  private JsonNode subjects(Request r, List<String> p) throws IOException {
    int n = p.size();
    if (n == 1) {
      allow(r, "GET");
      return strings(core.subjects(flag(r, "deleted"), flag(r, "deletedOnly"), prefix(r)));
    }
    String subject = p.get(1);
    if (n == 2 && r.method().equals("DELETE")) {
      ArrayNode a = JSON.createArrayNode();
      core.deleteSubject(subject, flag(r, "permanent")).forEach(a::add);
      return a;
    }
    if (n == 2) {
      allow(r, "POST");
      return registered(core.lookup(subject, schemaOf(r), flag(r, "deleted")));
    }
    if (!p.get(2).equals("versions")) {
      throw notFound(r);
    }
    return versions(r, p, subject);
  }

  private JsonNode versions(Request r, List<String> p, String subject) throws IOException {
    int n = p.size();
    boolean deleted = flag(r, "deleted");
    if (n == 3 && r.method().equals("POST")) {
      return JSON.createObjectNode().put("id", core.register(subject, schemaOf(r)).id());
    }
    if (n == 3) {
      allow(r, "GET");
      ArrayNode a = JSON.createArrayNode();
      core.versions(subject, deleted).forEach(a::add);
      return a;
    }
    String version = p.get(3);
    if (n == 4 && r.method().equals("DELETE")) {
      return JSON.getNodeFactory()
          .numberNode(core.deleteVersion(subject, version, flag(r, "permanent")));
    }
    allow(r, "GET");
    Registered found = core.version(subject, version, deleted);
    if (n == 4) {
      return registered(found);
    }
    if (n == 5 && p.get(4).equals("schema")) {
      return JSON.readTree(found.schema().toString());
    }
    if (n == 5 && p.get(4).equals("referencedby")) {
      // Schema references are refused at registration, so nothing can refer to a version.
      return JSON.createArrayNode();
    }
    throw notFound(r);
  }

  private JsonNode schemas(Request r, List<String> p) throws IOException {
    int n = p.size();
    allow(r, "GET");
    if (n == 1) {
      ArrayNode a = JSON.createArrayNode();
      page(core.schemas(prefix(r), flag(r, "deleted"), flag(r, "latestOnly")), r)
          .forEach(s -> a.add(registered(s)));
      return a;
    }
    if (n == 2 && p.get(1).equals("types")) {
      return strings(List.of("AVRO"));
    }
    if (n < 3 || n > 4 || !p.get(1).equals("ids")) {
      throw notFound(r);
    }
    int id = schemaId(p.get(2));
    if (n == 3) {
      return JSON.createObjectNode().put("schema", core.schemaById(id).toString());
    }
    return switch (p.get(3)) {
      case "schema" -> JSON.readTree(core.schemaById(id).toString());
      case "subjects" ->
          strings(
              page(
                  core.registrationsOf(id, flag(r, "deleted")).stream()
                      .map(Registered::subject)
                      .distinct()
                      .toList(),
                  r));
      case "versions" -> subjectVersions(page(core.registrationsOf(id, flag(r, "deleted")), r));
      default -> throw notFound(r);
    };
  }

  private JsonNode compatibility(Request r, List<String> p) throws IOException {
    int n = p.size();
    if ((n == 4 || n == 5) && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
      allow(r, "POST");
      // Without a version Confluent checks as a registration would: same as "latest" here.
      String version = n == 5 ? p.get(4) : "latest";
      boolean ok = core.isCompatible(p.get(2), version, schemaOf(r));
      return JSON.createObjectNode().put("is_compatible", ok);
    }
    throw notFound(r);
  }

  private JsonNode config(Request r, List<String> p) throws IOException {
    if (p.size() > 2) {
      throw notFound(r);
    }
    String subject = p.size() == 2 ? p.get(1) : null;
    switch (r.method()) {
      case "PUT" -> {
        String level = r.body().path("compatibility").asText(null);
        return JSON.createObjectNode()
            .put("compatibility", core.setCompatibility(subject, level).name());
      }
      case "DELETE" -> {
        return levelBody(core.deleteCompatibility(subject));
      }
      default -> {
        allow(r, "GET");
        // Confluent's GET /config/{subject} answers 40408 for a subject without a level of its
        // own unless defaultToGlobal=true (ConfigResource.getSubjectLevelConfig); clients such
        // as @kafkajs/confluent-schema-registry rely on that to tell "unset" from "set".
        boolean inScope = flag(r, "defaultToGlobal");
        return levelBody(inScope ? core.compatibility(subject) : core.ownCompatibility(subject));
      }
    }
  }

  private JsonNode mode(Request r, List<String> p) throws IOException {
    if (p.size() > 2) {
      throw notFound(r);
    }
    String subject = p.size() == 2 ? p.get(1) : null;
    switch (r.method()) {
      case "PUT" -> {
        String mode = r.body().path("mode").asText(null);
        return JSON.createObjectNode().put("mode", core.setMode(subject, mode).name());
      }
      case "DELETE" -> {
        return JSON.createObjectNode().put("mode", core.deleteMode(subject).name());
      }
      default -> {
        allow(r, "GET");
        boolean inScope = flag(r, "defaultToGlobal");
        RegistryMode mode = inScope ? core.mode(subject) : core.ownMode(subject);
        return JSON.createObjectNode().put("mode", mode.name());
      }
    }
  }

  private JsonNode contexts(Request r, List<String> p) {
    if (p.size() != 1) {
      throw notFound(r);
    }
    allow(r, "GET");
    // Only Confluent's default context exists here.
    return strings(List.of("."));
  }

  /** The Avro schema text of a register, lookup or compatibility request. */
  private static String schemaOf(Request r) throws IOException {
    JsonNode body = r.body();
    String type = body.path("schemaType").asText("AVRO");
    if (!type.equalsIgnoreCase("AVRO")) {
      throw invalidSchema("schemaType " + type + " is not supported, only AVRO");
    }
    JsonNode refs = body.get("references");
    if (refs != null && refs.isArray() && !refs.isEmpty()) {
      throw invalidSchema("schema references are not supported");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw invalidSchema("the request needs a \"schema\" string");
    }
    return schema.asText();
  }

  private static SchemaRegistryException invalidSchema(String why) {
    return new SchemaRegistryException(
        422, RegistryErrors.INVALID_SCHEMA, "Invalid schema: " + why);
  }

  /** Confluent's {@code offset} and {@code limit} (-1: no limit) on a listing. */
  private static <T> List<T> page(List<T> all, Request r) {
    int offset = Math.max(0, intParam(r, "offset", 0));
    int limit = intParam(r, "limit", -1);
    if (offset >= all.size()) {
      return List.of();
    }
    int end = limit < 0 ? all.size() : (int) Math.min(all.size(), (long) offset + limit);
    return all.subList(offset, end);
  }

  private static int intParam(Request r, String name, int absent) {
    String v = r.query(name);
    if (v == null || v.isBlank()) {
      return absent;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(
          400, 400, "HTTP 400 Bad Request: query parameter " + name + "=" + v + " is not a number");
    }
  }

  /** A boolean query parameter as JAX-RS reads one: true only for "true", any case. */
  private static boolean flag(Request r, String name) {
    return "true".equalsIgnoreCase(r.query(name));
  }

  private static String prefix(Request r) {
    String p = r.query("subjectPrefix");
    return p == null ? "" : p;
  }

  private static void allow(Request r, String allowed) {
    if (!r.method().equals(allowed)) {
      throw new SchemaRegistryException(405, 405, "HTTP 405 Method Not Allowed: " + r.method());
    }
  }

  private static SchemaRegistryException notFound(Request r) {
    return new SchemaRegistryException(
        404, 404, "HTTP 404 Not Found: " + r.method() + " /" + String.join("/", r.path()));
  }

  private static int schemaId(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(
          404, RegistryErrors.SCHEMA_NOT_FOUND, "Schema " + s + " not found");
    }
  }

  private static JsonNode levelBody(CompatibilityLevel level) {
    // Confluent's Config entity names the field compatibilityLevel; "compatibility" is kept
    // beside it for clients written against the update request's field name.
    return JSON.createObjectNode()
        .put("compatibilityLevel", level.name())
        .put("compatibility", level.name());
  }

  private static JsonNode registered(Registered r) {
    return JSON.createObjectNode()
        .put("subject", r.subject())
        .put("version", r.version())
        .put("id", r.id())
        .put("schema", r.schema().toString());
  }

  private static JsonNode subjectVersions(List<Registered> registrations) {
    ArrayNode a = JSON.createArrayNode();
    for (Registered r : registrations) {
      ObjectNode o = a.addObject();
      o.put("subject", r.subject()).put("version", r.version());
    }
    return a;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = JSON.createArrayNode();
    values.forEach(a::add);
    return a;
  }
}
