package io.gpuward.remediation.aws;

import io.gpuward.aws.AwsClients;
import io.gpuward.remediation.aws.AwsFailures.Call;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.CommandTrace;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesResponse;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.SendCommandResponse;

/**
 * {@link CloudPort} on AWS: EC2 {@code RebootInstances}, Auto Scaling {@code
 * TerminateInstanceInAutoScalingGroup} (desired capacity kept) or {@code SetInstanceHealth
 * Unhealthy}, and a GPU reset through SSM {@code SendCommand} of gpuward's own document ({@code
 * deploy/aws/gpuward-gpu-reset.json}: {@code nvidia-smi -r -i {{ gpu }}}, the GPU parameter bound
 * by an {@code allowedPattern}) polled with {@code GetCommandInvocation}; after a crash, the
 * reset's command is found again in {@code ListCommands} by its document, GPU parameter and the
 * operation id in its comment. DCGM diagnostics before return to service go through gpuward's
 * diagnostics document ({@code deploy/aws/gpuward-gpu-diag.json}, {@link SsmDiagnostics}).
 *
 * <p>Every argument is validated ({@link AwsInputs}) before any request; every SDK failure becomes
 * an {@link ActuatorException} classified by {@link AwsFailures}. Thread-safe: the SDK clients are,
 * and the actuator keeps no mutable state.
 */
public final class AwsCloudActuator implements CloudPort {

  private static final Logger log = LoggerFactory.getLogger(AwsCloudActuator.class);

  /** The default name of gpuward's GPU-reset SSM document ({@code deploy/aws/}). */
  public static final String GPU_RESET_DOCUMENT = "gpuward-gpu-reset";

  /** The document's parameters: the GPU to reset, and how long the reset may run. */
  public static final String GPU_PARAMETER = "gpu";

  public static final String TIMEOUT_PARAMETER = "executionTimeout";

  /** The default name of gpuward's diagnostics SSM document ({@code deploy/aws/}). */
  public static final String DIAG_DOCUMENT = "gpuward-gpu-diag";

  /** The diagnostics document's run-level parameter. */
  public static final String LEVEL_PARAMETER = "level";

  /** How far back {@link #runDiagnostics} looks for a command it already sent. */
  public static final Duration DIAG_LOOK_BACK = Duration.ofDays(1);

  /** The document's {@code executionTimeout} allows 1 to 600 seconds. */
  private static final long EXECUTION_TIMEOUT_MAX = 600;

  private static final int COMMENT_MAX = 100;
  private static final int STDERR_EXCERPT_MAX = 300;

  /** How {@link #replace} hands the instance back to its Auto Scaling group. */
  public enum ReplaceMode {
    /**
     * {@code TerminateInstanceInAutoScalingGroup} with {@code
     * ShouldDecrementDesiredCapacity=false}: the group launches a replacement at once.
     */
    TERMINATE,
    /**
     * {@code SetInstanceHealth HealthStatus=Unhealthy ShouldRespectGracePeriod=false}: the group
     * replaces the instance through its own health-check path (lifecycle hooks, instance refresh
     * rules and warm pools apply).
     */
    SET_UNHEALTHY
  }

  /**
   * Actuator settings.
   *
   * @param ssmDocument SSM document for the GPU reset (name or ARN), with the parameters of {@code
   *     deploy/aws/gpuward-gpu-reset.json}; never an AWS-owned document
   * @param commandTimeout how long a GPU reset may take, delivery included: the polling deadline
   *     and the command's {@code executionTimeout}
   * @param pollInterval delay between {@code GetCommandInvocation} polls
   * @param replaceMode how {@link #replace} asks Auto Scaling for a new instance
   * @param diagDocument SSM document for DCGM diagnostics (name or ARN), with the parameters of
   *     {@code deploy/aws/gpuward-gpu-diag.json}; never an AWS-owned document
   */
  public record Settings(
      String ssmDocument,
      Duration commandTimeout,
      Duration pollInterval,
      ReplaceMode replaceMode,
      String diagDocument) {

    /** {@value #GPU_RESET_DOCUMENT}, 2 min, polls every 2 s, TERMINATE, {@value #DIAG_DOCUMENT}. */
    public static final Settings DEFAULTS =
        new Settings(
            GPU_RESET_DOCUMENT,
            Duration.ofMinutes(2),
            Duration.ofSeconds(2),
            ReplaceMode.TERMINATE,
            DIAG_DOCUMENT);

    public Settings {
      AwsInputs.ssmDocument(ssmDocument);
      AwsInputs.ssmDocument(diagDocument);
      if (commandTimeout == null || commandTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("commandTimeout must be at least 1s: " + commandTimeout);
      }
      if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
      }
      Objects.requireNonNull(replaceMode, "replaceMode");
    }

    /** A copy with another GPU-reset document. */
    public Settings withSsmDocument(String document) {
      return new Settings(document, commandTimeout, pollInterval, replaceMode, diagDocument);
    }

    /** A copy with another replace mode. */
    public Settings withReplaceMode(ReplaceMode mode) {
      return new Settings(ssmDocument, commandTimeout, pollInterval, mode, diagDocument);
    }

    /** A copy with another diagnostics document. */
    public Settings withDiagDocument(String document) {
      return new Settings(ssmDocument, commandTimeout, pollInterval, replaceMode, document);
    }
  }

  private final AwsClients aws;
  private final Settings settings;
  private final Clock clock;
  private final Sleeper sleeper;
  private final String eksCluster;
  private final NodegroupResolver nodegroups;
  private final SsmDiagnostics diagnostics;

  /** How long a node group's Auto Scaling groups (EKS DescribeNodegroup) are reused. */
  public static final Duration NODEGROUP_CACHE = Duration.ofMinutes(10);

  /**
   * @param aws the SDK clients ({@link AwsClients#create})
   * @param settings document, timeouts, replace mode
   * @param clock the time source of the command deadline
   * @param sleeper waits between polls ({@link Sleeper#SYSTEM} in production)
   */
  public AwsCloudActuator(AwsClients aws, Settings settings, Clock clock, Sleeper sleeper) {
    this(aws, settings, clock, sleeper, null);
  }

  /**
   * @param eksCluster the EKS cluster whose node groups are resolved to Auto Scaling groups
   *     (DescribeNodegroup, cached {@link #NODEGROUP_CACHE}) when neither the node nor the
   *     inventory names the group; null to not resolve
   */
  public AwsCloudActuator(
      AwsClients aws, Settings settings, Clock clock, Sleeper sleeper, String eksCluster) {
    this.aws = Objects.requireNonNull(aws, "aws");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.eksCluster = eksCluster == null || eksCluster.isBlank() ? null : eksCluster;
    this.nodegroups =
        this.eksCluster == null ? null : new NodegroupResolver(aws.eks(), clock, NODEGROUP_CACHE);
    this.diagnostics = new SsmDiagnostics(aws.ssm(), settings.diagDocument());
  }

  /**
   * The node group's Auto Scaling group through EKS {@code DescribeNodegroup} (cached), when the
   * actuator knows its cluster and the node group has exactly one; {@link #replace} then checks the
   * instance is in it before terminating.
   *
   * @throws ActuatorException PERMANENT for an unknown node group, TRANSIENT on throttling
   */
  @Override
  public Optional<String> autoScalingGroupOf(String nodegroup) {
    if (nodegroups == null || nodegroup == null || nodegroup.isBlank()) {
      return Optional.empty();
    }
    List<String> groups = nodegroups.autoScalingGroups(eksCluster, nodegroup);
    if (groups.size() != 1) {
      log.info(
          "node group {}/{} has {} Auto Scaling groups; the instance's own is looked up",
          eksCluster,
          nodegroup,
          groups.size());
      return Optional.empty();
    }
    return Optional.of(groups.get(0));
  }

  /**
   * Resets one GPU with {@code nvidia-smi -r -i <gpu>} through SSM and waits for the result. The
   * node must already be drained (nvidia-smi refuses to reset a GPU in use).
   *
   * @param instanceId EC2 instance id
   * @param gpu GPU UUID ({@code GPU-…}) or index (0–63); anything else is rejected before any call
   * @param idempotencyToken the operation id; carried in the command's comment
   * @throws ActuatorException PERMANENT when the command failed (exit code and stderr excerpt in
   *     the message) or an argument is invalid; AMBIGUOUS when the deadline passed or the outcome
   *     could not be read after sending; TRANSIENT when AWS could not take the command
   */
  @Override
  public void resetGpu(String instanceId, String gpu, String idempotencyToken) {
    AwsInputs.instanceId(instanceId);
    AwsInputs.gpu(gpu);
    String token = AwsInputs.token(idempotencyToken);
    String comment = truncate("gpuward reset-gpu op=" + token, COMMENT_MAX);

    Map<String, List<String>> parameters = new LinkedHashMap<>();
    parameters.put(GPU_PARAMETER, List.of(gpu));
    long seconds = Math.min(EXECUTION_TIMEOUT_MAX, settings.commandTimeout().toSeconds());
    parameters.put(TIMEOUT_PARAMETER, List.of(Long.toString(seconds)));
    Instant deadline = clock.instant().plus(settings.commandTimeout());
    String commandId;
    try {
      SendCommandResponse sent =
          aws.ssm()
              .sendCommand(
                  b ->
                      b.documentName(settings.ssmDocument())
                          .instanceIds(instanceId)
                          .parameters(parameters)
                          .comment(comment)
                          .timeoutSeconds(
                              (int) Math.max(30, settings.commandTimeout().toSeconds())));
      commandId = sent.command().commandId();
    } catch (SdkException e) {
      throw AwsFailures.wrap("SSM SendCommand", instanceId, token, e, Call.MUTATING);
    }
    log.info(
        "GPU reset sent instanceId={} gpu={} commandId={} op={}",
        instanceId,
        gpu,
        commandId,
        token);
    awaitCommand(instanceId, gpu, commandId, token, deadline);
  }

  /**
   * The GPU reset sent with {@code idempotencyToken}, from SSM's command history: {@code
   * ListCommands} for the instance since {@code since} (minus a minute for clock skew), matched by
   * the document, its GPU parameter, and the comment holding the token. SSM keeps the history for
   * 30 days.
   */
  @Override
  public CommandTrace gpuResetTrace(
      String instanceId, String gpu, String idempotencyToken, Instant since) {
    String token;
    try {
      AwsInputs.instanceId(instanceId);
      AwsInputs.gpu(gpu);
      token = AwsInputs.token(idempotencyToken);
    } catch (ActuatorException e) {
      return CommandTrace.unknown(e.getMessage());
    }
    String line = settings.ssmDocument() + " " + GPU_PARAMETER + "=" + gpu;
    try {
      return SsmHistory.find(aws.ssm(), instanceId, since, c -> isReset(c, token, gpu))
          .map(c -> trace(c, instanceId))
          .orElseGet(
              () ->
                  new CommandTrace(
                      CommandTrace.State.NOT_SENT,
                      "SSM has no "
                          + line
                          + " on "
                          + instanceId
                          + " with op="
                          + token
                          + " since "
                          + SsmHistory.after(since)));
    } catch (SdkException e) {
      return CommandTrace.unknown(
          AwsFailures.describe(
              "SSM ListCommands", instanceId, token, e, AwsFailures.classify(e, Call.READ)));
    }
  }

  /** Our reset of {@code gpu}: our document, that GPU, our operation. */
  private boolean isReset(Command c, String token, String gpu) {
    boolean ours = SsmHistory.carries(c, token);
    boolean document = settings.ssmDocument().equals(c.documentName());
    boolean thisGpu =
        c.parameters() != null
            && c.parameters().getOrDefault(GPU_PARAMETER, List.of()).contains(gpu);
    return ours && document && thisGpu;
  }

  private static CommandTrace trace(Command c, String instanceId) {
    var state =
        switch (c.status()) {
          case SUCCESS -> CommandTrace.State.SUCCEEDED;
          case PENDING, IN_PROGRESS, CANCELLING -> CommandTrace.State.IN_PROGRESS;
          case FAILED, TIMED_OUT, CANCELLED -> CommandTrace.State.FAILED;
          default -> CommandTrace.State.UNKNOWN;
        };
    return new CommandTrace(
        state,
        "SSM command "
            + c.commandId()
            + " on "
            + instanceId
            + " is "
            + c.statusAsString()
            + (c.statusDetails() == null ? "" : " (" + c.statusDetails() + ")"));
  }

  private void awaitCommand(
      String instanceId, String gpu, String commandId, String token, Instant deadline) {
    String where = instanceId + " command " + commandId;
    int polls = 0;
    while (true) {
      if (!clock.instant().isBefore(deadline)) {
        throw new ActuatorException(
            Kind.AMBIGUOUS,
            "SSM command "
                + commandId
                + " (nvidia-smi -r -i "
                + gpu
                + ") on "
                + instanceId
                + " did not finish within "
                + settings.commandTimeout()
                + "; the GPU may or may not have been reset op="
                + token);
      }
      pause(where, token);
      polls++;
      GetCommandInvocationResponse inv = pollInvocation(instanceId, commandId, token, polls);
      if (inv != null && finished(inv, instanceId, gpu, commandId, token)) {
        return;
      }
    }
  }

  /**
   * One GetCommandInvocation; null when there is nothing to read yet (not visible, or a transient
   * failure), so the caller polls again.
   */
  private GetCommandInvocationResponse pollInvocation(
      String instanceId, String commandId, String token, int polls) {
    try {
      return aws.ssm().getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId));
    } catch (InvocationDoesNotExistException e) {
      log.debug(
          "GPU reset not visible yet instanceId={} commandId={} poll={} op={}",
          instanceId,
          commandId,
          polls,
          token);
      return null;
    } catch (SdkException e) {
      Kind kind = AwsFailures.classify(e, Call.READ);
      if (kind == Kind.TRANSIENT) {
        log.warn(
            "GPU reset poll failed, polling on instanceId={} commandId={} op={}: {}",
            instanceId,
            commandId,
            token,
            e.getMessage());
        return null;
      }
      // The command was sent; not being able to read its outcome leaves it unknown.
      String where = instanceId + " command " + commandId;
      throw new ActuatorException(
          Kind.AMBIGUOUS,
          AwsFailures.describe("SSM GetCommandInvocation", where, token, e, Kind.AMBIGUOUS),
          e);
    }
  }

  /** True when the reset succeeded, false while it runs; throws when it failed or stopped. */
  private boolean finished(
      GetCommandInvocationResponse inv,
      String instanceId,
      String gpu,
      String commandId,
      String token) {
    CommandInvocationStatus status = inv.status();
    if (status == CommandInvocationStatus.SUCCESS) {
      log.info(
          "GPU reset succeeded instanceId={} gpu={} commandId={} op={}",
          instanceId,
          gpu,
          commandId,
          token);
      return true;
    }
    if (status == CommandInvocationStatus.FAILED) {
      throw new ActuatorException(
          Kind.PERMANENT,
          "nvidia-smi -r -i "
              + gpu
              + " failed on "
              + instanceId
              + " (SSM command "
              + commandId
              + ", "
              + inv.statusDetails()
              + ", exit code "
              + inv.responseCode()
              + "): "
              + excerpt(inv.standardErrorContent())
              + " op="
              + token);
    }
    if (status == CommandInvocationStatus.TIMED_OUT
        || status == CommandInvocationStatus.CANCELLED) {
      throw stopped(inv, instanceId, commandId, token);
    }
    log.debug(
        "GPU reset in progress instanceId={} commandId={} status={} op={}",
        instanceId,
        commandId,
        inv.statusAsString(),
        token);
    return false;
  }

  private static ActuatorException stopped(
      GetCommandInvocationResponse inv, String instanceId, String commandId, String token) {
    if (inv.status() == CommandInvocationStatus.CANCELLED) {
      return new ActuatorException(
          Kind.AMBIGUOUS,
          "SSM command "
              + commandId
              + " on "
              + instanceId
              + " was cancelled ("
              + inv.statusDetails()
              + ") op="
              + token);
    }
    // DeliveryTimedOut: the agent never got the command, so nothing ran.
    boolean neverDelivered =
        "DeliveryTimedOut".equalsIgnoreCase(String.valueOf(inv.statusDetails()));
    return new ActuatorException(
        neverDelivered ? Kind.TRANSIENT : Kind.AMBIGUOUS,
        "SSM command "
            + commandId
            + " on "
            + instanceId
            + " timed out ("
            + inv.statusDetails()
            + ") op="
            + token);
  }

  /**
   * Starts {@code dcgmi diag -r <level> -j} on the instance through SSM ({@link
   * Settings#diagDocument()}) and returns once SSM accepted it. The operation id travels in the
   * comment; a command with it in the last {@link #DIAG_LOOK_BACK} of the instance's history is not
   * sent again.
   *
   * @throws ActuatorException PERMANENT for an invalid argument or an instance SSM does not manage;
   *     TRANSIENT when AWS could not take it, or the history could not be read (sending blind could
   *     run it twice); AMBIGUOUS when the send timed out
   */
  @Override
  public void runDiagnostics(String instanceId, int level, String idempotencyToken) {
    AwsInputs.instanceId(instanceId);
    AwsInputs.diagLevel(level);
    String token = AwsInputs.token(idempotencyToken);
    diagnostics.run(instanceId, level, token, clock.instant().minus(DIAG_LOOK_BACK));
  }

  /**
   * The diagnostics sent with {@code idempotencyToken}: {@code ListCommands} by the operation id in
   * the comment and the diagnostics document, then {@code GetCommandInvocation}, whose stdout
   * (dcgmi's JSON, {@link DcgmDiagResult}) decides pass or fail once it finished.
   */
  @Override
  public CommandTrace diagnosticsTrace(String instanceId, String idempotencyToken, Instant since) {
    String token;
    try {
      AwsInputs.instanceId(instanceId);
      token = AwsInputs.token(idempotencyToken);
    } catch (ActuatorException e) {
      return CommandTrace.unknown(e.getMessage());
    }
    return diagnostics.trace(instanceId, token, since);
  }

  /**
   * Reboots the instance with EC2 {@code RebootInstances}. EC2 has no client token for reboots; the
   * remediator's ledger keeps a finished reboot from being repeated.
   *
   * @throws ActuatorException PERMANENT for an invalid or unknown instance id, TRANSIENT on
   *     throttling or 5xx after the SDK's bounded retries, AMBIGUOUS on a timeout after sending
   */
  @Override
  public void reboot(String instanceId, String idempotencyToken) {
    AwsInputs.instanceId(instanceId);
    String token = AwsInputs.token(idempotencyToken);
    try {
      aws.ec2().rebootInstances(b -> b.instanceIds(instanceId));
    } catch (SdkException e) {
      throw AwsFailures.wrap("EC2 RebootInstances", instanceId, token, e, Call.MUTATING);
    }
    log.info("reboot requested instanceId={} op={}", instanceId, token);
  }

  /**
   * Replaces the instance through its Auto Scaling group, keeping desired capacity. The group is
   * always looked up first with {@code DescribeAutoScalingInstances}: when {@code asgName} is null
   * or blank that resolves it; when given, it must match (a mismatch is PERMANENT). An instance
   * already terminating (or, in {@link ReplaceMode#SET_UNHEALTHY}, already marked Unhealthy) is not
   * acted on again, which makes a retry after an AMBIGUOUS failure safe.
   *
   * @throws ActuatorException PERMANENT when the instance is in no Auto Scaling group, in another
   *     group than {@code asgName}, or arguments are invalid; TRANSIENT while a scaling activity is
   *     in progress or on throttling/5xx; AMBIGUOUS on a timeout after sending
   */
  @Override
  public void replace(String instanceId, String asgName, String idempotencyToken) {
    AwsInputs.instanceId(instanceId);
    String expectedAsg = AwsInputs.asgNameOrNull(asgName);
    String token = AwsInputs.token(idempotencyToken);

    AutoScalingInstanceDetails details = describeAsgInstance(instanceId, token);
    String group = details.autoScalingGroupName();
    if (expectedAsg != null && !expectedAsg.equals(group)) {
      throw new ActuatorException(
          Kind.PERMANENT,
          "instance "
              + instanceId
              + " belongs to Auto Scaling group "
              + group
              + ", not "
              + expectedAsg
              + "; not replacing op="
              + token);
    }
    String lifecycle = String.valueOf(details.lifecycleState());
    if (lifecycle.toLowerCase(Locale.ROOT).contains("terminat")) {
      log.info(
          "replace: already {} instanceId={} asg={} op={}", lifecycle, instanceId, group, token);
      return;
    }
    if (settings.replaceMode() == ReplaceMode.SET_UNHEALTHY) {
      if ("Unhealthy".equalsIgnoreCase(details.healthStatus())) {
        log.info("replace: already Unhealthy instanceId={} asg={} op={}", instanceId, group, token);
        return;
      }
      try {
        aws.autoScaling()
            .setInstanceHealth(
                b ->
                    b.instanceId(instanceId)
                        .healthStatus("Unhealthy")
                        .shouldRespectGracePeriod(false));
      } catch (SdkException e) {
        throw AwsFailures.wrap(
            "AutoScaling SetInstanceHealth", instanceId, token, e, Call.MUTATING);
      }
      log.info("replace: marked Unhealthy instanceId={} asg={} op={}", instanceId, group, token);
      return;
    }
    try {
      aws.autoScaling()
          .terminateInstanceInAutoScalingGroup(
              b -> b.instanceId(instanceId).shouldDecrementDesiredCapacity(false));
    } catch (SdkException e) {
      throw AwsFailures.wrap(
          "AutoScaling TerminateInstanceInAutoScalingGroup", instanceId, token, e, Call.MUTATING);
    }
    log.info(
        "replace: terminating, desired capacity kept instanceId={} asg={} op={}",
        instanceId,
        group,
        token);
  }

  private AutoScalingInstanceDetails describeAsgInstance(String instanceId, String token) {
    DescribeAutoScalingInstancesResponse r;
    try {
      r = aws.autoScaling().describeAutoScalingInstances(b -> b.instanceIds(instanceId));
    } catch (SdkException e) {
      throw AwsFailures.wrap(
          "AutoScaling DescribeAutoScalingInstances", instanceId, token, e, Call.READ);
    }
    return r.autoScalingInstances().stream()
        .filter(d -> instanceId.equals(d.instanceId()))
        .findFirst()
        .orElseThrow(
            () ->
                new ActuatorException(
                    Kind.PERMANENT,
                    "instance " + instanceId + " is in no Auto Scaling group op=" + token));
  }

  private void pause(String where, String token) {
    try {
      sleeper.sleep(settings.pollInterval());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ActuatorException(
          Kind.AMBIGUOUS,
          "interrupted while waiting for SSM " + where + "; outcome unknown op=" + token,
          e);
    }
  }

  private static String excerpt(String stderr) {
    if (stderr == null || stderr.isBlank()) {
      return "(no stderr)";
    }
    String oneLine = stderr.strip().replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?");
    return truncate(oneLine, STDERR_EXCERPT_MAX);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
