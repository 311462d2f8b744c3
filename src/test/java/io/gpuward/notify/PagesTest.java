package io.gpuward.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentClass;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PagesTest {
  static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");

  static RemediationRecord escalation(String op, Outcome outcome, boolean dryRun) {
    return RemediationRecord.newBuilder()
        .setOperationId(op)
        .setVerdictId("v-1")
        .setNode("c6i-etl-0")
        .setAction(RemediationAction.ESCALATE)
        .setOutcome(outcome)
        .setAttempt(1)
        .setPolicyVersion("p")
        .setAt(T0)
        .setFaultClass(FaultClass.IMAGE_INSTANCE_MISMATCH)
        .setNodegroup("c6i-etl")
        .setDryRun(dryRun)
        .setDetail("NVIDIA image on a CPU instance | fix: use the standard image")
        .build();
  }

  static FleetIncident incident(IncidentState state) {
    return FleetIncident.newBuilder()
        .setIncidentId("inc-1")
        .setScope("nodegroup:p4d-train")
        .setIncidentClass(IncidentClass.values()[0])
        .setSignature("GPU_LOST:xid=79")
        .setNodes(List.of("p4d-train-2", "p4d-train-4"))
        .setState(state)
        .setDetectedAt(T0)
        .setUpdatedAt(T0)
        .setFaultClass(FaultClass.GPU_LOST)
        .setSummary("5 nodes lost a GPU")
        .build();
  }

  @Test
  void shouldPageAnEscalationOnceItWasCarriedOutUnderItsOperationId() {
    assertThat(Pages.of(escalation("op-1", Outcome.SUCCEEDED, false)))
        .hasValueSatisfying(
            e -> {
              assertThat(e.id()).isEqualTo("op-1");
              assertThat(e.type()).isEqualTo(Pages.ESCALATION);
              assertThat(e.subject()).isEqualTo("c6i-etl-0");
              assertThat(e.data().get("detail").asText()).contains("fix:");
              assertThat(new String(e.toJson()))
                  .contains("\"specversion\":\"1.0\"", "\"id\":\"op-1\"", "\"time\":\"" + T0);
            });
    assertThat(Pages.of(escalation("op-1", Outcome.PLANNED, false))).isEmpty();
    assertThat(Pages.of(escalation("op-1", Outcome.STARTED, false))).isEmpty();
    assertThat(Pages.of(escalation("op-1", Outcome.SUCCEEDED, true))).as("dry run").isEmpty();
  }

  @Test
  void shouldPageANewIncidentButNotItsUpdates() {
    assertThat(Pages.of(incident(IncidentState.OPEN)))
        .hasValueSatisfying(
            e -> {
              assertThat(e.id()).isEqualTo("inc-1/nodegroup:p4d-train/OPEN");
              assertThat(e.type()).isEqualTo(Pages.INCIDENT_OPENED);
              assertThat(e.data().get("nodes")).hasSize(2);
            });
    assertThat(Pages.of(incident(IncidentState.UPDATED))).isEmpty();
    assertThat(Pages.of(incident(IncidentState.CLEARED))).isEmpty();
  }

  @Test
  void shouldRetryServerErrorsAndThrottlingButNotARefusal() {
    assertThat(Webhook.classify(202, "")).isInstanceOf(Webhook.Result.Delivered.class);
    assertThat(Webhook.classify(503, "")).isInstanceOf(Webhook.Result.Retry.class);
    assertThat(Webhook.classify(429, "")).isInstanceOf(Webhook.Result.Retry.class);
    assertThat(Webhook.classify(408, "")).isInstanceOf(Webhook.Result.Retry.class);
    assertThat(Webhook.classify(400, "bad event"))
        .isEqualTo(new Webhook.Result.Rejected(400, "bad event"));
  }
}
