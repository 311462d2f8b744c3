package io.gpuward.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.testing.ProbeSchemas;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST surface over real HTTP, request by request, as any Confluent client would see it. */
class EmbeddedSchemaRegistryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEMA =
      SchemaBuilder.record("Probe").fields().requiredString("node").endRecord().toString();
  private static final String V1 = "application/vnd.schemaregistry.v1+json";

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
  void shouldServeVersionsOfASubject() throws Exception {
    int id = call("POST", "/subjects/p-value/versions", V1, body(SCHEMA)).json().get("id").asInt();

    Reply versions = call("GET", "/subjects/p-value/versions", null, null);
    Reply latest = call("GET", "/subjects/p-value/versions/latest", null, null);
    Reply first = call("GET", "/subjects/p-value/versions/1", null, null);
    Reply raw = call("GET", "/subjects/p-value/versions/1/schema", null, null);
    Reply byId = call("GET", "/schemas/ids/" + id, null, null);

    assertThat(versions.json().toString()).isEqualTo("[1]");
    assertThat(latest.json().get("subject").asText()).isEqualTo("p-value");
    assertThat(latest.json().get("version").asInt()).isEqualTo(1);
    assertThat(latest.json().get("id").asInt()).isEqualTo(id);
    assertThat(first.json()).isEqualTo(latest.json());
    assertThat(raw.json().get("name").asText()).isEqualTo("Probe");
    assertThat(byId.json().get("schema").asText()).isEqualTo(SCHEMA);
    assertThat(latest.contentType()).isEqualTo(V1);
  }

  @Test
  void shouldAcceptPlainJsonAndAnswerLookupAndCompatibility() throws Exception {
    call("POST", "/subjects/p-value/versions", "application/json", body(SCHEMA));

    Reply lookup = call("POST", "/subjects/p-value", "application/json", body(SCHEMA));
    Reply compatible = call("POST", "/compatibility/subjects/p-value/versions/1", V1, body(SCHEMA));
    Reply config = call("GET", "/config", null, null);

    assertThat(lookup.status()).isEqualTo(200);
    assertThat(lookup.json().get("version").asInt()).isEqualTo(1);
    assertThat(compatible.json().get("is_compatible").asBoolean()).isTrue();
    assertThat(config.json().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
  }

  @Test
  void shouldAnswerErrorsWithStatusAndCode() throws Exception {
    assertError(call("GET", "/subjects/none/versions", null, null), 404, 40401);
    assertError(call("GET", "/schemas/ids/77", null, null), 404, 40403);
    assertError(call("GET", "/nowhere", null, null), 404, 404);
    assertError(call("DELETE", "/subjects", null, null), 405, 405);
    assertError(call("POST", "/subjects/p-value/versions", "text/plain", body(SCHEMA)), 415, 415);
    assertError(call("POST", "/subjects/p-value/versions", V1, "[1,2]"), 422, 422);
    assertError(call("POST", "/subjects/p-value/versions", V1, "{\"schema\": 5}"), 422, 42201);
    assertError(
        call(
            "POST",
            "/subjects/p-value/versions",
            V1,
            "{\"schema\":\"x\",\"schemaType\":\"PROTOBUF\"}"),
        422,
        42201);
    assertError(call("PUT", "/config", V1, "{\"compatibility\":\"MOSTLY\"}"), 422, 42203);
    assertThat(call("GET", "/subjects", null, null).json().toString()).isEqualTo("[]");
  }

  @Test
  void shouldAnswer500AndKeepServingWhenTheStoreFails() throws Exception {
    registry.close();
    registry = EmbeddedSchemaRegistry.start(ProbeSchemas.failingStore());

    Reply failed = call("POST", "/subjects/p-value/versions", V1, body(SCHEMA));
    Reply after = call("GET", "/subjects", null, null);

    assertError(failed, 500, 50001);
    assertThat(failed.json().get("message").asText()).contains("disk full");
    assertThat(after.status()).isEqualTo(200);
  }

  private static void assertError(Reply reply, int status, int code) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.json().get("error_code").asInt()).as(reply.body()).isEqualTo(code);
    assertThat(reply.json().get("message").asText()).isNotBlank();
  }

  private static String body(String schema) {
    return JSON.createObjectNode().put("schema", schema).toString();
  }

  private record Reply(int status, String body, String contentType) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (java.io.IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  private Reply call(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(registry.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      req.header("Content-Type", contentType);
    }
    HttpResponse<String> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(
        resp.statusCode(), resp.body(), resp.headers().firstValue("Content-Type").orElse(""));
  }
}
