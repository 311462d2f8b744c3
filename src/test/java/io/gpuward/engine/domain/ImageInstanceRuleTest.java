package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static io.gpuward.engine.EngineFixtures.inventory;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageInstanceRuleTest {
  private static final String NVIDIA_IMAGE = "bottlerocket-aws-k8s-1.32-nvidia-x86_64";
  private static final String PLAIN_IMAGE = "bottlerocket-aws-k8s-1.32-x86_64";
  private static final Evidences.Coordinates AT =
      new Evidences.Coordinates("gpuward.inventory.nodes.v1", 0, 12L);

  private final InstanceTypeCatalog types = InstanceTypeCatalog.load();
  private final ImageInstanceRule rule = new ImageInstanceRule(RuleCatalog.load(), types);

  private Optional<Signal> evaluate(String type, String image) {
    return rule.evaluate(inventory("cache-warm-0", type, image, T0), AT);
  }

  private Signal.Detected mismatch(NodeInventory inv) {
    return (Signal.Detected) rule.evaluate(inv, AT).orElseThrow();
  }

  private static void assertRecovered(Optional<Signal> s) {
    assertThat(s)
        .get()
        .isInstanceOfSatisfying(
            Signal.Recovered.class,
            r -> {
              assertThat(r.classes()).containsExactly(FaultClass.IMAGE_INSTANCE_MISMATCH);
              assertThat(r.ruleId())
                  .as("only its own verdict, not the never-registered rule's")
                  .isEqualTo(ImageInstanceRule.RULE_ID);
              assertThat(r.gpuUuids()).isEmpty();
              assertThat(r.eventTime()).isEqualTo(T0);
            });
  }

  @Test
  void shouldEscalateAnNvidiaImageOnACpuInstanceTypeWithTheFix() {
    Signal.Detected d = mismatch(inventory("cache-warm-0", "m5.large", NVIDIA_IMAGE, T0));
    assertThat(d.node()).isEqualTo("cache-warm-0");
    assertThat(d.faultClass()).isEqualTo(FaultClass.IMAGE_INSTANCE_MISMATCH);
    assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(d.severity()).isEqualTo(Severity.MAJOR);
    assertThat(d.ruleId()).isEqualTo(ImageInstanceRule.RULE_ID);
    assertThat(d.eventTime()).isEqualTo(T0);
    assertThat(d.gpus()).isEmpty();
    assertThat(d.summary())
        .startsWith("NVIDIA image " + NVIDIA_IMAGE + " on m5.large, which has no NVIDIA GPU")
        .doesNotContain("SSM");
    assertThat(d.fixHint())
        .contains("non-NVIDIA image variant for m5.large in node group cache-warm")
        .contains("replacing the node repeats the fault");
    assertThat(d.evidence().getSource()).isEqualTo(AT.topic());
    assertThat(d.evidence().getOffset()).isEqualTo(AT.offset());
    assertThat(d.evidence().getSignal()).isEqualTo("image_on_instance_type");
    assertThat(d.evidence().getDetail())
        .isEqualTo(
            "image "
                + NVIDIA_IMAGE
                + " on m5.large (no NVIDIA GPU); node registered=false;"
                + " SSM not asked");
  }

  @Test
  void shouldNameTheSsmStatusTheWatcherFound() {
    NodeInventory inv =
        NodeInventory.newBuilder(inventory("cache-warm-0", "m5.large", NVIDIA_IMAGE, T0))
            .setSsmPingStatus("NotRegistered")
            .build();
    Signal.Detected d = mismatch(inv);
    assertThat(d.summary()).endsWith("(SSM NotRegistered)");
    assertThat(d.evidence().getDetail()).endsWith("SSM NotRegistered");
  }

  @Test
  void shouldTreatAnAmdGpuInstanceTypeAsOneWithoutNvidiaGpus() {
    assertThat(types.find("g4ad.xlarge")).get().satisfies(t -> assertThat(t.nvidia()).isFalse());
    assertThat(evaluate("g4ad.xlarge", NVIDIA_IMAGE)).get().isInstanceOf(Signal.Detected.class);
  }

  @Test
  void shouldTreatAnInstanceTypeMissingFromTheTableAsACpuType() {
    assertThat(types.find("c7i.2xlarge")).isEmpty();
    assertThat(evaluate("c7i.2xlarge", NVIDIA_IMAGE)).get().isInstanceOf(Signal.Detected.class);
  }

  @Test
  void shouldMatchImageAndInstanceTypeWhateverTheirCase() {
    assertThat(evaluate("m5.large", "AL2023_x86_64_NVIDIA"))
        .get()
        .isInstanceOf(Signal.Detected.class);
    assertRecovered(evaluate("P5.48XLARGE", "AL2023_x86_64_NVIDIA"));
  }

  @Test
  void shouldClearForAnNvidiaImageOnAnNvidiaInstanceType() {
    assertRecovered(evaluate("p5.48xlarge", NVIDIA_IMAGE));
    assertRecovered(evaluate("g4dn.xlarge", NVIDIA_IMAGE));
  }

  @Test
  void shouldClearForAnNvidiaTypeWhoseGpuCountIsNotPublished() {
    String preview =
        types.find("p6e-gb300.36xlarge").filter(t -> !t.gpuCountKnown()).orElseThrow().name();
    assertRecovered(evaluate(preview, NVIDIA_IMAGE));
  }

  @Test
  void shouldClearForAPlainImageOnACpuInstanceType() {
    assertRecovered(evaluate("m5.large", PLAIN_IMAGE));
  }

  @Test
  void shouldSayNothingUntilTheInventoryNamesBothImageAndInstanceType() {
    NodeInventory noType =
        NodeInventory.newBuilder(inventory("cache-warm-0", "m5.large", NVIDIA_IMAGE, T0))
            .setInstanceType(null)
            .build();
    assertThat(rule.evaluate(noType, AT)).isEmpty();
    assertThat(evaluate("m5.large", null)).isEmpty();
  }
}
