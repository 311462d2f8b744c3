package io.gpuward.remediation.aws;

import io.gpuward.remediation.aws.AwsFailures.Call;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.CommandTrace.State;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/**
 * DCGM diagnostics through SSM: {@code SendCommand} of gpuward's diagnostics document ({@code
 * deploy/aws/gpuward-gpu-diag.json}: {@code dcgmi diag -r {{ level }} -j}, the level bound by an
 * {@code allowedPattern}), the operation id in the comment; the outcome is read back from SSM's
 * history ({@code ListCommands} by that id, then {@code GetCommandInvocation}) and dcgmi's JSON on
 * stdout ({@link DcgmDiagResult}). Nothing is polled here: a level-2 run takes minutes, and the
 * remediator asks again on its own schedule.
 */
final class SsmDiagnostics {

  private static final Logger log = LoggerFactory.getLogger(SsmDiagnostics.class);
  private static final int COMMENT_MAX = 100;
  private static final int STDERR_EXCERPT_MAX = 300;

  /** How long SSM keeps trying to deliver the command to an agent that is not answering. */
  private static final int DELIVERY_TIMEOUT_SECONDS = 600;

  private final SsmClient ssm;
  private final String document;

  SsmDiagnostics(SsmClient ssm, String document) {
    this.ssm = ssm;
    this.document = document;
  }

  /**
   * How long a run of {@code level} may take before SSM stops it: about five times NVIDIA's typical
   * run time, the remediator's own default {@code validate.timeout}.
   */
  static long executionTimeoutSeconds(int level) {
    return switch (level) {
      case 1 -> 120;
      case 2 -> 600;
      default -> 3600;
    };
  }

  /**
   * Sends the diagnostics unless the history since {@code lookBack} already holds a command with
   * this token.
   */
  void run(String instanceId, int level, String token, Instant lookBack) {
    CommandTrace before = trace(instanceId, token, lookBack);
    if (before.state() == State.UNKNOWN) {
      // Sending blind could run diagnostics twice on a node that is already running them.
      throw new ActuatorException(
          Kind.TRANSIENT, "cannot tell whether diagnostics were sent: " + before.detail());
    }
    if (before.state() != State.NOT_SENT) {
      log.info(
          "diagnostics already sent instanceId={} op={}: {}", instanceId, token, before.detail());
      return;
    }
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    parameters.put(AwsCloudActuator.LEVEL_PARAMETER, List.of(Integer.toString(level)));
    parameters.put(
        AwsCloudActuator.TIMEOUT_PARAMETER, List.of(Long.toString(executionTimeoutSeconds(level))));
    String comment = truncate("gpuward validate op=" + token, COMMENT_MAX);
    String commandId;
    try {
      commandId =
          ssm.sendCommand(
                  b ->
                      b.documentName(document)
                          .instanceIds(instanceId)
                          .parameters(parameters)
                          .comment(comment)
                          .timeoutSeconds(DELIVERY_TIMEOUT_SECONDS))
              .command()
              .commandId();
    } catch (SdkException e) {
      throw AwsFailures.wrap("SSM SendCommand", instanceId, token, e, Call.MUTATING);
    }
    log.info(
        "diagnostics sent instanceId={} level={} commandId={} op={}",
        instanceId,
        level,
        commandId,
        token);
  }

  /** What became of the diagnostics sent with {@code token}; never throws. */
  CommandTrace trace(String instanceId, String token, Instant since) {
    Command c;
    try {
      c = SsmHistory.find(ssm, instanceId, since, x -> ours(x, token)).orElse(null);
    } catch (SdkException e) {
      return CommandTrace.unknown(
          AwsFailures.describe(
              "SSM ListCommands", instanceId, token, e, AwsFailures.classify(e, Call.READ)));
    }
    if (c == null) {
      return new CommandTrace(
          State.NOT_SENT,
          "SSM has no "
              + document
              + " on "
              + instanceId
              + " with op="
              + token
              + " since "
              + SsmHistory.after(since));
    }
    return invocation(c, instanceId, token);
  }

  private boolean ours(Command c, String token) {
    return SsmHistory.carries(c, token) && document.equals(c.documentName());
  }

  private CommandTrace invocation(Command c, String instanceId, String token) {
    String where = "SSM command " + c.commandId() + " on " + instanceId;
    GetCommandInvocationResponse inv;
    try {
      inv = ssm.getCommandInvocation(b -> b.commandId(c.commandId()).instanceId(instanceId));
    } catch (InvocationDoesNotExistException e) {
      return new CommandTrace(State.IN_PROGRESS, where + " is sent, not yet visible");
    } catch (SdkException e) {
      return CommandTrace.unknown(
          AwsFailures.describe(
              "SSM GetCommandInvocation", where, token, e, AwsFailures.classify(e, Call.READ)));
    }
    String status = inv.statusAsString() + " (" + inv.statusDetails() + ")";
    return switch (inv.status()) {
      case PENDING, IN_PROGRESS, DELAYED, CANCELLING ->
          new CommandTrace(State.IN_PROGRESS, where + " is " + status);
      case SUCCESS, FAILED -> outcome(inv, where);
      case TIMED_OUT, CANCELLED ->
          new CommandTrace(State.FAILED, where + " is " + status + ": dcgmi diag did not finish");
      default -> CommandTrace.unknown(where + " is " + status);
    };
  }

  /**
   * A finished run: dcgmi's document decides whatever the exit code (dcgmi 4 exits non-zero when a
   * test fails, so SSM says Failed with the document on stdout; an exit code 0 with a failing test
   * still fails).
   */
  private static CommandTrace outcome(GetCommandInvocationResponse inv, String where) {
    DcgmDiagResult result = DcgmDiagResult.parse(inv.standardOutputContent());
    String head = where + " exit code " + inv.responseCode() + ": ";
    if (result instanceof DcgmDiagResult.Passed) {
      return new CommandTrace(State.SUCCEEDED, head + "dcgmi diag " + result.describe());
    }
    if (result instanceof DcgmDiagResult.Failed) {
      return new CommandTrace(State.FAILED, head + "dcgmi diag " + result.describe());
    }
    return new CommandTrace(
        State.FAILED,
        head + result.describe() + "; stderr: " + excerpt(inv.standardErrorContent()));
  }

  private static String excerpt(String stderr) {
    if (stderr == null || stderr.isBlank()) {
      return "(none)";
    }
    String oneLine = stderr.strip().replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?");
    return truncate(oneLine, STDERR_EXCERPT_MAX);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
