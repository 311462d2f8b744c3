package io.gpuward.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code deploy/iam/watcher-policy.json} allows the reads of {@link AwsCloud} and nothing else. */
class WatcherIamPolicyTest {

  @Test
  void shouldAllowExactlyTheWatchersReadOnlyCalls() throws Exception {
    JsonNode policy =
        new ObjectMapper().readTree(Files.readString(Path.of("deploy/iam/watcher-policy.json")));
    List<String> actions = new ArrayList<>();
    for (JsonNode statement : policy.get("Statement")) {
      assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
      statement.get("Action").forEach(a -> actions.add(a.asText()));
    }

    assertThat(actions)
        .containsExactlyInAnyOrder(
            "ec2:DescribeInstances",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceStatus",
            "autoscaling:DescribeAutoScalingGroups",
            "ssm:DescribeInstanceInformation");
    assertThat(actions)
        .allSatisfy(a -> assertThat(a.split(":")[1]).startsWith("Describe").doesNotContain("*"));
  }
}
