package io.gpuward.world;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads the action log a world process serves ({@code GET /world/actions}). */
final class WorldLog {

  /** One call the world received, as the log serves it. */
  record Action(String action, String target, String token, String outcome, String detail) {
    boolean accepted() {
      return outcome.equals("ACCEPTED");
    }

    boolean is(String kind) {
      return action.equals(kind);
    }
  }

  private final URI url;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  WorldLog(URI url) {
    this.url = url;
  }

  /** The whole log, oldest first. */
  List<Action> actions() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    List<Action> out = new ArrayList<>();
    for (JsonNode a : json.readTree(r.body())) {
      out.add(
          new Action(
              a.path("action").asText(),
              a.path("target").asText(),
              a.path("token").asText(null),
              a.path("outcome").asText(),
              a.path("detail").asText("")));
    }
    return out;
  }

  /** How many accepted calls of {@code kind} match {@code which}. */
  long accepted(String kind, Predicate<Action> which) throws IOException, InterruptedException {
    return actions().stream().filter(a -> a.is(kind) && a.accepted() && which.test(a)).count();
  }
}
