package io.gpuward.sim.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The document {@code dcgmi diag -r <level> -j} prints, DCGM 4.x shape (NVIDIA's {@code
 * dcgm_diag_schema.json}: {@code "DCGM Diagnostic"} > {@code test_categories} > {@code tests} > one
 * result per GPU, {@code entity_groups}, {@code metadata}), for a run that passed or failed one
 * GPU's {@code memory} test. The same shape {@code remediation/aws/DcgmDiagResult} reads.
 */
final class DcgmDiagJson {

  static final String DCGM_VERSION = "4.2.3";
  static final String DRIVER_VERSION = "570.124.06";

  private record TestSpec(String category, String name) {}

  private static final List<TestSpec> LEVEL_1 = List.of(new TestSpec("Deployment", "software"));
  private static final List<TestSpec> LEVEL_2 =
      List.of(
          new TestSpec("Deployment", "software"),
          new TestSpec("Integration", "pcie"),
          new TestSpec("Hardware", "memory"));
  private static final List<TestSpec> LEVEL_3 =
      List.of(
          new TestSpec("Deployment", "software"),
          new TestSpec("Integration", "pcie"),
          new TestSpec("Hardware", "memory"),
          new TestSpec("Hardware", "diagnostic"),
          new TestSpec("Stress", "targeted_stress"),
          new TestSpec("Stress", "targeted_power"),
          new TestSpec("Stress", "memory_bandwidth"));

  private final ObjectMapper json;

  DcgmDiagJson(ObjectMapper json) {
    this.json = json;
  }

  /**
   * The document of a finished run.
   *
   * @param failingTest the test that fails on {@code failingGpu}; a level that does not run it
   *     fails its last test instead, so a failed run never renders as a passing document
   * @param failingGpu the GPU whose {@code failingTest} failed; empty when every test passed
   */
  String render(int level, int gpus, String failingTest, Optional<Integer> failingGpu) {
    ObjectNode doc = json.createObjectNode();
    ArrayNode categories = doc.putObject("DCGM Diagnostic").putArray("test_categories");
    ObjectNode category = null;
    List<TestSpec> tests = tests(level);
    String failing =
        tests.stream().anyMatch(t -> t.name().equals(failingTest))
            ? failingTest
            : tests.get(tests.size() - 1).name();
    for (TestSpec t : tests) {
      if (category == null || !category.path("category").asText().equals(t.category())) {
        category = categories.addObject();
        category.put("category", t.category());
        category.putArray("tests");
      }
      Optional<Integer> fails = t.name().equals(failing) ? failingGpu : Optional.empty();
      ((ArrayNode) category.get("tests")).add(test(t.name(), gpus, fails));
    }
    entities(doc, gpus);
    ObjectNode metadata = doc.putObject("metadata");
    metadata.put("Driver Version Detected", DRIVER_VERSION);
    metadata.put("version", DCGM_VERSION);
    try {
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("rendering a dcgmi diag document", e);
    }
  }

  private static List<TestSpec> tests(int level) {
    return level <= 1 ? LEVEL_1 : level == 2 ? LEVEL_2 : LEVEL_3;
  }

  private ObjectNode test(String name, int gpus, Optional<Integer> failingGpu) {
    ObjectNode test = json.createObjectNode();
    test.put("name", name);
    ArrayNode results = test.putArray("results");
    for (int gpu = 0; gpu < gpus; gpu++) {
      ObjectNode r = results.addObject();
      r.put("entity_group", "GPU");
      r.put("entity_group_id", 1);
      r.put("entity_id", gpu);
      boolean fails = failingGpu.isPresent() && failingGpu.get() == gpu;
      r.put("status", fails ? "Fail" : "Pass");
      if (fails) {
        ObjectNode w = r.putArray("warnings").addObject();
        w.put("error_category", 5);
        w.put("error_id", 66);
        w.put("error_severity", 3);
        w.put(
            "warning",
            "GPU " + gpu + ": Found uncorrectable ECC errors (DBE) during the " + name + " test");
      }
    }
    test.putObject("test_summary").put("status", failingGpu.isPresent() ? "Fail" : "Pass");
    return test;
  }

  private static void entities(ObjectNode doc, int gpus) {
    ObjectNode group = doc.putArray("entity_groups").addObject();
    ArrayNode entities = group.putArray("entities");
    for (int gpu = 0; gpu < gpus; gpu++) {
      ObjectNode e = entities.addObject();
      e.put("device_id", "2330");
      e.put("entity_id", gpu);
      e.put("serial_num", String.format("16541230%05d", gpu));
    }
    group.put("entity_group", "GPU");
    group.put("entity_group_id", 1);
  }
}
