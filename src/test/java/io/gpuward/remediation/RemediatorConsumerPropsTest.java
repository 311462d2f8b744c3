package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verdict consumer's group settings: static membership only with an instance id. */
class RemediatorConsumerPropsTest {
  private static final Map<String, Object> CLIENT = Map.of("bootstrap.servers", "localhost:9092");

  @Test
  void shouldJoinAsAStaticMemberWithAShorterSessionWhenGivenAnInstanceId() {
    Map<String, Object> c =
        RemediatorService.verdictConsumerProps(CLIENT, "remediator", Optional.of("remediator-0"));
    assertThat(c)
        .containsEntry("group.id", "remediator")
        .containsEntry("group.instance.id", "remediator-0")
        .containsEntry("session.timeout.ms", RemediatorService.STATIC_SESSION_TIMEOUT_MS)
        .containsEntry("isolation.level", "read_committed");
  }

  @Test
  void shouldStayADynamicMemberWithoutAnInstanceId() {
    Map<String, Object> c =
        RemediatorService.verdictConsumerProps(CLIENT, "remediator", Optional.empty());
    assertThat(c).doesNotContainKeys("group.instance.id", "session.timeout.ms");
  }

  @Test
  void shouldLetAKafkaSettingOverrideTheSessionTimeout() {
    Map<String, Object> c =
        RemediatorService.verdictConsumerProps(
            Map.of("bootstrap.servers", "x:1", "session.timeout.ms", "30000"),
            "remediator",
            Optional.of("remediator-0"));
    assertThat(c).containsEntry("session.timeout.ms", "30000");
  }
}
