package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gpuward.remediation.port.LiveNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which nodes gpuward may touch: label selectors and GPU instance types. */
class NodeAllowListTest {

  private static LiveNode node(Map<String, String> labels) {
    return LiveNode.named("n-1")
        .bootId("boot")
        .ready(true)
        .instanceId("i-1")
        .labels(labels)
        .build();
  }

  private static final NodeAllowList SHIPPED = RemediationPolicy.load().nodes();

  @Test
  void shouldAllowANodeThatGpuFeatureDiscoveryLabelled() {
    assertThat(SHIPPED.refusal(node(Map.of("nvidia.com/gpu.present", "true")))).isEmpty();
  }

  @Test
  void shouldAllowAnEksAcceleratedNodeWithoutGpuLabelsByItsInstanceType() {
    assertThat(SHIPPED.refusal(node(Map.of("node.kubernetes.io/instance-type", "p5.48xlarge"))))
        .isEmpty();
  }

  @Test
  void shouldRefuseACpuNodeNamingWhyInTheReason() {
    assertThat(SHIPPED.refusal(node(Map.of("node.kubernetes.io/instance-type", "m5.large"))))
        .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("n-1", "nvidia.com/gpu.present=true", "m5.large");
  }

  @Test
  void shouldRefuseANodeWithoutLabels() {
    assertThat(SHIPPED.refusal(node(Map.of()))).isPresent();
  }

  @Test
  void shouldNotTrustAGpuLabelWithAnotherValue() {
    assertThat(SHIPPED.refusal(node(Map.of("nvidia.com/gpu.present", "false")))).isPresent();
  }

  @Test
  void shouldMatchEveryRequirementOfOneSelector() {
    var list =
        new NodeAllowList(
            List.of(LabelSelector.parse("team in (ml, infer),gpuward.io/managed,!spot")),
            false,
            t -> false);
    assertThat(list.refusal(node(Map.of("team", "ml", "gpuward.io/managed", "yes")))).isEmpty();
    assertThat(
            list.refusal(node(Map.of("team", "ml", "gpuward.io/managed", "yes", "spot", "true"))))
        .isPresent();
    assertThat(list.refusal(node(Map.of("team", "web", "gpuward.io/managed", "yes")))).isPresent();
  }

  @Test
  void shouldParseInequalityAndNotIn() {
    var s = LabelSelector.parse("tier!=system, zone notin (us-east-1c)");
    assertThat(s.matches(Map.of("tier", "gpu", "zone", "us-east-1a"))).isTrue();
    assertThat(s.matches(Map.of("tier", "system"))).isFalse();
    assertThat(s.matches(Map.of("zone", "us-east-1c"))).isFalse();
  }

  @Test
  void shouldFailAPolicyWithABadSelectorNamingTheKey() {
    assertThatThrownBy(() -> RemediationPolicy.nodes(yaml("selectors: ['a=b', 'x y z']")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodes.selectors[1]");
  }

  @Test
  void shouldFailAPolicyThatSelectsNoNode() {
    assertThatThrownBy(() -> RemediationPolicy.nodes(yaml("selectors: []")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodes:");
  }

  private static com.fasterxml.jackson.databind.JsonNode yaml(String text) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
