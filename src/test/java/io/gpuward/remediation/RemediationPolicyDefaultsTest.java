package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A policy file that leaves a key out gets what the shipped policy file says, not another value.
 */
class RemediationPolicyDefaultsTest {

  private static final RemediationPolicy SHIPPED = RemediationPolicy.load();

  private static RemediationPolicy bare() throws IOException {
    return RemediationPolicy.parse(
        new ByteArrayInputStream("version: bare\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shouldDefaultTheLadderToTheShippedOne() throws IOException {
    assertThat(bare().ladder()).isEqualTo(SHIPPED.ladder());
    assertThat(RemediationPolicy.Ladder.DEFAULT).isEqualTo(SHIPPED.ladder());
  }

  @Test
  void shouldDefaultTheTimingsToTheShippedOnes() throws IOException {
    RemediationPolicy bare = bare();
    assertThat(bare.drainDeadline()).isEqualTo(SHIPPED.drainDeadline());
    assertThat(bare.correlationSettle()).isEqualTo(SHIPPED.correlationSettle());
    assertThat(bare.observeOnlyLag()).isEqualTo(SHIPPED.observeOnlyLag());
    assertThat(bare.reescalateAfter()).isEqualTo(SHIPPED.reescalateAfter());
  }

  @Test
  void shouldDefaultTheRepeatOffenderRuleToTheShippedOne() throws IOException {
    assertThat(bare().repeatOffender()).isEqualTo(SHIPPED.repeatOffender());
  }

  @Test
  void shouldDefaultALadderRecheckLeftOutToTheShippedOne() throws IOException {
    String yaml = "version: x\nladder:\n  rungs: [REBOOT]\n";
    RemediationPolicy p =
        RemediationPolicy.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    assertThat(p.ladder().recheck()).isEqualTo(SHIPPED.ladder().recheck());
  }

  @Test
  void shouldValidateNothingWhenThePolicyFileLeavesValidationOut() throws IOException {
    // Deliberately not the shipped value: validating needs dcgmi on the nodes, which a policy file
    // written before validation existed never asked for.
    assertThat(bare().validate()).isEqualTo(RemediationPolicy.Validate.OFF);
    assertThat(SHIPPED.validate().level()).isEqualTo(2);
  }

  @Test
  void shouldNameTheKeyOfABadValidationValue() {
    for (String[] c :
        new String[][] {
          {"validate: {level: 4}", "validate.level"},
          {"validate: {classes: [GPU_LOST, NOPE]}", "validate.classes[1]"},
          {"validate: {classes: [IMAGE_INSTANCE_MISMATCH]}", "validate.classes[0]"},
          {"validate: {timeout: 0s}", "validate.timeout"}
        }) {
      String yaml = "version: x\n" + c[0] + "\n";
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  RemediationPolicy.parse(
                      new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void shouldDefaultTheValidationTimeoutToItsLevel() throws IOException {
    String yaml = "version: x\nvalidate: {classes: [GPU_LOST], level: 3}\n";
    RemediationPolicy p =
        RemediationPolicy.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    assertThat(p.validate().timeout()).isEqualTo(java.time.Duration.ofMinutes(60));
  }
}
