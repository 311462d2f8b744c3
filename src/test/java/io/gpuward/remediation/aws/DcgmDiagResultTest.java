package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.remediation.aws.DcgmDiagResult.Failed;
import io.gpuward.remediation.aws.DcgmDiagResult.Passed;
import io.gpuward.remediation.aws.DcgmDiagResult.Unreadable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a {@code dcgmi diag -j} document says, from the fixtures in {@code test/resources/dcgm}. */
class DcgmDiagResultTest {

  private static String fixture(String name) {
    try (InputStream in = DcgmDiagResultTest.class.getResourceAsStream("/dcgm/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(name, e);
    }
  }

  @Test
  void shouldPassADocumentWhoseResultsAllPassOrWarn() {
    DcgmDiagResult r = DcgmDiagResult.parse(fixture("diag-r2-pass.json"));
    assertThat(r).isEqualTo(new Passed(6, "4.2.3"));
    assertThat(r.describe()).isEqualTo("all 6 results pass (DCGM 4.2.3)");
  }

  @Test
  void shouldNameTheFailingTestItsGpuAndItsWarning() {
    DcgmDiagResult r = DcgmDiagResult.parse(fixture("diag-r2-fail-memory.json"));
    assertThat(r)
        .isEqualTo(
            new Failed(
                "memory",
                List.of("1"),
                "GPU 1: Found 12 uncorrectable ECC errors (DBE) during the memory test"));
    assertThat(r.describe())
        .isEqualTo(
            "test memory failed on GPU 1: GPU 1: Found 12 uncorrectable ECC errors (DBE) during"
                + " the memory test");
  }

  @Test
  void shouldReadTheDcgm3ShapeAfterTheLineDcgmiPrintsFirst() {
    DcgmDiagResult r = DcgmDiagResult.parse(fixture("diag-3x-fail.txt"));
    assertThat(r).isInstanceOf(Failed.class);
    Failed f = (Failed) r;
    assertThat(f.test()).isEqualTo("PCIe");
    assertThat(f.gpus()).containsExactly("2");
    assertThat(f.warning()).startsWith("GPU 2: PCIe replay count violation");
  }

  @Test
  void shouldFailAFailingTestWhateverTheExitCodeSays() {
    // The parser never sees the exit code: a document with a failing result fails, and the
    // actuator hands it stdout whether SSM says Success (exit 0) or Failed.
    assertThat(DcgmDiagResult.parse(fixture("diag-r2-fail-memory.json")))
        .isInstanceOf(Failed.class);
  }

  @Test
  void shouldNeverReadOutputThatIsNoDocumentAsAPass() {
    assertThat(DcgmDiagResult.parse("")).isEqualTo(new Unreadable("no output"));
    assertThat(DcgmDiagResult.parse(null)).isInstanceOf(Unreadable.class);
    assertThat(DcgmDiagResult.parse("sh: 1: dcgmi: not found\n"))
        .isEqualTo(new Unreadable("not a JSON document: sh: 1: dcgmi: not found"));
    assertThat(
            DcgmDiagResult.parse(
                "Error: unable to establish a connection to the specified host: localhost\n"))
        .isInstanceOf(Unreadable.class);
    String cut = fixture("diag-r2-pass.json").substring(0, 900);
    assertThat(DcgmDiagResult.parse(cut)).isInstanceOf(Unreadable.class);
    assertThat(DcgmDiagResult.parse("{\"something\":\"else\"}")).isInstanceOf(Unreadable.class);
    assertThat(DcgmDiagResult.parse("{\"DCGM Diagnostic\":{\"test_categories\":[]}}"))
        .isEqualTo(new Unreadable("the document holds no test result"));
  }

  @Test
  void shouldReportARuntimeErrorAsNoResult() {
    DcgmDiagResult r =
        DcgmDiagResult.parse(
            "{\"DCGM Diagnostic\":{\"runtime_error\":\"Unable to run diagnostic: host engine"
                + " is not running\"}}");
    assertThat(r.describe())
        .isEqualTo(
            "no diagnostic result: dcgmi could not run: Unable to run diagnostic: host engine is"
                + " not running");
  }

  @Test
  void shouldNameEveryFailingGpuOfTheFirstFailingTestAndANonGpuEntityByItsGroup() {
    String doc =
        "{\"DCGM Diagnostic\":{\"test_categories\":[{\"category\":\"Hardware\",\"tests\":["
            + "{\"name\":\"memory\",\"results\":["
            + "{\"entity_group\":\"GPU\",\"entity_id\":0,\"status\":\"fail\"},"
            + "{\"entity_group\":\"GPU\",\"entity_id\":3,\"status\":\"Fail\","
            + "\"warnings\":[{\"warning\":\"x\\n  y\"}]},"
            + "{\"entity_group\":\"CPU\",\"entity_id\":1,\"status\":\"FAIL\"}]},"
            + "{\"name\":\"pcie\",\"results\":[{\"entity_id\":5,\"status\":\"Fail\"}]}]}]}}";
    assertThat(DcgmDiagResult.parse(doc))
        .isEqualTo(new Failed("memory", List.of("0", "3", "CPU 1"), "x y"));
  }
}
