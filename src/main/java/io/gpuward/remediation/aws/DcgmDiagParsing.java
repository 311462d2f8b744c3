package io.gpuward.remediation.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** The steps of {@link DcgmDiagResult#parse}: walking the document's categories and results. */
final class DcgmDiagParsing {

  static final ObjectMapper JSON = new ObjectMapper();

  private DcgmDiagParsing() {}

  static DcgmDiagResult results(JsonNode root, String version) {
    int results = 0;
    for (JsonNode category : root.path("test_categories")) {
      for (JsonNode test : category.path("tests")) {
        List<String> gpus = new ArrayList<>();
        String warning = null;
        for (JsonNode r : test.path("results")) {
          results++;
          if (r.path("status").asText().equalsIgnoreCase("fail")) {
            gpus.add(gpuOf(r));
            warning = warning == null || warning.isEmpty() ? firstWarning(r) : warning;
          }
        }
        if (!gpus.isEmpty()) {
          return new DcgmDiagResult.Failed(test.path("name").asText("?"), gpus, warning);
        }
      }
    }
    return results == 0
        ? new DcgmDiagResult.Unreadable("the document holds no test result")
        : new DcgmDiagResult.Passed(results, version);
  }

  private static String gpuOf(JsonNode result) {
    if (result.has("entity_id")) {
      String group = result.path("entity_group").asText("GPU");
      String id = result.get("entity_id").asText();
      return group.equals("GPU") ? id : group + " " + id;
    }
    return result.path("gpu_ids").asText("?");
  }

  private static String firstWarning(JsonNode result) {
    for (JsonNode w : result.path("warnings")) {
      String text = w.isTextual() ? w.asText() : w.path("warning").asText("");
      if (!text.isBlank()) {
        return oneLine(text, DcgmDiagResult.WARNING_MAX);
      }
    }
    return "";
  }

  static String version(JsonNode doc, JsonNode root) {
    String v = doc.path("metadata").path("version").asText("");
    return v.isEmpty() ? root.path("version").asText("") : v;
  }

  static String excerpt(String text) {
    return oneLine(text, 120);
  }

  private static String oneLine(String s, int max) {
    String line = s.strip().replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?");
    return line.length() <= max ? line : line.substring(0, max - 1) + "…";
  }
}
