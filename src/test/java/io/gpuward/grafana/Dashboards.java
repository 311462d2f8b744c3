package io.gpuward.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The dashboards in {@code deploy/grafana/dashboards}, and the queries their panels run. */
final class Dashboards {

  static final Path GRAFANA = Path.of("deploy", "grafana");
  static final Path DIR = GRAFANA.resolve("dashboards");

  /** One query of one panel (or of a dashboard variable, whose panel is {@code $name}). */
  record Query(String dashboard, String panel, String datasourceType, String text) {
    boolean isSql() {
      return datasourceType.equals("grafana-postgresql-datasource");
    }

    @Override
    public String toString() {
      return dashboard + " / " + panel;
    }
  }

  private Dashboards() {}

  static List<Path> files() {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      out.add(panel);
      panel.path("panels").forEach(out::add);
    }
    return out;
  }

  /** Every panel query and variable query of every dashboard. */
  static List<Query> queries() {
    List<Query> out = new ArrayList<>();
    for (Path file : files()) {
      JsonNode d = read(file);
      String title = d.path("title").asText();
      for (JsonNode variable : d.path("templating").path("list")) {
        if (variable.path("type").asText().equals("query")) {
          out.add(
              new Query(
                  title,
                  "$" + variable.path("name").asText(),
                  variable.path("datasource").path("type").asText(),
                  variable.path("query").asText()));
        }
      }
      for (JsonNode panel : panels(d)) {
        for (JsonNode target : panel.path("targets")) {
          String type = target.path("datasource").path("type").asText();
          String text =
              target.has("rawSql") ? target.path("rawSql").asText() : target.path("expr").asText();
          out.add(new Query(title, panel.path("title").asText(), type, text));
        }
      }
    }
    return out;
  }
}
