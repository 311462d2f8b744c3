package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class WorldActionsServerTest {

  private static final String FLEET =
      """
      name: t
      seed: 3
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: g5-train, instanceType: g5.12xlarge, image: al2023-nvidia, count: 2, zone: us-east-1a}
      """;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldServeEveryCallTheWorldReceivedWithItsTokenAndOutcome() throws Exception {
    SimHarness h = SimHarness.of(FLEET).runTo("5s");
    h.cluster.cordon("g5-train-1", "op-cordon-1");
    h.cluster.cordon("g5-train-1", "op-cordon-1");
    try (WorldActionsServer server = WorldActionsServer.start(h.cluster, 0)) {
      HttpResponse<String> r = get(server.actionsUrl(), "GET");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode log = new ObjectMapper().readTree(r.body());
      assertThat(log).hasSize(2);
      assertThat(log.get(0).path("action").asText()).isEqualTo("CORDON");
      assertThat(log.get(0).path("target").asText()).isEqualTo("g5-train-1");
      assertThat(log.get(0).path("token").asText()).isEqualTo("op-cordon-1");
      assertThat(log.get(0).path("outcome").asText()).isEqualTo("ACCEPTED");
      assertThat(log.get(1).path("outcome").asText()).isEqualTo("NOOP");
      assertThat(log.get(0).path("atMs").asLong())
          .isEqualTo(h.cluster.actions().get(0).at().toEpochMilli());
    }
  }

  @Test
  void shouldRefuseWritesAndOtherPaths() throws Exception {
    SimHarness h = SimHarness.of(FLEET).runTo("1s");
    try (WorldActionsServer server = WorldActionsServer.start(h.cluster, 0)) {
      URI actions = server.actionsUrl();

      assertThat(get(actions, "DELETE").statusCode()).isEqualTo(405);
      assertThat(get(actions.resolve("/world/actions/x"), "GET").statusCode()).isEqualTo(404);
      assertThat(h.cluster.actions()).isEmpty();
    }
  }

  private HttpResponse<String> get(URI uri, String method) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
