package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.ProbeSchemas;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryClientTest {

  private EmbeddedSchemaRegistry server;
  private RegistryClient client;

  @BeforeEach
  void start() {
    server = EmbeddedSchemaRegistry.startInMemory();
    client = new RegistryClient(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldReturnSameIdWhenRegisteringTwice() {
    int first = client.register("probe-value", ProbeSchemas.V1);
    int again = client.register("probe-value", ProbeSchemas.V1);
    int fromOtherClient = new RegistryClient(server.url()).register("probe-value", ProbeSchemas.V1);

    assertThat(first).isPositive();
    assertThat(again).isEqualTo(first);
    assertThat(fromOtherClient).isEqualTo(first);
  }

  @Test
  void shouldShareIdOfIdenticalSchemaAcrossSubjects() {
    int a = client.register("a-value", FaultVerdict.getClassSchema());
    int b = new RegistryClient(server.url()).register("b-value", FaultVerdict.getClassSchema());
    int other = client.register("c-value", GpuSample.getClassSchema());

    assertThat(b).isEqualTo(a);
    assertThat(other).isNotEqualTo(a);
    assertThat(client.subjects()).containsExactly("a-value", "b-value", "c-value");
  }

  @Test
  void shouldFetchSchemaByIdFromAFreshClient() {
    int id = client.register("verdicts-value", FaultVerdict.getClassSchema());

    Schema fetched = new RegistryClient(server.url()).schemaById(id);

    assertThat(fetched).isEqualTo(FaultVerdict.getClassSchema());
  }

  @Test
  void shouldAcceptCompatibleEvolutionAndRefuseIncompatibleWithStatus409() {
    int v1 = client.register("probe-value", ProbeSchemas.V1);
    int v2 = client.register("probe-value", ProbeSchemas.V2_OPTIONAL);

    assertThat(v2).isNotEqualTo(v1);
    assertThatThrownBy(() -> client.register("probe-value", ProbeSchemas.V2_REQUIRED))
        .asInstanceOf(type(SchemaRegistryException.class))
        .satisfies(
            e -> {
              assertThat(e.httpStatus()).isEqualTo(409);
              assertThat(e.isIncompatible()).isTrue();
              assertThat(e.errorCode()).isEqualTo(40901);
              assertThat(e.getMessage()).contains("probe-value").contains("gpus");
            });
  }

  @Test
  void shouldAnswer404With40403ForUnknownId() {
    assertThatThrownBy(() -> client.schemaById(4242))
        .asInstanceOf(type(SchemaRegistryException.class))
        .satisfies(
            e -> {
              assertThat(e.httpStatus()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(40403);
              assertThat(e.getMessage()).contains("4242").contains("not found");
            });
  }

  @Test
  void shouldNotAskAgainForAnIdTheRegistryJustSaidItDoesNotKnow() {
    assertThatThrownBy(() -> client.schemaById(4242)).isInstanceOf(SchemaRegistryException.class);
    server.close(); // any further request would fail with status 0

    assertThatThrownBy(() -> client.schemaById(4242))
        .asInstanceOf(type(SchemaRegistryException.class))
        .satisfies(
            e -> {
              assertThat(e.httpStatus()).isEqualTo(404);
              assertThat(e.getMessage()).contains("remembered for");
            });
  }

  @Test
  void shouldLookUpRegisteredSchemaAndMissOthers() {
    int id = client.register("probe-value", ProbeSchemas.V1);
    client.register("probe-value", ProbeSchemas.V2_OPTIONAL);

    var found = client.lookup("probe-value", ProbeSchemas.V1);

    assertThat(found).isPresent();
    assertThat(found.get().id()).isEqualTo(id);
    assertThat(found.get().version()).isEqualTo(1);
    assertThat(found.get().subject()).isEqualTo("probe-value");
    assertThat(client.lookup("probe-value", ProbeSchemas.V2_REQUIRED)).isEmpty();
    assertThat(client.lookup("no-such-subject", ProbeSchemas.V1)).isEmpty();
  }

  @Test
  void shouldAnswerCompatibilityQuestions() {
    assertThat(client.isCompatible("probe-value", ProbeSchemas.V2_REQUIRED))
        .isTrue(); // no versions yet
    client.register("probe-value", ProbeSchemas.V1);

    assertThat(client.isCompatible("probe-value", ProbeSchemas.V2_OPTIONAL)).isTrue();
    assertThat(client.isCompatible("probe-value", ProbeSchemas.V2_REQUIRED)).isFalse();
  }

  @Test
  void shouldGetAndPutCompatibilityLevels() {
    assertThat(client.compatibility(null)).isEqualTo("BACKWARD");

    client.setCompatibility("probe-value", "NONE");
    client.setCompatibility(null, "FULL");

    assertThat(client.compatibility("probe-value")).isEqualTo("NONE");
    assertThat(client.compatibility("other-value")).isEqualTo("FULL");
    assertThat(client.compatibility(null)).isEqualTo("FULL");
    client.register("probe-value", ProbeSchemas.V1);
    assertThat(client.register("probe-value", ProbeSchemas.V2_REQUIRED))
        .isPositive(); // NONE allows it
  }

  @Test
  void shouldRefuseUnknownCompatibilityLevelWith42203() {
    assertThatThrownBy(() -> client.setCompatibility(null, "SIDEWAYS"))
        .asInstanceOf(type(SchemaRegistryException.class))
        .satisfies(
            e -> {
              assertThat(e.httpStatus()).isEqualTo(422);
              assertThat(e.errorCode()).isEqualTo(42203);
            });
  }

  @Test
  void shouldRefuseInvalidSchemaWith422() throws Exception {
    HttpResponse<String> resp =
        post("/subjects/bad-value/versions", "{\"schema\": \"{\\\"type\\\": \\\"recrd\\\"}\"}");
    HttpResponse<String> notJson = post("/subjects/bad-value/versions", "{not json");

    assertThat(resp.statusCode()).isEqualTo(422);
    assertThat(resp.body()).contains("\"error_code\":42201");
    assertThat(notJson.statusCode()).isEqualTo(422);
    assertThat(notJson.body()).contains("error_code");
    assertThat(client.subjects()).isEmpty(); // and the server still serves
  }

  @Test
  void shouldEncodeSubjectsWithSpecialCharacters() {
    String subject = "odd/subject name+x-value";
    int id = client.register(subject, ProbeSchemas.V1);

    assertThat(client.subjects()).containsExactly(subject);
    assertThat(client.lookup(subject, ProbeSchemas.V1)).get().extracting(r -> r.id()).isEqualTo(id);
  }

  @Test
  void shouldFailWithStatusZeroAndReadableMessageWhenUnreachable() {
    RegistryClient dead =
        new RegistryClient("http://127.0.0.1:1", Duration.ofSeconds(2), Duration.ofSeconds(2));
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> dead.register("probe-value", ProbeSchemas.V1))
        .asInstanceOf(type(SchemaRegistryException.class))
        .satisfies(
            e -> {
              assertThat(e.httpStatus()).isZero();
              assertThat(e.getMessage())
                  .startsWith("cannot reach schema registry at http://127.0.0.1:1")
                  .doesNotContain("\n");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
