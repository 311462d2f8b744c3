package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What ctl prints and how it exits, for each answer the remediator may give. */
class CtlOutputTest {
  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
  private static final ControlRequests.Operator BOB =
      new ControlRequests.Operator("bob", "SASL username");
  private static final RecordMetadata AT =
      new RecordMetadata(new TopicPartition("gpuward.control.v1", 1), 41, 0, 0, 0, 0);

  private static ControlCommand command(String id) {
    return ControlCommand.newBuilder()
        .setCommandId(id)
        .setScope("global")
        .setKind(ControlKind.PAUSE)
        .setOperator("bob")
        .setIssuedAt(T)
        .setExpiresAt(T.plusSeconds(3600))
        .build();
  }

  private static RemediationRecord audit(String id) {
    return RemediationRecord.newBuilder()
        .setOperationId("ctl-" + id)
        .setVerdictId(id)
        .setNode("global")
        .setAction(RemediationAction.NONE)
        .setOutcome(Outcome.SUCCEEDED)
        .setAttempt(1)
        .setPolicyVersion("1")
        .setAt(T.plusMillis(150))
        .setDryRun(true)
        .setDetail("PAUSE global by bob")
        .build();
  }

  @Test
  void shouldExitWithTheWorstOutcome() {
    var applied = new ControlSender.Applied(command("a"), AT, audit("a"));
    var refused = new ControlSender.Refused(command("b"), AT, "expiresAt too far");
    var pending = new ControlSender.Pending(command("c"), AT);
    assertThat(CtlOutput.exitCode(List.of(applied), true)).isZero();
    assertThat(CtlOutput.exitCode(List.of(applied, pending), true)).isEqualTo(4);
    assertThat(CtlOutput.exitCode(List.of(pending, refused, applied), true)).isEqualTo(3);
    assertThat(CtlOutput.exitCode(List.of(pending), false)).as("--wait 0s").isZero();
  }

  @Test
  void shouldSayWhatWasAppliedByWhomAndWhere() {
    String line =
        CtlOutput.line(
            new ControlSender.Applied(command("a"), AT, audit("a")),
            BOB,
            Duration.ofSeconds(30),
            true);
    assertThat(line)
        .isEqualTo(
            "applied: PAUSE global by bob (SASL username) until 2026-12-07T11:00:00Z; audited by"
                + " the remediator at 2026-12-07T10:00:00.150Z (remediator in dry run); command a");
  }

  @Test
  void shouldSayACommandWithoutAnswerIsOnTheTopic() {
    String line =
        CtlOutput.line(
            new ControlSender.Pending(command("c"), AT), BOB, Duration.ofSeconds(30), true);
    assertThat(line)
        .startsWith("not applied yet: PAUSE global by bob (SASL username)")
        .contains("is on gpuward.control.v1 partition 1 offset 41")
        .contains("within 30s");
  }

  @Test
  void shouldPrintTheRefusalInJson() {
    String json =
        CtlOutput.json(new ControlSender.Refused(command("b"), AT, "expiresAt too far"), BOB, true);
    assertThat(json)
        .contains("\"status\":\"refused\"", "\"refusal\":\"expiresAt too far\"")
        .contains("\"operatorSource\":\"SASL username\"", "\"offset\":41");
  }
}
