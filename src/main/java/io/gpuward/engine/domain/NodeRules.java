package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.contract.FaultClasses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Node-level rules over kube events and inventory, with the node's remembered {@link NodeState}:
 *
 * <ul>
 *   <li>DRIVER_ROOT_MISCONFIGURED: a container start failure matching a driver-root / toolkit / CDI
 *       pattern ({@code container-errors.yaml}); ESCALATE with the fix hint.
 *   <li>GPU_ALLOCATABLE_MISMATCH: allocatable {@code nvidia.com/gpu} below capacity or the instance
 *       type's count for longer than the grace, unless open GPU hardware verdicts name at least as
 *       many GPUs as are missing ({@link FaultyGpus}); CORDON.
 *   <li>GPU_OPERATOR_DEGRADED: on a GPU Operator–managed GPU node, an operand its labels want
 *       crash-looping or without a running pod for longer than the grace ({@link OperandRule}), or
 *       an operand where the GPU cannot use it (MIG manager on a non-MIG GPU); ESCALATE.
 *   <li>TELEMETRY_STALE: a Ready, registered node whose exporter heartbeat is older than the limit;
 *       NOTIFY.
 *   <li>IMAGE_INSTANCE_MISMATCH: an instance whose node never registered within the grace, with its
 *       image, AMI and SSM status ({@link NeverRegisteredRule}); ESCALATE. An instance gone from
 *       the inventory (tombstone) raises nothing and recovers everything.
 *   <li>NODE_NOT_READY_GPU: a hung node, not Ready by the node controller with its exporter silent
 *       ({@link HungNodeRule}); REBOOT. (NotReady joined with a GPU XID is the topology's join,
 *       {@link NotReadyGpuJoiner}.)
 *   <li>The EKS node monitoring agent's AcceleratedHardwareReady=False, as the hardware class its
 *       reason names ({@link AcceleratedHardwareRule}); True again recovers it.
 *   <li>GPU_LOST: the node's exporter reports, twice in a row, that DCGM answers with no GPU at all
 *       on an instance type that has GPUs (a single-GPU instance whose GPU fell off the bus has no
 *       other GPU left to report, so the window rules cannot see it); REBOOT.
 *   <li>SCHEDULED_MAINTENANCE: an EC2 scheduled event on the node's instance whose start is near
 *       (listed in its inventory, {@link ScheduledMaintenanceRule}); the action its code calls for,
 *       valid until its window ends; canceled recovers it, and completed too once the node is back
 *       from a reboot or maintenance the event called for. While the cloud reboots the node it is
 *       not taken for hung.
 *   <li>Recovery: a reboot (new boot id) clears GPU hardware classes; Ready=True clears
 *       NODE_NOT_READY_GPU; a removed node clears everything.
 * </ul>
 *
 * Conditions with a grace keep their start time while they last: a new reason never resets it.
 */
public final class NodeRules {
  public static final String CONTAINER = "node.container-start-failure";
  public static final String ALLOCATABLE = "node.allocatable-below-expected";
  public static final String OPERAND_MISSING = "node.gpu-operator-operand-missing";
  public static final String OPERAND_UNEXPECTED = "node.gpu-operator-operand-unexpected";
  public static final String STALE = "node.exporter-silent";
  public static final String UNREGISTERED = NeverRegisteredRule.RULE_ID;
  public static final String NO_GPUS = "gpu-lost.exporter-reports-no-gpus";

  /** Exporter heartbeat reason when DCGM answers but reports no GPU (see ExporterService). */
  public static final String HEARTBEAT_NO_GPUS = "NoGpus";

  /** Exporter heartbeat reason when DCGM answers with at least one GPU. */
  public static final String HEARTBEAT_SCRAPE_OK = "ScrapeOk";

  /** Consecutive NoGpus heartbeats that make GPU_LOST (one can be a driver reload). */
  static final int NO_GPU_HEARTBEATS = 2;

  private final RuleCatalog rules;
  private final NeverRegisteredRule neverRegistered;
  private final HungNodeRule hung;
  private final AcceleratedHardwareRule acceleratedHardware;
  private final OperandRule operandRule;
  private final ScheduledMaintenanceRule scheduled;

  public NodeRules(RuleCatalog rules) {
    this.rules = rules;
    this.neverRegistered = new NeverRegisteredRule(rules.node().registrationGrace());
    this.hung = new HungNodeRule(rules.node().telemetryStaleAfter());
    this.acceleratedHardware = new AcceleratedHardwareRule(rules.xid());
    this.operandRule = new OperandRule(rules.gpuOperator(), rules.node().operandGrace());
    this.scheduled = new ScheduledMaintenanceRule(rules.scheduledEvents());
  }

  /**
   * Signals from one kube event; updates {@code s}. An event whose id the node applied recently is
   * a repeat (the watcher and the node's exporter report the same fact) and changes nothing.
   * Heartbeats are not remembered: their ids are unique by time, and they would crowd the kube
   * events out.
   */
  public List<Signal> onEvent(NodeState s, NodeEvent e, Evidences.Coordinates at) {
    return onEvent(s, e, at, FaultyGpus.NONE);
  }

  /**
   * As {@link #onEvent(NodeState, NodeEvent, Evidences.Coordinates)}, with the GPUs the node's open
   * hardware verdicts name ({@code faulty}), which explain that many GPUs missing from allocatable.
   */
  public List<Signal> onEvent(
      NodeState s, NodeEvent e, Evidences.Coordinates at, FaultyGpus faulty) {
    NodeEventKind kind = e.getKind();
    if (kind != NodeEventKind.EXPORTER_HEARTBEAT && !RecentEvents.firstSeen(s, e.getEventId())) {
      return List.of();
    }
    List<Signal> out = new ArrayList<>();
    String node = e.getNode();
    Instant t = e.getEventTime();
    switch (kind) {
      case NODE_REGISTERED -> registered(out, s, e, at);
      case NODE_REMOVED -> removed(out, s, e, at);
      case NODE_REBOOTED -> {
        rebooted(out, s, e, at);
        s.rebootedAt = t.toEpochMilli();
        scheduled
            .onNodeBack(s, node, ev(at, e, "node_rebooted", e.getMessage()), t)
            .ifPresent(out::add);
      }
      case CONDITION_CHANGED -> {
        condition(out, s, e, at);
        scheduled
            .onNodeBack(s, node, ev(at, e, "node_condition", e.getReason()), t)
            .ifPresent(out::add);
      }
      case EXPORTER_HEARTBEAT -> heartbeat(out, s, e, at);
      case RESOURCE_SNAPSHOT -> {
        s.gpuCapacity = e.getGpuCapacity();
        s.gpuAllocatable = e.getGpuAllocatable();
        allocatable(out, s, node, t, ev(at, e, "gpu_allocatable", detail(e)), faulty);
      }
      case LABELS_SNAPSHOT -> {
        s.labels = new TreeMap<>(e.getLabels());
        operands(out, s, node, t, ev(at, e, "node_labels", null));
      }
      case OPERAND_STATUS -> {
        OperandRule.onStatus(s, e, OperandRule.operandOf(e));
        operands(out, s, node, t, ev(at, e, "operand_status", e.getPod() + " " + e.getReason()));
      }
      case CONTAINER_START_FAILURE, KUBE_EVENT -> containerFailure(out, node, e, at);
      default -> {}
    }
    // Events from a registered node carry its unschedulable flag. Once the node was removed only
    // a registration or a Ready condition brings it back: the removal event itself, and Events
    // about the deleted Node relayed after it (a separate watch, in any order), carry the flag too.
    if (kind != NodeEventKind.NODE_REMOVED
        && s.removedAt == null
        && (e.getUnschedulable() != null || kind == NodeEventKind.NODE_REGISTERED)) {
      s.registered = true;
      s.removedAt = null;
    }
    return out;
  }

  private static void registered(
      List<Signal> out, NodeState s, NodeEvent e, Evidences.Coordinates at) {
    s.registered = true;
    s.removedAt = null;
    recover(
        out,
        s,
        e.getNode(),
        EnumSet.of(FaultClass.IMAGE_INSTANCE_MISMATCH),
        "node registered",
        ev(at, e, "node_registered", null),
        e.getEventTime(),
        UNREGISTERED);
  }

  private static void removed(
      List<Signal> out, NodeState s, NodeEvent e, Evidences.Coordinates at) {
    s.registered = false;
    s.ready = null;
    s.removedAt = e.getEventTime().toEpochMilli();
    s.noGpuHeartbeats = 0;
    out.add(
        new Signal.Recovered(
            e.getNode(),
            EnumSet.allOf(FaultClass.class),
            List.of(),
            "node removed from the cluster",
            ev(at, e, "node_removed", null),
            e.getEventTime()));
    s.raised.clear();
    ScheduledMaintenanceRule.forget(s);
    s.acceleratedHardware.clear();
    s.operandPods.clear();
    s.operandMissingSince.clear();
  }

  private static void rebooted(
      List<Signal> out, NodeState s, NodeEvent e, Evidences.Coordinates at) {
    s.raised.remove(NO_GPUS);
    HungNodeRule.onRebooted(s);
    s.noGpuHeartbeats = 0;
    out.add(
        new Signal.Recovered(
            e.getNode(),
            FaultClasses.CLEARED_BY_REBOOT,
            List.of(),
            "node rebooted (boot id " + e.getBootId() + ")",
            ev(at, e, "node_rebooted", e.getMessage()),
            e.getEventTime()));
  }

  private void heartbeat(List<Signal> out, NodeState s, NodeEvent e, Evidences.Coordinates at) {
    long ms = e.getEventTime().toEpochMilli();
    // A heartbeat no newer than the last one is a repeat (a producer retry) or overtaken: counting
    // it towards NoGpus in a row would count one report twice.
    boolean newer = s.lastHeartbeat == null || ms > s.lastHeartbeat;
    s.lastHeartbeat = s.lastHeartbeat == null ? ms : Math.max(s.lastHeartbeat, ms);
    recover(
        out,
        s,
        e.getNode(),
        EnumSet.of(FaultClass.TELEMETRY_STALE),
        "exporter reporting again",
        ev(at, e, "exporter_heartbeat", null),
        e.getEventTime(),
        STALE);
    if (newer) {
      noGpus(out, s, e.getNode(), e, at);
    }
  }

  /** Signals from an inventory change; updates {@code s}. */
  public List<Signal> onInventory(NodeState s, NodeInventory inv, Evidences.Coordinates at) {
    return onInventory(s, inv, at, FaultyGpus.NONE);
  }

  /**
   * As {@link #onInventory(NodeState, NodeInventory, Evidences.Coordinates)}, with {@code faulty}.
   */
  public List<Signal> onInventory(
      NodeState s, NodeInventory inv, Evidences.Coordinates at, FaultyGpus faulty) {
    s.expectedGpus = inv.getExpectedGpus();
    s.migCapable = inv.getMigCapable();
    s.inventoryRegistered = inv.getRegistered();
    s.launchedAt = inv.getLaunchedAt() == null ? null : inv.getLaunchedAt().toEpochMilli();
    s.instanceType = inv.getInstanceType();
    s.image = inv.getImage();
    s.amiId = inv.getAmiId();
    s.ssmPingStatus = inv.getSsmPingStatus();
    List<Signal> out = new ArrayList<>();
    Evidence e = Evidences.of(at, null, inv.getUpdatedAt(), "inventory").build();
    if (inv.getRegistered()) {
      s.registered = true;
      recover(
          out,
          s,
          inv.getNode(),
          EnumSet.of(FaultClass.IMAGE_INSTANCE_MISMATCH),
          "node registered",
          e,
          inv.getUpdatedAt(),
          UNREGISTERED);
    }
    allocatable(out, s, inv.getNode(), inv.getUpdatedAt(), e, faulty);
    scheduled
        .onListing(s, inv.getNode(), inv.getScheduledEvents(), e, inv.getUpdatedAt())
        .ifPresent(out::add);
    out.addAll(scheduled.evaluate(inv.getNode(), s, inv.getUpdatedAt()));
    return out;
  }

  /**
   * The node's inventory was removed (a tombstone: the instance terminated or scaled in): nothing
   * it had pending is raised, and everything open on it is recovered.
   */
  public List<Signal> onInventoryRemoved(String node, NodeState s, Instant at) {
    ScheduledMaintenanceRule.forget(s);
    return List.of(NeverRegisteredRule.onRemoved(node, s, at));
  }

  /** Time-driven rules at stream time {@code now}. */
  public List<Signal> onTime(String node, NodeState s, Instant now) {
    return onTime(node, s, now, FaultyGpus.NONE);
  }

  /** As {@link #onTime(String, NodeState, Instant)}, with {@code faulty}. */
  public List<Signal> onTime(String node, NodeState s, Instant now, FaultyGpus faulty) {
    List<Signal> out = new ArrayList<>();
    long ms = now.toEpochMilli();
    var p = rules.node();
    Evidence e = Evidences.of(Evidences.NONE, null, now, "stream_time").build();
    allocatable(out, s, node, now, e, faulty);
    operands(out, s, node, now, e);
    if (Boolean.TRUE.equals(s.ready)
        && s.registered
        && s.lastHeartbeat != null
        && ms - s.lastHeartbeat > p.telemetryStaleAfter().toMillis()
        && s.raised.add(STALE)) {
      out.add(
          detected(
              node,
              FaultClass.TELEMETRY_STALE,
              Severity.WARNING,
              RemediationAction.NOTIFY,
              Evidences.of(Evidences.NONE, null, now, "exporter_silent_ms")
                  .setValue((double) (ms - s.lastHeartbeat))
                  .build(),
              STALE,
              now,
              "exporter silent for " + (ms - s.lastHeartbeat) / 1000 + "s on a Ready node",
              null));
    }
    neverRegistered.evaluate(node, s, now).ifPresent(out::add);
    // A node the cloud reboots goes quiet on purpose; rebooting it again would not help.
    if (!scheduled.cloudRebooting(s, now)) {
      hung.evaluate(node, s, now).ifPresent(out::add);
    }
    out.addAll(scheduled.evaluate(node, s, now));
    scheduled.windowEnded(node, s, now).ifPresent(out::add);
    return out;
  }

  private void condition(List<Signal> out, NodeState s, NodeEvent e, Evidences.Coordinates at) {
    if (s.removedAt != null && e.getEventTime().toEpochMilli() < s.removedAt) {
      return; // the Node as it was before its removal, relayed late
    }
    if ("Ready".equals(e.getConditionType())) {
      s.ready = "True".equals(e.getConditionStatus());
      HungNodeRule.onReady(s, e);
      if (s.ready) {
        s.registered = true;
        s.removedAt = null;
        out.add(
            new Signal.Recovered(
                e.getNode(),
                Set.of(FaultClass.NODE_NOT_READY_GPU),
                List.of(),
                "node Ready again",
                ev(at, e, "node_ready", e.getReason()),
                e.getEventTime()));
      }
    } else if (AcceleratedHardwareRule.applies(e)) {
      acceleratedHardware(out, s, e, at);
    }
  }

  private void acceleratedHardware(
      List<Signal> out, NodeState s, NodeEvent e, Evidences.Coordinates at) {
    if (AcceleratedHardwareRule.isReady(e)) {
      // Scoped to the agent's own verdicts: the agent also reports True when it merely restarts,
      // which says nothing about a verdict the engine's own telemetry opened.
      s.acceleratedHardware.forEach(
          (c, ruleId) ->
              out.add(
                  new Signal.Recovered(
                      e.getNode(),
                      Set.of(FaultClass.valueOf(c)),
                      List.of(),
                      AcceleratedHardwareRule.CONDITION + " True again (" + e.getReason() + ")",
                      ev(at, e, "condition:" + AcceleratedHardwareRule.CONDITION + "=True", null),
                      e.getEventTime(),
                      ruleId)));
      s.acceleratedHardware.clear();
      return;
    }
    acceleratedHardware
        .evaluate(e, at)
        .ifPresent(
            d -> {
              s.acceleratedHardware.put(d.faultClass().name(), d.ruleId());
              out.add(d);
            });
  }

  private void allocatable(
      List<Signal> out, NodeState s, String node, Instant t, Evidence e, FaultyGpus faulty) {
    if (s.gpuAllocatable == null) {
      return;
    }
    int expected = Math.max(s.gpuCapacity == null ? 0 : s.gpuCapacity, s.expectedGpus);
    long ms = t.toEpochMilli();
    if (expected > 0
        && s.gpuAllocatable < expected
        && !s.raised.contains(ALLOCATABLE)
        && explained(s, expected - s.gpuAllocatable, faulty)) {
      // The grace starts only once nothing explains the shortfall any more.
      s.allocatableLowSince = null;
      return;
    }
    if (expected > 0 && s.gpuAllocatable < expected) {
      if (s.allocatableLowSince == null) {
        s.allocatableLowSince = ms;
      }
      if (ms - s.allocatableLowSince >= rules.node().allocatableGrace().toMillis()
          && s.raised.add(ALLOCATABLE)) {
        out.add(
            detected(
                node,
                FaultClass.GPU_ALLOCATABLE_MISMATCH,
                Severity.MAJOR,
                RemediationAction.CORDON,
                e,
                ALLOCATABLE,
                t,
                "allocatable nvidia.com/gpu "
                    + s.gpuAllocatable
                    + " below expected "
                    + expected
                    + " (capacity "
                    + s.gpuCapacity
                    + ", instance type "
                    + s.expectedGpus
                    + ")",
                null));
      }
    } else {
      s.allocatableLowSince = null;
      recover(
          out,
          s,
          node,
          EnumSet.of(FaultClass.GPU_ALLOCATABLE_MISMATCH),
          "allocatable nvidia.com/gpu back to " + s.gpuAllocatable,
          e,
          t,
          ALLOCATABLE);
    }
  }

  /**
   * Whether a shortfall of {@code missing} GPUs has a cause other than a configuration mismatch, so
   * that a cordon would be wrong:
   *
   * <ul>
   *   <li>the GPU Operator's device plugin / toolkit is gone: configuration, but
   *       GPU_OPERATOR_DEGRADED's (ESCALATE); cordoning the node would not bring the GPUs back;
   *   <li>no more GPUs are missing than open hardware verdicts name: the device plugin withholds
   *       the bad GPUs, which is what lets a per-GPU repair keep the node schedulable. A cordon now
   *       would undo that repair whenever the reset, or the plugin's re-advertising, takes longer
   *       than the grace. Once those verdicts clear, a GPU still withheld is a mismatch again.
   * </ul>
   */
  private boolean explained(NodeState s, int missing, FaultyGpus faulty) {
    return !operandRule.allocatableOperandsDown(s).isEmpty() || missing <= faulty.count();
  }

  private void noGpus(
      List<Signal> out, NodeState s, String node, NodeEvent e, Evidences.Coordinates at) {
    String reason = e.getReason();
    if (HEARTBEAT_NO_GPUS.equals(reason)) {
      s.noGpuHeartbeats++;
      if (s.expectedGpus > 0
          && s.registered
          && s.noGpuHeartbeats >= NO_GPU_HEARTBEATS
          && s.raised.add(NO_GPUS)) {
        out.add(
            detected(
                node,
                FaultClass.GPU_LOST,
                Severity.CRITICAL,
                RemediationAction.REBOOT,
                ev(at, e, "exporter_no_gpus", e.getMessage()),
                NO_GPUS,
                e.getEventTime(),
                "DCGM reports none of the instance type's "
                    + s.expectedGpus
                    + " GPU(s) ("
                    + s.noGpuHeartbeats
                    + " exporter heartbeats in a row)",
                null));
      }
    } else if (HEARTBEAT_SCRAPE_OK.equals(reason)) {
      s.noGpuHeartbeats = 0;
      recover(
          out,
          s,
          node,
          EnumSet.of(FaultClass.GPU_LOST),
          "DCGM reports GPUs again",
          ev(at, e, "exporter_gpus_back", e.getMessage()),
          e.getEventTime(),
          NO_GPUS);
    }
  }

  private void operands(List<Signal> out, NodeState s, String node, Instant t, Evidence e) {
    var op = rules.gpuOperator();
    boolean managed = s.labels.keySet().stream().anyMatch(k -> k.startsWith(op.labelPrefix()));
    boolean gpuNode = s.expectedGpus > 0 || "true".equals(s.labels.get("nvidia.com/gpu.present"));
    if (!managed || !gpuNode) {
      return;
    }
    OperandRule.Judgement j = operandRule.judge(s, t.toEpochMilli());
    boolean mig = s.migCapable || "true".equals(s.labels.get("nvidia.com/mig.capable"));
    List<String> unexpected = new ArrayList<>();
    if (!mig) {
      for (String operand : op.migOnlyOperands()) {
        if ("true".equals(s.labels.get(op.labelPrefix() + operand))) {
          unexpected.add(operand);
        }
      }
    }
    if (!j.faults().isEmpty() || !unexpected.isEmpty()) {
      if (s.raised.add(OPERAND_MISSING)) {
        out.add(degraded(node, t, e, j.faults(), unexpected));
      }
    } else if (!j.pending()) {
      recover(
          out,
          s,
          node,
          EnumSet.of(FaultClass.GPU_OPERATOR_DEGRADED),
          "GPU Operator operands as expected",
          e,
          t,
          OPERAND_MISSING);
    }
  }

  private static Signal.Detected degraded(
      String node, Instant t, Evidence e, List<String> faults, List<String> unexpected) {
    String what =
        String.join("; ", faults)
            + (faults.isEmpty() || unexpected.isEmpty() ? "" : "; ")
            + (unexpected.isEmpty()
                ? ""
                : "operand(s) " + unexpected + " on a GPU that is not MIG-capable");
    return detected(
        node,
        FaultClass.GPU_OPERATOR_DEGRADED,
        Severity.MAJOR,
        RemediationAction.ESCALATE,
        e,
        faults.isEmpty() ? OPERAND_UNEXPECTED : OPERAND_MISSING,
        t,
        "GPU Operator: " + what,
        faults.isEmpty()
            ? "Remove the operand from this node: the GPU Operator adds the MIG manager only"
                + " where nvidia.com/mig.capable=true; check GPU Feature Discovery labels"
            : "Check the named operand pods (kubectl -n <namespace> describe pod / logs"
                + " --previous) and the GPU Operator's DaemonSets and node selectors"
                + " (nvidia.com/gpu.deploy.<operand> labels; false opts a node out); the device"
                + " plugin must run before nvidia.com/gpu is allocatable");
  }

  private void containerFailure(
      List<Signal> out, String node, NodeEvent e, Evidences.Coordinates at) {
    String msg = e.getMessage();
    if (msg == null) {
      return;
    }
    for (RuleParams.ContainerError p : rules.containerErrors()) {
      if (p.match().matcher(msg).find()) {
        String pod = e.getPod() == null ? "" : " (pod " + e.getNamespace() + "/" + e.getPod() + ")";
        out.add(
            detected(
                node,
                FaultClass.DRIVER_ROOT_MISCONFIGURED,
                Severity.MAJOR,
                RemediationAction.ESCALATE,
                ev(at, e, "container_start_failure:" + p.id(), msg),
                CONTAINER + "." + p.id(),
                e.getEventTime(),
                "GPU containers fail to start: "
                    + p.id()
                    + pod
                    + "; most likely setting: "
                    + p.setting(),
                p.fix()));
        return;
      }
    }
  }

  private static void recover(
      List<Signal> out,
      NodeState s,
      String node,
      Set<FaultClass> classes,
      String reason,
      Evidence e,
      Instant t,
      String raisedKey) {
    if (s.raised.remove(raisedKey)) {
      out.add(new Signal.Recovered(node, classes, List.of(), reason, e, t));
    }
  }

  private static Signal.Detected detected(
      String node,
      FaultClass c,
      Severity sev,
      RemediationAction a,
      Evidence e,
      String ruleId,
      Instant t,
      String summary,
      String fix) {
    return new Signal.Detected(node, c, sev, a, List.of(), e, ruleId, t, summary, fix);
  }

  private static Evidence ev(Evidences.Coordinates at, NodeEvent e, String signal, String detail) {
    return Evidences.of(at, e.getEventId(), e.getEventTime(), signal).setDetail(detail).build();
  }

  private static String detail(NodeEvent e) {
    return "capacity " + e.getGpuCapacity() + ", allocatable " + e.getGpuAllocatable();
  }

  /** For tests and the topology: the labels of interest, unmodifiable. */
  static Map<String, String> labels(NodeState s) {
    return Collections.unmodifiableMap(s.labels);
  }
}
