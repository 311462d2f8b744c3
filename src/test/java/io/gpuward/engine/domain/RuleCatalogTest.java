package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.FaultClass;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuleCatalogTest {

  private static final String GOOD =
      """
      version: "t-1"
      ttl: {default: 30m, GPU_THERMAL: 10m}
      xid:
        catalog: xid.csv
        fatalActions: {RESET_GPU: RESET_GPU}
        applicationCategoryPrefix: "application/"
        codes:
          79: {class: GPU_LOST, action: REBOOT}
        appRepeat: {count: 3, within: 10m, action: ESCALATE, severity: MAJOR}
      sampleWindow: {size: 30s, grace: 5s}
      thermal: {gpuTempLimitC: 90, memoryTempLimitC: 95,
                openFraction: 0.5, clearFraction: 0.1, minSamples: 3}
      memory: {sbeStormPerWindow: 100, sbeClearPerWindow: 10}
      nvlink: {crcErrorsPerWindow: 100, replayOrRecoveryPerWindow: 1}
      node: {notReadyJoinWindow: 2m, notReadyJoinGrace: 30s, allocatableGrace: 2m,
             telemetryStaleAfter: 90s, registrationGrace: 10m, operandGrace: 5m}
      imageInstance: {nvidiaImagePattern: "(?i)nvidia"}
      containerErrors: errors.yaml
      gpuOperator: {requiredOperands: [device-plugin], migOnlyOperands: [mig-manager],
                    labelPrefix: "nvidia.com/gpu.deploy."}
      correlation: {window: 10m, minNodes: 3, minPercent: 20, scopes: [nodegroup]}
      """;

  private static final String ERRORS =
      "patterns:\n  - {id: x, match: 'libnvidia-ml', setting: driver root, fix: set it}\n";

  private static final String CSV =
      "xid,name,category,severity,recommended_action\n79,fell off bus,pcie-bus,CRITICAL,REBOOT_NODE\n";

  private static RuleCatalog load(String rules) {
    return RuleCatalog.load(
        name ->
            stream(
                switch (name) {
                  case "rules.yaml" -> rules;
                  case "xid.csv" -> CSV;
                  case "errors.yaml" -> ERRORS;
                  default -> null;
                }));
  }

  private static InputStream stream(String s) throws IOException {
    if (s == null) {
      throw new IOException("no such file");
    }
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldLoadTheShippedRules() {
    RuleCatalog rules = RuleCatalog.load();
    assertThat(rules.version()).isNotBlank();
    assertThat(rules.xid().catalog().size()).isGreaterThan(100);
    assertThat(rules.isNvidiaImage("bottlerocket-aws-k8s-1.32-nvidia-x86_64")).isTrue();
    assertThat(rules.isNvidiaImage("bottlerocket-aws-k8s-1.32-x86_64")).isFalse();
  }

  @Test
  void shouldReadTtlsPerClassWithADefault() {
    RuleCatalog rules = load(GOOD);
    assertThat(rules.ttl(FaultClass.GPU_THERMAL)).isEqualTo(Duration.ofMinutes(10));
    assertThat(rules.ttl(FaultClass.GPU_LOST)).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void shouldNameTheKeyOfABadDuration() {
    assertThatThrownBy(() -> load(GOOD.replace("size: 30s", "size: 30x")))
        .hasMessageContaining("sampleWindow.size")
        .hasMessageContaining("30x");
  }

  @Test
  void shouldReadTheCounterCarryAndDefaultItWhenAbsent() {
    assertThat(load(GOOD).sampleWindow().counterCarry())
        .isEqualTo(RuleParams.SampleWindow.DEFAULT_COUNTER_CARRY);
    assertThat(
            load(GOOD.replace("grace: 5s}", "grace: 5s, counterCarry: 45s}"))
                .sampleWindow()
                .counterCarry())
        .isEqualTo(Duration.ofSeconds(45));
    assertThat(RuleCatalog.load().sampleWindow().counterCarry()).isPositive();
    assertThatThrownBy(() -> load(GOOD.replace("grace: 5s}", "grace: 5s, counterCarry: 2x}")))
        .hasMessageContaining("sampleWindow.counterCarry");
  }

  @Test
  void shouldNameTheKeyOfAnUnknownFaultClass() {
    assertThatThrownBy(() -> load(GOOD.replace("class: GPU_LOST", "class: GPU_GONE")))
        .hasMessageContaining("xid.codes.79.class")
        .hasMessageContaining("GPU_GONE");
  }

  @Test
  void shouldRefuseThermalWithoutHysteresis() {
    assertThatThrownBy(() -> load(GOOD.replace("clearFraction: 0.1", "clearFraction: 0.6")))
        .hasMessageContaining("clearFraction");
  }

  @Test
  void shouldDefaultTheHwSlowdownRuleAndReadTheShippedOne() {
    assertThat(load(GOOD).hwSlowdown()).isEqualTo(HwSlowdownParams.DEFAULTS);
    HwSlowdownParams shipped = RuleCatalog.load().hwSlowdown();
    assertThat(shipped.mask()).as("hw_thermal").isEqualTo(0x40L);
    assertThat(shipped.clearWindows()).isGreaterThan(shipped.openWindows());
    String custom =
        GOOD.replace(
            "minSamples: 3}",
            "minSamples: 3,\n          hwSlowdown: {reasons: [hw_thermal, hw_slowdown], openWindows: 3}}");
    HwSlowdownParams p = load(custom).hwSlowdown();
    assertThat(p.mask()).isEqualTo(0x48L);
    assertThat(p.openWindows()).isEqualTo(3);
    assertThat(p.clearWindows()).as("left out: the default").isEqualTo(4);
  }

  @Test
  void shouldNameTheKeyOfABadHwSlowdownValue() {
    String head = "minSamples: 3,\n          hwSlowdown: {";
    assertThatThrownBy(() -> load(GOOD.replace("minSamples: 3}", head + "openWindows: 0}}")))
        .hasMessageContaining("thermal.hwSlowdown.openWindows");
    assertThatThrownBy(() -> load(GOOD.replace("minSamples: 3}", head + "minSamples: 1.5}}")))
        .hasMessageContaining("thermal.hwSlowdown.minSamples must be a whole number");
    assertThatThrownBy(
            () -> load(GOOD.replace("minSamples: 3}", head + "violationMsPerWindow: -1}}")))
        .hasMessageContaining("thermal.hwSlowdown.violationMsPerWindow");
    assertThatThrownBy(
            () -> load(GOOD.replace("minSamples: 3}", head + "reasons: [hw_power_brake]}}")))
        .hasMessageContaining("thermal.hwSlowdown.reasons")
        .hasMessageContaining("hw_power_brake");
    assertThatThrownBy(() -> load(GOOD.replace("minSamples: 3}", head + "reasons: []}}")))
        .hasMessageContaining("thermal.hwSlowdown.reasons");
  }

  @Test
  void shouldRefuseCorrelationOnOneNode() {
    assertThatThrownBy(() -> load(GOOD.replace("minNodes: 3", "minNodes: 1")))
        .hasMessageContaining("correlation.minNodes");
  }

  @Test
  void shouldNameABadContainerErrorPattern() {
    assertThatThrownBy(
            () ->
                RuleCatalog.load(
                    name ->
                        stream(
                            switch (name) {
                              case "rules.yaml" -> GOOD;
                              case "xid.csv" -> CSV;
                              default -> "patterns:\n  - {id: x, match: '(unclosed'}\n";
                            })))
        .hasMessageContaining("errors.yaml: patterns[0].match");
  }

  @Test
  void shouldRequireAVersion() {
    assertThatThrownBy(() -> load(GOOD.replace("version: \"t-1\"", "")))
        .hasMessageContaining("version");
  }

  @Test
  void shouldNameAMissingCatalogFile() {
    assertThatThrownBy(() -> load(GOOD.replace("catalog: xid.csv", "catalog: nope.csv")))
        .hasMessageContaining("no such file");
  }
}
