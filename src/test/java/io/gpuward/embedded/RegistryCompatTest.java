package io.gpuward.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The calls registry UIs, ops tools and third-party clients make beyond registering and reading,
 * over real HTTP, with the status, {@code error_code} and body Confluent's registry answers
 * (Errors.java and the rest.resources classes of confluentinc/schema-registry). Each test names the
 * Confluent Java client method that makes the call.
 */
class RegistryCompatTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
  private static final String A =
      SchemaBuilder.record("Probe").fields().requiredString("node").endRecord().toString();
  private static final String B =
      SchemaBuilder.record("Probe")
          .fields()
          .requiredString("node")
          .optionalInt("gpus")
          .endRecord()
          .toString();

  private final HttpClient http = HttpClient.newHttpClient();
  private EmbeddedSchemaRegistry registry;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.startInMemory();
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void shouldListTheSubjectsAndVersionsOfASchemaId() throws Exception {
    int id = register("a-value", A);
    register("b-value", A);
    register("b-value", B);

    // getAllSubjectsById, getAllVersionsById, getSchemaById
    assertThat(get("/schemas/ids/" + id + "/subjects").json().toString())
        .isEqualTo("[\"a-value\",\"b-value\"]");
    assertThat(get("/schemas/ids/" + id + "/versions").json().toString())
        .isEqualTo(
            "[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]");
    assertThat(get("/schemas/ids/" + id + "/schema").json().get("name").asText())
        .isEqualTo("Probe");
    assertThat(get("/schemas/ids/" + id).json().get("schema").asText()).isEqualTo(A);
    assertError(get("/schemas/ids/99/subjects"), 404, 40403);
    assertError(get("/schemas/ids/99/versions"), 404, 40403);
    assertError(get("/schemas/ids/99/schema"), 404, 40403);
  }

  @Test
  void shouldListSchemasByPrefixLatestOnlyAndPage() throws Exception {
    register("a-value", A);
    register("b-value", A);
    register("b-value", B);

    JsonNode all = get("/schemas").json();
    JsonNode latestOfB = get("/schemas?subjectPrefix=b-&latestOnly=true").json();
    JsonNode secondPage = get("/schemas?offset=1&limit=1").json();

    assertThat(all).hasSize(3);
    assertThat(all.get(0).get("subject").asText()).isEqualTo("a-value");
    assertThat(all.get(0).has("schema")).isTrue();
    assertThat(latestOfB).hasSize(1);
    assertThat(latestOfB.get(0).get("version").asInt()).isEqualTo(2);
    assertThat(secondPage).hasSize(1);
    assertThat(secondPage.get(0).get("subject").asText()).isEqualTo("b-value");
    assertThat(get("/contexts").json().toString()).isEqualTo("[\".\"]");
  }

  @Test
  void shouldAnswer40408ForASubjectWithoutItsOwnCompatibility() throws Exception {
    register("a-value", A);

    // getConfig(subject) without defaultToGlobal, as @kafkajs/confluent-schema-registry asks
    assertError(get("/config/a-value"), 404, 40408);
    assertThat(error(get("/config/a-value")))
        .isEqualTo("Subject 'a-value' does not have subject-level compatibility configured");
    assertThat(
            get("/config/a-value?defaultToGlobal=true").json().get("compatibilityLevel").asText())
        .isEqualTo("BACKWARD");

    assertThat(call("PUT", "/config/a-value", "{\"compatibility\":\"FULL\"}").json().toString())
        .isEqualTo("{\"compatibility\":\"FULL\"}");
    assertThat(get("/config/a-value").json().get("compatibilityLevel").asText()).isEqualTo("FULL");
    assertThat(call("DELETE", "/config/a-value", null).json().get("compatibilityLevel").asText())
        .isEqualTo("FULL");
    assertError(get("/config/a-value"), 404, 40408);
    assertError(call("DELETE", "/config/a-value", null), 404, 40401);
    assertThat(get("/config").json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
  }

  @Test
  void shouldServeModesAndRefuseWritesWhenReadOnly() throws Exception {
    register("a-value", A);

    // getMode(), getMode(subject), setMode(mode, subject)
    assertThat(get("/mode").json().toString()).isEqualTo("{\"mode\":\"READWRITE\"}");
    assertError(get("/mode/a-value"), 404, 40409);
    assertThat(get("/mode/a-value?defaultToGlobal=true").json().get("mode").asText())
        .isEqualTo("READWRITE");
    assertThat(call("PUT", "/mode/a-value", "{\"mode\":\"READONLY\"}").json().toString())
        .isEqualTo("{\"mode\":\"READONLY\"}");

    assertError(call("POST", "/subjects/a-value/versions", body(B)), 422, 42205);
    assertError(call("DELETE", "/subjects/a-value", null), 422, 42205);
    assertThat(register("other-value", B)).isPositive();
    assertError(call("PUT", "/mode", "{\"mode\":\"SOMETIMES\"}"), 422, 42204);
    assertError(call("PUT", "/mode", "{\"mode\":\"IMPORT\"}"), 422, 42205);

    assertThat(call("DELETE", "/mode/a-value", null).json().get("mode").asText())
        .isEqualTo("READONLY");
    assertThat(register("a-value", B)).isPositive();
  }

  @Test
  void shouldSoftDeleteThenPermanentlyDeleteASubject() throws Exception {
    int id = register("a-value", A);
    register("a-value", B);

    // deleteSubject(subject, false): answers the versions deleted
    assertError(call("DELETE", "/subjects/a-value?permanent=true", null), 404, 40405);
    assertThat(call("DELETE", "/subjects/a-value", null).json().toString()).isEqualTo("[1,2]");

    assertThat(get("/subjects").json().toString()).isEqualTo("[]");
    assertThat(get("/subjects?deleted=true").json().toString()).isEqualTo("[\"a-value\"]");
    assertThat(get("/subjects?deletedOnly=true").json().toString()).isEqualTo("[\"a-value\"]");
    assertError(get("/subjects/a-value/versions"), 404, 40401);
    assertThat(get("/subjects/a-value/versions?deleted=true").json().toString()).isEqualTo("[1,2]");
    assertThat(get("/subjects/a-value/versions/1?deleted=true").json().get("id").asInt())
        .isEqualTo(id);
    assertThat(get("/schemas/ids/" + id + "/subjects").json().toString()).isEqualTo("[]");
    assertThat(get("/schemas/ids/" + id + "/subjects?deleted=true").json().toString())
        .isEqualTo("[\"a-value\"]");
    assertThat(get("/schemas/ids/" + id).status()).isEqualTo(200);
    assertError(call("DELETE", "/subjects/a-value", null), 404, 40404);

    // deleteSubject(subject, true)
    assertThat(call("DELETE", "/subjects/a-value?permanent=true", null).json().toString())
        .isEqualTo("[1,2]");
    assertError(get("/subjects/a-value/versions?deleted=true"), 404, 40401);
    assertError(get("/schemas/ids/" + id), 404, 40403);
    assertError(call("DELETE", "/subjects/a-value?permanent=true", null), 404, 40401);
    assertThat(register("a-value", A)).isGreaterThan(id + 1);
  }

  @Test
  void shouldSoftDeleteAVersionAndLeaveTheOthersLive() throws Exception {
    register("a-value", A);
    int idB = register("a-value", B);

    // deleteSchemaVersion(subject, "2"), then permanently
    assertError(call("DELETE", "/subjects/a-value/versions/2?permanent=true", null), 404, 40407);
    assertThat(call("DELETE", "/subjects/a-value/versions/latest", null).json().asInt())
        .isEqualTo(2);
    assertError(call("DELETE", "/subjects/a-value/versions/2", null), 404, 40406);
    assertError(get("/subjects/a-value/versions/2"), 404, 40402);
    assertThat(get("/subjects/a-value/versions/latest").json().get("version").asInt()).isEqualTo(1);
    assertThat(call("DELETE", "/subjects/a-value/versions/2?permanent=true", null).json().asInt())
        .isEqualTo(2);
    assertError(get("/subjects/a-value/versions/2?deleted=true"), 404, 40402);
    assertError(call("DELETE", "/subjects/a-value/versions/x", null), 422, 42202);
    assertThat(get("/subjects/a-value/versions/1/referencedby").json().toString()).isEqualTo("[]");
    // Nothing refers to B's id any more: it is gone, and never handed out again.
    assertThat(register("a-value", B)).isEqualTo(idB + 1);
    assertThat(get("/subjects/a-value/versions").json().toString()).isEqualTo("[1,2]");
  }

  @Test
  void shouldLookUpSoftDeletedSchemasOnlyWhenAsked() throws Exception {
    register("a-value", A);
    call("DELETE", "/subjects/a-value", null);

    assertError(call("POST", "/subjects/a-value", body(A)), 404, 40401);
    Reply found = call("POST", "/subjects/a-value?deleted=true", body(A));

    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().get("version").asInt()).isEqualTo(1);
  }

  private int register(String subject, String schema) throws Exception {
    Reply r = call("POST", "/subjects/" + subject + "/versions", body(schema));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("id").asInt();
  }

  private static String body(String schema) {
    return JSON.createObjectNode().put("schema", schema).toString();
  }

  private static void assertError(Reply reply, int status, int code) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.json().get("error_code").asInt()).as(reply.body()).isEqualTo(code);
  }

  private static String error(Reply reply) {
    return reply.json().get("message").asText();
  }

  private Reply get(String path) throws Exception {
    return call("GET", path, null);
  }

  private Reply call(String method, String path, String body) throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(registry.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      req.header("Content-Type", V1_JSON);
    }
    HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(resp.statusCode(), resp.body());
  }

  private record Reply(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }
}
