package io.gpuward.remediation.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a {@code dcgmi diag -r <level> -j} document says: every test passed, a test failed (the
 * first failing test, its GPUs and its first warning), or the output is no result at all. Reads
 * DCGM 4.x ({@code "DCGM Diagnostic"}, results by {@code entity_id}) and 3.x ({@code "DCGM GPU
 * Diagnostic"}, results by {@code gpu_ids}), and skips what dcgmi prints before the document.
 *
 * <p>Only a document with at least one result and no failing one passes: the exit code is not
 * trusted (a failing test with exit code 0 still fails), and output that is not a document (dcgmi
 * missing, the host engine down, output cut at SSM's 24,000 characters) never reads as a pass.
 * {@code Warn} and {@code Skip} results do not fail the run: DCGM uses them for findings it does
 * not hold against the GPU.
 */
public sealed interface DcgmDiagResult {

  /** Every result passed (or warned, or was skipped). */
  record Passed(int results, String version) implements DcgmDiagResult {}

  /**
   * A test failed.
   *
   * @param test the first failing test's name as dcgmi prints it ({@code memory}, {@code PCIe})
   * @param gpus the GPU ids of its failing results
   * @param warning its first warning's text, empty when it gave none
   */
  record Failed(String test, List<String> gpus, String warning) implements DcgmDiagResult {
    public Failed {
      gpus = List.copyOf(gpus);
      warning = warning == null ? "" : warning;
    }
  }

  /** The output holds no diagnostic result; {@code why} says what was there instead. */
  record Unreadable(String why) implements DcgmDiagResult {}

  /** The longest warning text kept. */
  int WARNING_MAX = 200;

  /** Parses dcgmi's stdout; never throws. */
  static DcgmDiagResult parse(String stdout) {
    if (stdout == null || stdout.isBlank()) {
      return new Unreadable("no output");
    }
    int start = stdout.indexOf('{');
    if (start < 0) {
      return new Unreadable("not a JSON document: " + DcgmDiagParsing.excerpt(stdout));
    }
    JsonNode doc;
    try {
      doc = DcgmDiagParsing.JSON.readTree(stdout.substring(start));
    } catch (JsonProcessingException e) {
      return new Unreadable("not a JSON document: " + DcgmDiagParsing.excerpt(stdout));
    }
    JsonNode root =
        doc.has("DCGM Diagnostic") ? doc.get("DCGM Diagnostic") : doc.path("DCGM GPU Diagnostic");
    if (!root.isObject()) {
      return new Unreadable(
          "no \"DCGM Diagnostic\" in the document: " + DcgmDiagParsing.excerpt(stdout));
    }
    if (root.hasNonNull("runtime_error")) {
      return new Unreadable("dcgmi could not run: " + root.get("runtime_error").asText());
    }
    return DcgmDiagParsing.results(root, DcgmDiagParsing.version(doc, root));
  }

  /** One line for the audit record: {@code pass} or what failed. */
  default String describe() {
    if (this instanceof Passed p) {
      return "all "
          + p.results()
          + " results pass"
          + (p.version().isEmpty() ? "" : " (DCGM " + p.version() + ")");
    }
    if (this instanceof Failed f) {
      return "test "
          + f.test()
          + " failed on GPU "
          + String.join(",", f.gpus())
          + (f.warning().isEmpty() ? "" : ": " + f.warning());
    }
    return "no diagnostic result: " + ((Unreadable) this).why();
  }
}
