package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ControlCommandsTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final ControlCommands.Limits LIMITS = ControlCommands.Limits.DEFAULTS;

  private static ControlCommand.Builder command() {
    return ControlCommand.newBuilder()
        .setCommandId("cmd-1")
        .setScope("nodegroup:p5-train")
        .setKind(ControlKind.PAUSE)
        .setOperator("alice")
        .setReason("maintenance")
        .setIssuedAt(NOW.minusSeconds(30))
        .setExpiresAt(NOW.plusSeconds(3600));
  }

  private static Optional<String> check(ControlCommand c) {
    return ControlCommands.check(c.getScope(), c, NOW, LIMITS);
  }

  @Test
  void shouldAcceptAWellFormedCommandOfEveryScopeForm() {
    for (String scope :
        new String[] {
          "global", "nodegroup:p5-train", "zone:us-east-1a", "node:p5-train-2", "verdict:v-1"
        }) {
      assertThat(check(command().setScope(scope).build())).as(scope).isEmpty();
    }
    assertThat(check(command().setExpiresAt(null).build())).isEmpty();
  }

  @Test
  void shouldRefuseACommandWithoutId() {
    assertThat(check(command().setCommandId("").build())).get().asString().contains("commandId");
    assertThat(check(command().setCommandId("  ").build())).isPresent();
    assertThat(check(command().setCommandId("x".repeat(300)).build()))
        .get()
        .asString()
        .contains("300 chars");
  }

  @Test
  void shouldRefuseAnUnknownScopeOrOneThatIsNotTheKey() {
    assertThat(check(command().setScope("cluster:all").build())).get().asString().contains("scope");
    assertThat(check(command().setScope("node:' OR 1=1; DROP TABLE x").build())).isPresent();
    assertThat(check(command().setScope("node:" + "a".repeat(254)).build())).isPresent();
    assertThat(check(command().setScope("nodegroup:").build())).isPresent();
    ControlCommand c = command().build();
    assertThat(ControlCommands.check("global", c, NOW, LIMITS))
        .get()
        .asString()
        .contains("not the command's scope");
    assertThat(ControlCommands.check(null, c, NOW, LIMITS)).isPresent();
  }

  @Test
  void shouldRefuseACommandWithoutOperator() {
    assertThat(check(command().setOperator(" ").build())).get().asString().contains("operator");
  }

  @Test
  void shouldRefuseACommandIssuedInTheFuture() {
    assertThat(check(command().setIssuedAt(NOW.plusSeconds(60)).build())).isEmpty();
    assertThat(
            check(
                command()
                    .setIssuedAt(NOW.plus(Duration.ofHours(1)))
                    .setExpiresAt(NOW.plus(Duration.ofHours(2)))
                    .build()))
        .get()
        .asString()
        .contains("future");
  }

  @Test
  void shouldRefuseAVetoThatExpiresIn2100() {
    ControlCommand veto =
        command()
            .setKind(ControlKind.VETO)
            .setScope("node:p5-train-2")
            .setExpiresAt(Instant.parse("2100-01-01T00:00:00Z"))
            .build();
    assertThat(check(veto)).get().asString().contains("more than 168h");
    assertThat(check(command().setExpiresAt(NOW.minusSeconds(60)).build()))
        .get()
        .asString()
        .contains("not after issuedAt");
    var longer = new ControlCommands.Limits(Duration.ofDays(365 * 100), Duration.ofMinutes(5));
    assertThat(ControlCommands.check(veto.getScope(), veto, NOW, longer)).isEmpty();
  }
}
