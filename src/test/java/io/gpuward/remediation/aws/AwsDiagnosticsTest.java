package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.aws.AwsCloudActuator.Settings;
import io.gpuward.remediation.aws.AwsStub.Reply;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.CommandTrace.State;
import io.gpuward.sim.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DCGM diagnostics through SSM, the real AWS SDK against {@link AwsStub}. */
class AwsDiagnosticsTest {

  private static final String INSTANCE = "i-0123456789abcdef0";
  private static final String OP = "op-3f0c1d2e-aaaa-bbbb-cccc-000000000002";
  private static final Instant SINCE = Instant.parse("2025-06-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private AwsStub stub;
  private AwsClients clients;
  private ManualClock clock;

  @BeforeEach
  void start() throws Exception {
    stub = new AwsStub();
    clients = stub.clients();
    clock = new ManualClock(Instant.parse("2025-06-01T00:05:00Z"));
  }

  @AfterEach
  void stop() {
    clients.close();
    stub.close();
  }

  private AwsCloudActuator actuator() {
    return new AwsCloudActuator(clients, Settings.DEFAULTS, clock, d -> {});
  }

  private static String fixture(String name) {
    try (InputStream in = AwsDiagnosticsTest.class.getResourceAsStream("/dcgm/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(name, e);
    }
  }

  private static String command(String id, String document, String op, String status) {
    return "{\"CommandId\":\""
        + id
        + "\",\"DocumentName\":\""
        + document
        + "\",\"Comment\":\"gpuward validate op="
        + op
        + "\",\"Parameters\":{\"level\":[\"2\"]},\"InstanceIds\":[\""
        + INSTANCE
        + "\"],\"Status\":\""
        + status
        + "\"}";
  }

  private static Reply history(String... commands) {
    return Reply.json("{\"Commands\":[" + String.join(",", commands) + "]}");
  }

  private static Reply invocation(String status, int code, String stdout, String stderr) {
    var n = JSON.createObjectNode();
    n.put("CommandId", "cmd-7");
    n.put("InstanceId", INSTANCE);
    n.put("Status", status);
    n.put("StatusDetails", status.equals("TimedOut") ? "ExecutionTimedOut" : status);
    n.put("ResponseCode", code);
    n.put("StandardOutputContent", stdout);
    n.put("StandardErrorContent", stderr);
    return Reply.json(n.toString());
  }

  /** A fresh stub per case: a scripted stub repeats its last reply, never forgets one. */
  private CommandTrace traceWith(Reply invocation) {
    stop();
    try {
      start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    stub.on("ListCommands", history(command("cmd-7", "gpuward-gpu-diag", OP, "Success")));
    stub.on("GetCommandInvocation", invocation);
    return actuator().diagnosticsTrace(INSTANCE, OP, SINCE);
  }

  @Test
  void shouldSendTheDiagnosticsDocumentWithTheLevelAndTheOperationInTheComment() throws Exception {
    stub.on("ListCommands", history());
    stub.on(
        "SendCommand",
        Reply.json("{\"Command\":{\"CommandId\":\"cmd-7\",\"Status\":\"Pending\"}}"));

    actuator().runDiagnostics(INSTANCE, 2, OP);

    assertThat(stub.operations()).containsExactly("ListCommands", "SendCommand");
    JsonNode look = JSON.readTree(stub.requests("ListCommands").get(0).body());
    assertThat(look.get("Filters").get(0).get("value").asText()).isEqualTo("2025-05-31T00:04:00Z");
    JsonNode body = JSON.readTree(stub.requests("SendCommand").get(0).body());
    assertThat(body.get("DocumentName").asText()).isEqualTo("gpuward-gpu-diag");
    assertThat(body.get("InstanceIds")).hasSize(1);
    // Only the document's own parameters, never a command line.
    assertThat(body.get("Parameters").properties())
        .extracting(Map.Entry::getKey)
        .containsExactly("level", "executionTimeout");
    assertThat(body.get("Parameters").get("level").get(0).asText()).isEqualTo("2");
    assertThat(body.get("Parameters").get("executionTimeout").get(0).asText()).isEqualTo("600");
    assertThat(body.get("Comment").asText()).isEqualTo("gpuward validate op=" + OP);
  }

  @Test
  void shouldNotSendAgainWhatTheHistoryHoldsWithTheSameOperation() {
    stub.on("ListCommands", history(command("cmd-7", "gpuward-gpu-diag", OP, "InProgress")));
    stub.on("GetCommandInvocation", invocation("InProgress", -1, "", ""));

    actuator().runDiagnostics(INSTANCE, 2, OP);

    assertThat(stub.operations()).doesNotContain("SendCommand");
  }

  @Test
  void shouldNotSendBlindWhenTheHistoryCannotBeRead() {
    stub.on("ListCommands", Reply.jsonError(400, "AccessDeniedException", "no ListCommands"));
    assertThatThrownBy(() -> actuator().runDiagnostics(INSTANCE, 2, OP))
        .isInstanceOfSatisfying(
            ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("no ListCommands");
    assertThat(stub.operations()).doesNotContain("SendCommand");
  }

  @Test
  void shouldRefuseALevelOutsideOneToThreeBeforeAnyRequest() {
    for (int level : List.of(0, 4, -1)) {
      assertThatThrownBy(() -> actuator().runDiagnostics(INSTANCE, level, OP))
          .isInstanceOfSatisfying(
              ActuatorException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PERMANENT));
    }
    assertThat(stub.requests()).isEmpty();
  }

  @Test
  void shouldPassWhenDcgmiPrintsAPassingDocument() {
    CommandTrace t = traceWith(invocation("Success", 0, fixture("diag-r2-pass.json"), ""));
    assertThat(t.state()).isEqualTo(State.SUCCEEDED);
    assertThat(t.detail()).contains("cmd-7").contains("all 6 results pass");
  }

  @Test
  void shouldFailNamingTheTestAndGpuWhenDcgmiExitsNonZeroWithADocument() {
    CommandTrace t = traceWith(invocation("Failed", 226, fixture("diag-r2-fail-memory.json"), ""));
    assertThat(t.state()).isEqualTo(State.FAILED);
    assertThat(t.detail())
        .contains("exit code 226")
        .contains("test memory failed on GPU 1")
        .contains("uncorrectable ECC");
  }

  @Test
  void shouldFailAFailingTestEvenWithExitCodeZero() {
    CommandTrace t = traceWith(invocation("Success", 0, fixture("diag-r2-fail-memory.json"), ""));
    assertThat(t.state()).isEqualTo(State.FAILED);
    assertThat(t.detail()).contains("test memory failed on GPU 1");
  }

  @Test
  void shouldFailOutputThatIsNoDocumentWithItsStderr() {
    CommandTrace t = traceWith(invocation("Failed", 127, "", "sh: 1: dcgmi: not found\n"));
    assertThat(t.state()).isEqualTo(State.FAILED);
    assertThat(t.detail()).contains("exit code 127").contains("dcgmi: not found");
    CommandTrace ok = traceWith(invocation("Success", 0, "Successfully ran diagnostic.\n", ""));
    assertThat(ok.state()).isEqualTo(State.FAILED);
    assertThat(ok.detail()).contains("not a JSON document");
  }

  @Test
  void shouldMapWhatSsmSaysOfTheInvocation() {
    assertThat(traceWith(invocation("InProgress", -1, "", "")).state())
        .isEqualTo(State.IN_PROGRESS);
    assertThat(traceWith(invocation("Pending", -1, "", "")).state()).isEqualTo(State.IN_PROGRESS);
    CommandTrace timedOut = traceWith(invocation("TimedOut", -1, "", ""));
    assertThat(timedOut.state()).isEqualTo(State.FAILED);
    assertThat(timedOut.detail()).contains("ExecutionTimedOut").contains("did not finish");
    assertThat(traceWith(invocation("Cancelled", -1, "", "")).state()).isEqualTo(State.FAILED);
  }

  @Test
  void shouldSayNotSentWhenOnlyOtherCommandsCarryTheOperation() {
    stub.on(
        "ListCommands",
        history(
            command("cmd-1", "gpuward-gpu-reset", OP, "Success"),
            command("cmd-2", "gpuward-gpu-diag", "op-other", "Success")));
    CommandTrace t = actuator().diagnosticsTrace(INSTANCE, OP, SINCE);
    assertThat(t.state()).isEqualTo(State.NOT_SENT);
    assertThat(stub.operations()).doesNotContain("GetCommandInvocation");
  }

  @Test
  void shouldSayInProgressWhileTheInvocationIsNotVisibleYetAndUnknownWhenUnreadable() {
    assertThat(traceWith(Reply.jsonError(400, "InvocationDoesNotExist", "")).state())
        .isEqualTo(State.IN_PROGRESS);
    assertThat(traceWith(Reply.jsonError(400, "AccessDeniedException", "denied")).state())
        .isEqualTo(State.UNKNOWN);
  }

  @Test
  void shouldRefuseAnAwsOwnedDiagnosticsDocument() {
    assertThatThrownBy(() -> Settings.DEFAULTS.withDiagDocument("AWS-RunShellScript"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
