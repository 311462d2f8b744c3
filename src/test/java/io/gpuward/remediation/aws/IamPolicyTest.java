package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The remediator's IAM policy allows exactly the calls the AWS actuator makes, no more. */
class IamPolicyTest {

  private static final Path POLICY = Path.of("deploy/iam/remediator-policy.json");
  private static final String TAG_KEY = "aws:ResourceTag/gpuward.io/managed";
  private static final Set<String> MUTATING =
      Set.of(
          "ec2:RebootInstances",
          "autoscaling:TerminateInstanceInAutoScalingGroup",
          "autoscaling:SetInstanceHealth",
          "ssm:SendCommand");
  private static final String GPU_RESET_ARN =
      "arn:aws:ssm:*:*:document/" + AwsCloudActuator.GPU_RESET_DOCUMENT;
  private static final String DIAG_ARN =
      "arn:aws:ssm:*:*:document/" + AwsCloudActuator.DIAG_DOCUMENT;
  private static final Set<String> DOCUMENTS = Set.of(GPU_RESET_ARN, DIAG_ARN);

  private static JsonNode policy;

  @BeforeAll
  static void load() throws Exception {
    policy = new ObjectMapper().readTree(Files.readString(POLICY));
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.add(node.asText());
    }
    return out;
  }

  @Test
  void shouldAllowExactlyTheActuatorsCalls() {
    assertThat(policy.get("Version").asText()).isEqualTo("2012-10-17");
    Set<String> actions = new TreeSet<>();
    for (JsonNode s : policy.get("Statement")) {
      assertThat(s.get("Effect").asText()).isEqualTo("Allow");
      assertThat(s.has("NotAction")).as("NotAction in %s", s.get("Sid")).isFalse();
      assertThat(s.has("NotResource")).as("NotResource in %s", s.get("Sid")).isFalse();
      actions.addAll(strings(s.get("Action")));
    }
    assertThat(actions)
        .containsExactlyInAnyOrder(
            "ec2:RebootInstances",
            "autoscaling:TerminateInstanceInAutoScalingGroup",
            "autoscaling:SetInstanceHealth",
            "autoscaling:DescribeAutoScalingInstances",
            "eks:DescribeNodegroup",
            "ssm:SendCommand",
            "ssm:GetCommandInvocation",
            "ssm:ListCommands");
  }

  @Test
  void shouldHaveNoWildcardActions() {
    for (JsonNode s : policy.get("Statement")) {
      for (String a : strings(s.get("Action"))) {
        assertThat(a).as("action in %s", s.get("Sid")).doesNotContain("*").doesNotContain("?");
      }
    }
  }

  @Test
  void shouldScopeEveryMutatingActionByTheManagedTag() {
    int sendCommandOnInstances = 0;
    for (JsonNode s : policy.get("Statement")) {
      List<String> actions = strings(s.get("Action"));
      if (actions.stream().noneMatch(MUTATING::contains)) {
        continue;
      }
      List<String> resources = strings(s.get("Resource"));
      assertThat(resources).as("resources of %s", s.get("Sid")).doesNotContain("*");
      boolean documentOnly =
          actions.equals(List.of("ssm:SendCommand"))
              && resources.size() == 1
              && DOCUMENTS.contains(resources.get(0));
      if (documentOnly) {
        // The document is the boundary (it can only reset a GPU, or only run DCGM diagnostics);
        // the instances are tag-scoped.
        assertThat(s.has("Condition")).isFalse();
        continue;
      }
      JsonNode tag = s.path("Condition").path("StringEquals").path(TAG_KEY);
      assertThat(tag.asText()).as("tag condition of %s", s.get("Sid")).isEqualTo("true");
      if (actions.contains("ssm:SendCommand")) {
        assertThat(resources)
            .allMatch(r -> r.startsWith("arn:aws:ec2:") && r.contains(":instance/"));
        sendCommandOnInstances++;
      }
    }
    assertThat(sendCommandOnInstances).isEqualTo(1);
  }

  @Test
  void shouldLetSendCommandRunOnlyTheGpuResetAndDiagnosticsDocuments() {
    List<String> documents = new ArrayList<>();
    for (JsonNode s : policy.get("Statement")) {
      if (strings(s.get("Action")).contains("ssm:SendCommand")) {
        List<String> resources = strings(s.get("Resource"));
        assertThat(resources).allMatch(r -> DOCUMENTS.contains(r) || r.contains(":instance/"));
        resources.stream().filter(r -> r.contains(":document/")).forEach(documents::add);
      }
    }
    assertThat(documents).containsExactlyInAnyOrder(GPU_RESET_ARN, DIAG_ARN);
    assertThat(Files.exists(Path.of("deploy/aws/gpuward-gpu-reset.json"))).isTrue();
    assertThat(Files.exists(Path.of("deploy/aws/gpuward-gpu-diag.json"))).isTrue();
  }

  @Test
  void shouldNeverNameAnAwsOwnedShellDocument() throws Exception {
    assertThat(Files.readString(POLICY))
        .doesNotContain("AWS-RunShellScript")
        .doesNotContain("AWS-RunPowerShellScript")
        .doesNotContain("document/*");
  }
}
