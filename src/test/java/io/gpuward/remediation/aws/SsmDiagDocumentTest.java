package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gpuward's diagnostics SSM document can run DCGM diagnostics and do nothing else. */
class SsmDiagDocumentTest {
  private static final Path DOCUMENT = Path.of("deploy/aws/gpuward-gpu-diag.json");
  private static JsonNode doc;

  @BeforeAll
  static void load() throws Exception {
    doc = new ObjectMapper().readTree(Files.readString(DOCUMENT));
  }

  private static Pattern allowed(String parameter) {
    return Pattern.compile(doc.get("parameters").get(parameter).get("allowedPattern").asText());
  }

  @Test
  void shouldBeACommandDocumentNamedAsTheActuatorSendsIt() {
    assertThat(doc.get("schemaVersion").asText()).isEqualTo("2.2");
    assertThat(DOCUMENT.getFileName().toString())
        .isEqualTo(AwsCloudActuator.DIAG_DOCUMENT + ".json");
    assertThat(doc.get("parameters").properties())
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder(
            AwsCloudActuator.LEVEL_PARAMETER, AwsCloudActuator.TIMEOUT_PARAMETER);
  }

  @Test
  void shouldRunNothingButDcgmiDiagAtTheGivenLevel() {
    JsonNode steps = doc.get("mainSteps");
    assertThat(steps).hasSize(1);
    JsonNode run = steps.get(0).get("inputs").get("runCommand");
    assertThat(run).hasSize(1);
    assertThat(run.get(0).asText()).isEqualTo("dcgmi diag -r {{ level }} -j");
    assertThat(steps.get(0).get("inputs").get("timeoutSeconds").asText())
        .isEqualTo("{{ executionTimeout }}");
  }

  @Test
  void shouldLetTheLevelBeOnlyOneToThree() {
    Pattern level = allowed("level");
    List.of("1", "2", "3").forEach(l -> assertThat(level.matcher(l).find()).as(l).isTrue());
    List.of("0", "4", "", "2; reboot", "$(reboot)", "2\nreboot", "12")
        .forEach(l -> assertThat(level.matcher(l).find()).as(l).isFalse());
  }

  @Test
  void shouldAcceptTheTimeoutOfEveryLevelAndNothingUnbounded() {
    Pattern timeout = allowed("executionTimeout");
    for (int level = 1; level <= 3; level++) {
      String t = Long.toString(SsmDiagnostics.executionTimeoutSeconds(level));
      assertThat(timeout.matcher(t).find()).as(t).isTrue();
    }
    List.of("0", "14401", "99999", "600; reboot")
        .forEach(t -> assertThat(timeout.matcher(t).find()).as(t).isFalse());
  }
}
