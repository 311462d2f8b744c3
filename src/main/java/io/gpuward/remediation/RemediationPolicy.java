package io.gpuward.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.config.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Remediation policy data ({@code streams/remediation.yaml}): the steps of each action and the
 * drain deadline. Versioned; a bad value fails start naming the key.
 */
public record RemediationPolicy(
    String version,
    Map<RemediationAction, List<RemediationAction>> steps,
    Duration drainDeadline,
    Map<String, Budgets.Limits> budgets,
    long observeOnlyLag,
    Duration correlationSettle) {

  public static final String RESOURCE = "/gpuward/streams/remediation.yaml";

  public RemediationPolicy {
    steps = Map.copyOf(steps);
    budgets = Map.copyOf(budgets);
  }

  /** The steps that carry out {@code action}, in order. */
  public List<RemediationAction> stepsFor(RemediationAction action) {
    return steps.getOrDefault(action, List.of(RemediationAction.ESCALATE));
  }

  public static RemediationPolicy load() {
    try (InputStream in = RemediationPolicy.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("remediation policy " + RESOURCE + " missing");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read remediation policy", e);
    }
  }

  public static RemediationPolicy load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read remediation policy " + file, e);
    }
  }

  static RemediationPolicy parse(InputStream in) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
    String version = root.path("version").asText("");
    if (version.isBlank()) {
      throw new IllegalArgumentException("remediation.yaml: version is required");
    }
    Map<RemediationAction, List<RemediationAction>> steps = new EnumMap<>(RemediationAction.class);
    var it = root.path("steps").fields();
    while (it.hasNext()) {
      var e = it.next();
      RemediationAction action = action(e.getKey(), "steps." + e.getKey());
      List<RemediationAction> list = new ArrayList<>();
      int i = 0;
      for (JsonNode s : e.getValue()) {
        list.add(action(s.asText(), "steps." + e.getKey() + "[" + i++ + "]"));
      }
      steps.put(action, List.copyOf(list));
    }
    Duration drain;
    try {
      drain = Durations.parse(root.path("drainDeadline").asText("2m"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("remediation.yaml: drainDeadline: " + e.getMessage(), e);
    }
    Map<String, Budgets.Limits> budgets = new java.util.HashMap<>();
    var b = root.path("budgets").fields();
    while (b.hasNext()) {
      var e = b.next();
      String key = "remediation.yaml: budgets." + e.getKey();
      if (!java.util.Set.of("global", "nodegroup", "zone").contains(e.getKey())) {
        throw new IllegalArgumentException(key + ": scope must be global, nodegroup or zone");
      }
      JsonNode l = e.getValue();
      budgets.put(
          e.getKey(),
          new Budgets.Limits(
              nonNegative(l, "maxConcurrent", key),
              percent(l, "maxConcurrentPercent", key),
              nonNegative(l, "maxPerHour", key),
              percent(l, "maxPerHourPercent", key)));
    }
    long lag = root.path("observeOnlyLag").asLong(1000);
    if (lag < 1) {
      throw new IllegalArgumentException("remediation.yaml: observeOnlyLag must be >= 1");
    }
    Duration settle;
    try {
      settle = Durations.parse(root.path("correlationSettle").asText("15s"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "remediation.yaml: correlationSettle: " + e.getMessage(), e);
    }
    return new RemediationPolicy(version, steps, drain, budgets, lag, settle);
  }

  private static int nonNegative(JsonNode n, String field, String key) {
    int v = n.path(field).asInt(0);
    if (v < 0) {
      throw new IllegalArgumentException(key + "." + field + " must be >= 0");
    }
    return v;
  }

  private static int percent(JsonNode n, String field, String key) {
    int v = nonNegative(n, field, key);
    if (v > 100) {
      throw new IllegalArgumentException(key + "." + field + " must be 0..100");
    }
    return v;
  }

  private static RemediationAction action(String s, String key) {
    try {
      return RemediationAction.valueOf(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "remediation.yaml: " + key + ": '" + s + "' is not a RemediationAction", e);
    }
  }
}
