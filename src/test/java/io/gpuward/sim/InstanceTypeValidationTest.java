package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Instance types in scenario files: listed GPU types and any CPU type run; a GPU type the table
 * does not know, or a typo, is rejected naming the key and what is known (it used to run silently
 * as a CPU type, and its NVIDIA image then became an IMAGE_INSTANCE_MISMATCH).
 */
class InstanceTypeValidationTest {

  private static Scenario parse(String type) {
    return ScenarioLoader.parse(
        "name: t\nduration: 1m\nnodegroups:\n  - {name: a, instanceType: "
            + type
            + ", image: al2023-nvidia, count: 1, zone: z}\n");
  }

  @Test
  void acceptsListedGpuTypesAndCpuTypes() {
    for (String type :
        new String[] {
          "p4de.24xlarge",
          "p5en.48xlarge",
          "g6e.2xlarge",
          "g4dn.metal",
          "p3.16xlarge",
          "m5.large",
          "c6i.2xlarge",
          "m7g.medium",
          "r7i.metal-24xl"
        }) {
      assertThat(parse(type).nodegroups().get(0).instanceType()).isEqualTo(type);
    }
  }

  @Test
  void rejectsATypoInAGpuFamilyListingItsSizes() {
    assertThatThrownBy(() -> parse("g6e.2xlarg"))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("nodegroups[0].instanceType")
        .hasMessageContaining("not an EC2 instance type");
    assertThatThrownBy(() -> parse("g6e.3xlarge"))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("not a g6e instance type")
        .hasMessageContaining("g6e.2xlarge");
  }

  @Test
  void rejectsAnUnknownGpuFamilyNamingTheTable() {
    assertThatThrownBy(() -> parse("p7.96xlarge"))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("not in the instance-type table")
        .hasMessageContaining("ec2-gpu-instance-types.csv");
  }

  @Test
  void rejectsSomethingThatIsNoInstanceType() {
    assertThatThrownBy(() -> parse("h100"))
        .isInstanceOf(ScenarioException.class)
        .hasMessageContaining("'h100' is not an EC2 instance type");
  }
}
