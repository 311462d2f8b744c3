package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.remediation.ControlCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code gpuward ctl} sends: checked by the remediator's own rules before sending. */
class ControlRequestsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00.123456Z");
  private static final ControlRequests.Operator ALICE =
      new ControlRequests.Operator("alice", "--operator");
  private static final ControlCommands.Limits LIMITS = ControlCommands.Limits.DEFAULTS;

  @Test
  void shouldBuildAFreshCommandIssuedNowWithItsExpiry() {
    ControlCommand c =
        ControlRequests.build(
            ControlKind.PAUSE,
            "nodegroup:p5-train",
            ALICE,
            "rollout",
            Duration.ofHours(2),
            NOW,
            LIMITS);
    assertThat(c.getCommandId()).matches("[0-9a-f-]{36}");
    assertThat(c.getScope()).isEqualTo("nodegroup:p5-train");
    assertThat(c.getOperator()).isEqualTo("alice");
    assertThat(c.getIssuedAt()).isEqualTo(Instant.parse("2026-12-07T10:00:00.123Z"));
    assertThat(c.getExpiresAt()).isEqualTo(Instant.parse("2026-12-07T12:00:00.123Z"));
    assertThat(ControlCommands.check(c.getScope(), c, NOW, LIMITS)).isEmpty();
  }

  @Test
  void shouldGiveEveryCommandItsOwnId() {
    ControlCommand a =
        ControlRequests.build(ControlKind.RESUME, "global", ALICE, null, null, NOW, LIMITS);
    ControlCommand b =
        ControlRequests.build(ControlKind.RESUME, "global", ALICE, null, null, NOW, LIMITS);
    assertThat(a.getCommandId()).isNotEqualTo(b.getCommandId());
    assertThat(a.getExpiresAt()).isNull();
  }

  @Test
  void shouldRefuseAScopeTheRemediatorWouldDeadLetter() {
    for (String scope : new String[] {"everything", "rack:7", "node:Bad_Name", "verdict:", ""}) {
      assertThatThrownBy(
              () -> ControlRequests.build(ControlKind.PAUSE, scope, ALICE, null, null, NOW, LIMITS))
          .as(scope)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not global, nodegroup:<name>, zone:<name>, node:<name>");
    }
  }

  @Test
  void shouldRefuseAnExpiryBeyondTheRemediatorsBound() {
    assertThatThrownBy(
            () ->
                ControlRequests.build(
                    ControlKind.VETO, "node:n1", ALICE, null, Duration.ofDays(8), NOW, LIMITS))
        .hasMessage(
            "--expires: 192h is more than the remediator allows (168h,"
                + " remediation.control.max.expiry.ms)");
    ControlCommands.Limits tight = new ControlCommands.Limits(Duration.ofHours(1), Duration.ZERO);
    assertThatThrownBy(() -> ControlRequests.checkExpiry(Duration.ofMinutes(61), tight))
        .hasMessageContaining("more than the remediator allows (1h");
    ControlRequests.checkExpiry(Duration.ofHours(1), tight);
  }

  @Test
  void shouldParseAnExpiryAndRefuseZeroOrNonsense() {
    assertThat(ControlRequests.expiry("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(ControlRequests.expiry(null)).isNull();
    assertThatThrownBy(() -> ControlRequests.expiry("0s")).hasMessageContaining("more than 0");
    assertThatThrownBy(() -> ControlRequests.expiry("-1h")).hasMessageContaining("--expires: ");
    assertThatThrownBy(() -> ControlRequests.expiry("soon"))
        .hasMessageContaining("'soon' is not a duration");
  }

  @Test
  void shouldTakeTheOperatorFromTheFlagThenSaslThenTheOsUser() {
    Map<String, Object> sasl =
        Map.of(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"sre-bob\" password=\"secret\";");
    assertThat(ControlRequests.operator("alice", sasl, "root"))
        .isEqualTo(new ControlRequests.Operator("alice", "--operator"));
    assertThat(ControlRequests.operator(null, sasl, "root"))
        .isEqualTo(new ControlRequests.Operator("sre-bob", "SASL username"));
    assertThat(ControlRequests.operator(null, Map.of(), "root"))
        .isEqualTo(new ControlRequests.Operator("root", "OS user"));
    assertThatThrownBy(() -> ControlRequests.operator(" ", Map.of(), ""))
        .hasMessageContaining("--operator");
  }

  @Test
  void shouldRefuseAnOperatorNameTheRemediatorWouldRefuse() {
    ControlRequests.Operator tooLong = new ControlRequests.Operator("x".repeat(300), "--operator");
    assertThatThrownBy(
            () ->
                ControlRequests.build(
                    ControlKind.PAUSE, "global", tooLong, null, null, NOW, LIMITS))
        .hasMessageContaining("operator");
  }
}
