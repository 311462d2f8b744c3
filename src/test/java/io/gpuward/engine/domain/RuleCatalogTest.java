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
      thermal: {gpuTempLimitC: 90, memoryTempLimitC: 95, window: 30s, grace: 5s,
                openFraction: 0.5, clearFraction: 0.1, minSamples: 3}
      imageInstance: {nvidiaImagePattern: "(?i)nvidia"}
      """;

  private static final String CSV =
      "xid,name,category,severity,recommended_action\n79,fell off bus,pcie-bus,CRITICAL,REBOOT_NODE\n";

  private static RuleCatalog load(String rules) {
    return RuleCatalog.load(
        name -> stream(name.equals("rules.yaml") ? rules : name.equals("xid.csv") ? CSV : null));
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
    assertThatThrownBy(() -> load(GOOD.replace("window: 30s", "window: 30x")))
        .hasMessageContaining("thermal.window")
        .hasMessageContaining("30x");
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
