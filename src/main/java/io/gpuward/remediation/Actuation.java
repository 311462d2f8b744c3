package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply end of the loop: carries one step out through the cluster and cloud ports, and reads
 * back what they know (the node's state before a step, a GPU reset's command history).
 */
final class Actuation {
  private static final Logger log = LoggerFactory.getLogger(Actuation.class);

  private final ClusterPort cluster;
  private final CloudPort cloud;
  private final FleetView fleet;
  private final Duration drainDeadline;
  private final int diagnosticsLevel;
  private final RemediationPolicy.GpuReset gpuReset;
  private final RemediationPolicy.PerGpu perGpu;
  private final RemediationPolicy.Validate validate;

  Actuation(
      ClusterPort cluster,
      CloudPort cloud,
      FleetView fleet,
      Duration drainDeadline,
      int diagnosticsLevel,
      RemediationPolicy.GpuReset gpuReset) {
    this(
        cluster,
        cloud,
        fleet,
        drainDeadline,
        diagnosticsLevel,
        gpuReset,
        RemediationPolicy.PerGpu.OFF,
        RemediationPolicy.Validate.OFF);
  }

  Actuation(
      ClusterPort cluster,
      CloudPort cloud,
      FleetView fleet,
      Duration drainDeadline,
      int diagnosticsLevel,
      RemediationPolicy.GpuReset gpuReset,
      RemediationPolicy.PerGpu perGpu,
      RemediationPolicy.Validate validate) {
    this.cluster = cluster;
    this.cloud = cloud;
    this.fleet = fleet;
    this.drainDeadline = drainDeadline;
    this.diagnosticsLevel = diagnosticsLevel;
    this.gpuReset = gpuReset;
    this.perGpu = perGpu;
    this.validate = validate;
  }

  /** The node as the cluster shows it now. */
  Optional<LiveNode> observe(String node) {
    return cluster.node(node);
  }

  /** Carries {@code step} out, nothing planned after it; the detail of its SUCCEEDED record. */
  String execute(FaultVerdict v, Step step, Optional<LiveNode> live) {
    return execute(v, step, live, List.of());
  }

  /**
   * Carries {@code step} out, {@code next} planned after it; returns the detail of its SUCCEEDED
   * record.
   */
  String execute(FaultVerdict v, Step step, Optional<LiveNode> live, List<RemediationAction> next) {
    String node = v.getNode();
    String instanceId =
        live.map(LiveNode::instanceId).filter(s -> !s.isBlank()).orElse(v.getInstanceId());
    switch (step.action()) {
      case CORDON -> {
        cluster.cordon(node, step.operationId());
        return "cordoned";
      }
      case UNCORDON -> {
        String untainted = untaint(v, live);
        cluster.uncordon(node, step.operationId());
        return (live.filter(n -> n.cordonedBy().isEmpty() && n.degraded()).isPresent()
                ? "back in service: " + HealthMark.LABEL + " removed; the node was never cordoned"
                : "uncordoned")
            + untainted;
      }
      case DRAIN -> {
        return drain(v, live, next);
      }
      case RESET_GPU -> {
        return reset(v, step, instanceId, resetPath(live));
      }
      case REBOOT -> {
        cloud.reboot(requireInstance(instanceId), step.operationId());
        // The boot id before, so that what waits for the reboot can tell it happened.
        return "reboot requested for "
            + instanceId
            + " bootId="
            + live.map(LiveNode::bootId).orElse("unknown");
      }
      case REPLACE -> {
        return replace(v, step, live, instanceId);
      }
      case ESCALATE, NOTIFY -> {
        return tellHumans(v, step);
      }
      case VALIDATE -> {
        cloud.runDiagnostics(requireInstance(instanceId), diagnosticsLevel, step.operationId());
        return "dcgmi diag -r " + diagnosticsLevel + " sent to " + instanceId;
      }
      default ->
          throw new ActuatorException(
              ActuatorException.Kind.PERMANENT, "no actuator for " + step.action());
    }
  }

  /** ESCALATE and NOTIFY reach people through the audit stream and this log line. */
  private static String tellHumans(FaultVerdict v, Step step) {
    log.warn(
        "{} node={} verdictId={} class={}: {}",
        step.action(),
        v.getNode(),
        v.getVerdictId(),
        v.getFaultClass(),
        step.detail());
    return step.detail();
  }

  /**
   * Only the verdict's GPUs' pods where {@link GpuDrainScope} allows it, else the whole node; a
   * node kept schedulable ({@link Containment}) is marked {@link HealthMark#DEGRADED} first.
   */
  private String drain(FaultVerdict v, Optional<LiveNode> live, List<RemediationAction> next) {
    List<RemediationAction> plan = new ArrayList<>();
    plan.add(RemediationAction.DRAIN);
    plan.addAll(next);
    Containment containment = quarantine(v, Containment.of(v, perGpu, validate, plan, live));
    if (containment.schedulable()) {
      mark(v.getNode(), HealthMark.DEGRADED);
    }
    GpuDrainScope scope = GpuDrainScope.of(v, perGpu, next, GpuDrainScope.onNvSwitch(live));
    if (!scope.perGpu()) {
      String drained = drain(v.getNode());
      if (scope.fallback() != null) {
        log.info("drain node={} verdictId={}: {}", v.getNode(), v.getVerdictId(), scope.fallback());
        return scope.fallback() + "; " + drained;
      }
      return drained;
    }
    DrainResult r = cluster.evictPods(v.getNode(), scope.pods(), drainDeadline);
    if (!r.complete()) {
      throw new ActuatorException(
          ActuatorException.Kind.TRANSIENT,
          "GPU drain incomplete: "
              + r.blockedByPdb()
              + " of "
              + scope.pods()
              + " blocked by PodDisruptionBudgets after "
              + r.evicted()
              + " evicted");
    }
    String detail = scope.detail(r.evicted());
    return containment.why() == null ? detail : detail + "; " + containment.why();
  }

  /**
   * Taints the DRA devices {@code c} names before their pods are evicted, so no new claim gets
   * them. The API refusing the rule (not served, forbidden, invalid) cordons the node instead, as
   * when there is no DRA, with the refusal in the returned containment's reason; a rule that was
   * not answered fails the step, retried with the same rule names.
   */
  private Containment quarantine(FaultVerdict v, Containment c) {
    if (!c.schedulable() || c.devices().isEmpty()) {
      return c;
    }
    String session = Containment.taintSession(v);
    String refused;
    try {
      cluster.taintDevices(v.getNode(), c.devices(), session);
      log.info(
          "device taint node={} verdictId={} session={}: {}",
          v.getNode(),
          v.getVerdictId(),
          session,
          c.why());
      return c;
    } catch (ActuatorException e) {
      if (e.kind() != ActuatorException.Kind.PERMANENT) {
        throw e;
      }
      refused = e.getMessage();
    }
    log.warn(
        "device taint refused node={} verdictId={}: {}; cordoning instead",
        v.getNode(),
        v.getVerdictId(),
        refused);
    String cordon = OperationIds.of(v.getNode(), v.getVerdictId(), RemediationAction.CORDON, 1);
    cluster.cordon(v.getNode(), cordon);
    mark(v.getNode(), HealthMark.PENDING_RESET);
    return new Containment(false, "cordoned: the API refused the device taint (" + refused + ")");
  }

  /**
   * Deletes the session's device taints, if any; the detail's suffix saying so. A node that lists
   * no DRA device was never tainted by gpuward (taints go only on listed devices), so most nodes
   * cost no DeviceTaintRule list; a node not seen is asked, to be safe.
   */
  private String untaint(FaultVerdict v, Optional<LiveNode> live) {
    if (live.isPresent() && live.get().draDevices().isEmpty()) {
      return "";
    }
    int removed = cluster.untaintDevices(v.getNode(), Containment.taintSession(v));
    return removed == 0 ? "" : "; device taint removed (" + removed + " DeviceTaintRule(s))";
  }

  private String drain(String node) {
    DrainResult r = cluster.drain(node, drainDeadline);
    if (!r.complete()) {
      throw new ActuatorException(
          ActuatorException.Kind.TRANSIENT,
          "drain incomplete: "
              + r.blockedByPdb()
              + " pod(s) blocked by PodDisruptionBudgets after "
              + r.evicted()
              + " evicted");
    }
    return "drained: " + r.evicted() + " evicted, " + r.skippedDaemonSet() + " DaemonSet pods left";
  }

  private String reset(FaultVerdict v, Step step, String instanceId, GpuResetPath path) {
    List<GpuRef> gpus = v.getGpus();
    if (gpus.isEmpty()) {
      throw new ActuatorException(
          ActuatorException.Kind.PERMANENT, "verdict names no GPU to reset");
    }
    if (path == GpuResetPath.JOB) {
      cluster.resetGpuByJob(
          v.getNode(), gpus.stream().map(GpuRef::getUuid).toList(), step.operationId());
    } else {
      for (GpuRef g : gpus) {
        cloud.resetGpu(requireInstance(instanceId), g.getUuid(), step.operationId());
      }
    }
    return "reset " + gpus.size() + " GPU(s) via=" + path.via();
  }

  /** The reset path the policy gives the node's OS image (the default when the node is unknown). */
  private GpuResetPath resetPath(Optional<LiveNode> live) {
    return gpuReset.pathFor(live.map(LiveNode::osImage).orElse(""));
  }

  private String replace(FaultVerdict v, Step step, Optional<LiveNode> live, String instanceId) {
    String asg =
        live.map(LiveNode::asgName)
            .filter(s -> !s.isBlank())
            .or(() -> fleet.asg(v.getNode()))
            .or(
                () ->
                    v.getNodegroup() == null
                        ? Optional.empty()
                        : cloud.autoScalingGroupOf(v.getNodegroup()))
            .orElse(null);
    cloud.replace(requireInstance(instanceId), asg, step.operationId());
    return "replacement requested instanceId=" + instanceId + " asg=" + asg;
  }

  private static String requireInstance(String instanceId) {
    if (instanceId == null || instanceId.isBlank()) {
      throw new ActuatorException(
          ActuatorException.Kind.PERMANENT, "instance id of the node is unknown");
    }
    return instanceId;
  }

  /** A Kubernetes Event on the node for an action taken on it or about it. Best effort. */
  /** Sets the node's health mark, best effort (only a node gpuward cordoned carries one). */
  void mark(String node, HealthMark mark) {
    try {
      cluster.markHealth(node, mark);
    } catch (RuntimeException e) {
      log.warn("cannot mark node={} {}: {}", node, mark.value(), e.toString());
    }
  }

  void event(FaultVerdict v, Step step, boolean ok, String detail) {
    if (step.action() == RemediationAction.NOTIFY) {
      return;
    }
    try {
      cluster.recordEvent(
          v.getNode(),
          step.action(),
          ok,
          step.operationId(),
          step.action()
              + (ok ? "" : " failed")
              + " for verdict "
              + v.getVerdictId()
              + " ("
              + v.getFaultClass()
              + ", op "
              + step.operationId()
              + "): "
              + detail);
    } catch (RuntimeException e) {
      log.warn(
          "event not recorded node={} op={}: {}", v.getNode(), step.operationId(), e.toString());
    }
  }

  /**
   * What the cloud's command history says of a GPU reset STARTED before a crash, over all the
   * verdict's GPUs: done only when every GPU's reset succeeded, not sent only when none was sent.
   */
  CommandTrace resetTrace(FaultVerdict v, Ledger.Entry started, Optional<LiveNode> live) {
    // The path the STARTED record names, not today's policy: a policy change across a restart must
    // not send the lookup to the wrong history. A record without via= predates the Job path.
    String via = Reconcile.field(started.detail(), "via");
    if (GpuResetPath.JOB.via().equals(via)) {
      return cluster.gpuResetJobTrace(v.getNode(), started.operationId());
    }
    String instance = Reconcile.field(started.detail(), "instanceId");
    if (instance == null || instance.equals("null")) {
      instance = live.map(LiveNode::instanceId).orElse(v.getInstanceId());
    }
    if (instance == null || v.getGpus().isEmpty()) {
      return CommandTrace.unknown("no instance or GPU to look up");
    }
    List<CommandTrace> each = new ArrayList<>();
    for (GpuRef g : v.getGpus()) {
      each.add(cloud.gpuResetTrace(instance, g.getUuid(), started.operationId(), started.at()));
    }
    return combined(each);
  }

  /**
   * What the cloud's command history says of the diagnostics STARTED as {@code started}; any other
   * step's trace is a GPU reset's.
   */
  CommandTrace trace(FaultVerdict v, Ledger.Entry started, Optional<LiveNode> live) {
    if (started.action() != RemediationAction.VALIDATE) {
      return resetTrace(v, started, live);
    }
    String instance = Reconcile.field(started.detail(), "instanceId");
    if (instance == null || instance.equals("null")) {
      instance = live.map(LiveNode::instanceId).orElse(v.getInstanceId());
    }
    if (instance == null) {
      return CommandTrace.unknown("no instance to look up");
    }
    return cloud.diagnosticsTrace(instance, started.operationId(), started.at());
  }

  private static CommandTrace combined(List<CommandTrace> each) {
    String details = String.join("; ", each.stream().map(CommandTrace::detail).distinct().toList());
    Set<CommandTrace.State> states =
        each.stream()
            .map(CommandTrace::state)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(CommandTrace.State.class)));
    CommandTrace.State state;
    if (states.contains(CommandTrace.State.UNKNOWN)) {
      state = CommandTrace.State.UNKNOWN;
    } else if (states.contains(CommandTrace.State.FAILED)) {
      state = CommandTrace.State.FAILED;
    } else if (states.contains(CommandTrace.State.IN_PROGRESS)) {
      state = CommandTrace.State.IN_PROGRESS;
    } else if (states.size() == 1) {
      state = states.iterator().next(); // all SUCCEEDED, or none sent
    } else {
      return CommandTrace.unknown("sent for some GPUs only: " + details);
    }
    return new CommandTrace(state, details);
  }

  /**
   * What the node looked like before the step, for reconciling after a crash; a GPU reset's also
   * names its path ({@code via=}).
   */
  String before(Step step, FaultVerdict v, Optional<LiveNode> live) {
    String instance = live.map(LiveNode::instanceId).orElse(v.getInstanceId());
    return switch (step.action()) {
      case REBOOT ->
          "bootId=" + live.map(LiveNode::bootId).orElse("unknown") + " instanceId=" + instance;
      case RESET_GPU -> "instanceId=" + instance + " via=" + resetPath(live).via();
      case REPLACE, VALIDATE -> "instanceId=" + instance;
      default -> null;
    };
  }
}
