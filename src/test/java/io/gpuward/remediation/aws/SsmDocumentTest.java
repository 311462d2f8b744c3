package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.remediation.port.ActuatorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** gpuward's GPU-reset SSM document can reset one GPU and do nothing else. */
class SsmDocumentTest {
  private static final Path DOCUMENT = Path.of("deploy/aws/gpuward-gpu-reset.json");
  private static JsonNode doc;

  @BeforeAll
  static void load() throws Exception {
    doc = new ObjectMapper().readTree(Files.readString(DOCUMENT));
  }

  private static final List<String> GOOD =
      List.of(
          "GPU-04b8a81d-1690-b4e4-5a3c-7d2e9f0a1b2c",
          "00000000:53:00.0",
          "0000:0a:1f.7",
          "0",
          "7",
          "63");
  private static final List<String> BAD =
      List.of(
          "",
          "64",
          "-1",
          "0; reboot",
          "$(reboot)",
          "0 && curl x|sh",
          "GPU-04b8a81d-1690-b4e4-5a3c-7d2e9f0a1b2c; rm -rf /",
          "GPU-04b8a81d-1690-b4e4-5a3c-7d2e9f0a1b2",
          "00000000:53:00.0\nreboot",
          "MIG-04b8a81d-1690-b4e4-5a3c-7d2e9f0a1b2c",
          "all");

  @Test
  void shouldBeACommandDocumentNamedAsTheActuatorSendsIt() {
    assertThat(doc.get("schemaVersion").asText()).isEqualTo("2.2");
    assertThat(DOCUMENT.getFileName().toString())
        .isEqualTo(AwsCloudActuator.GPU_RESET_DOCUMENT + ".json");
    assertThat(doc.get("parameters").properties())
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder(
            AwsCloudActuator.GPU_PARAMETER, AwsCloudActuator.TIMEOUT_PARAMETER);
  }

  @Test
  void shouldRunNothingButTheResetOfTheGivenGpu() {
    JsonNode steps = doc.get("mainSteps");
    assertThat(steps).hasSize(1);
    assertThat(steps.get(0).get("action").asText()).isEqualTo("aws:runShellScript");
    JsonNode run = steps.get(0).get("inputs").get("runCommand");
    assertThat(run).hasSize(1);
    assertThat(run.get(0).asText()).isEqualTo("nvidia-smi -r -i {{ gpu }}");
    assertThat(steps.get(0).get("inputs").get("timeoutSeconds").asText())
        .isEqualTo("{{ executionTimeout }}");
  }

  @Test
  void shouldLetTheGpuParameterTakeOnlyAUuidAPciBusIdOrAnIndex() {
    Pattern allowed =
        Pattern.compile(doc.get("parameters").get("gpu").get("allowedPattern").asText());
    GOOD.forEach(g -> assertThat(allowed.matcher(g).find()).as(g).isTrue());
    BAD.forEach(g -> assertThat(allowed.matcher(g).find()).as(g).isFalse());
  }

  @Test
  void shouldAgreeWithWhatTheActuatorSendsAtAll() {
    GOOD.forEach(g -> assertThat(AwsInputs.gpu(g)).isEqualTo(g));
    for (String g : BAD) {
      assertThat(refused(g)).as(g).isTrue();
    }
  }

  @Test
  void shouldBoundTheTimeoutParameter() {
    Pattern allowed =
        Pattern.compile(
            doc.get("parameters").get("executionTimeout").get("allowedPattern").asText());
    assertThat(allowed.matcher("120").find()).isTrue();
    assertThat(allowed.matcher("600").find()).isTrue();
    assertThat(allowed.matcher("601").find()).isFalse();
    assertThat(allowed.matcher("0").find()).isFalse();
    assertThat(allowed.matcher("60; reboot").find()).isFalse();
  }

  private static boolean refused(String gpu) {
    try {
      AwsInputs.gpu(gpu);
      return false;
    } catch (ActuatorException e) {
      return true;
    }
  }
}
