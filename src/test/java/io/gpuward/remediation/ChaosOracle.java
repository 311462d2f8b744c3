package io.gpuward.remediation;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.LiveNode;
import io.gpuward.sim.ClusterAction;
import io.gpuward.sim.SimulatedCluster;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Judges a run of {@code scenarios/chaos.yaml} from the cluster's recorded calls, the verdict topic
 * and the audit topic (both {@code read_committed}): what must never happen ({@link #violations}),
 * and what the policy prescribes that has not happened yet ({@link #missing}).
 */
final class ChaosOracle {
  /** The nodes the scenario breaks; every other node is healthy and must never be touched. */
  static final Set<String> FAULTED =
      Set.of("p5-train-2", "p5-train-5", "p5-train-6", "g5-infer-1", "g5-infer-2", "g5-infer-3");

  private static final Set<String> DISRUPTIVE_CALLS = Set.of("RESET_GPU", "REBOOT", "REPLACE");
  private static final Set<Outcome> ENDED =
      EnumSet.of(
          Outcome.SUCCEEDED,
          Outcome.VERIFIED,
          Outcome.FAILED_PERMANENT,
          Outcome.FAILED_TRANSIENT,
          Outcome.AMBIGUOUS,
          Outcome.SKIPPED);

  private final List<FaultVerdict> verdicts;
  private final List<RemediationRecord> audit;
  private final List<ClusterAction> actions;
  private final Map<String, LiveNode> nodes = new HashMap<>();

  /** (node, session, action) of every operation id, from the audit. */
  private final Map<String, String> opSessions = new HashMap<>();

  /** Latest version of each verdict, in the order they first appeared. */
  private final Map<String, FaultVerdict> latest = new LinkedHashMap<>();

  ChaosOracle(
      List<FaultVerdict> verdicts, List<RemediationRecord> audit, SimulatedCluster cluster) {
    this.verdicts = verdicts;
    this.audit = audit;
    this.actions = cluster.actions();
    cluster.nodes().forEach(n -> nodes.put(n.name(), n));
    for (RemediationRecord r : audit) {
      opSessions.putIfAbsent(
          r.getOperationId(), r.getNode() + " " + r.getVerdictId() + " " + r.getAction());
    }
    for (FaultVerdict v : verdicts) {
      latest.put(v.getVerdictId(), v);
    }
  }

  /** What must never happen, whatever the kills did. Empty when none did. */
  List<String> violations() {
    List<String> out = new ArrayList<>();
    // No operation took effect twice: per operation id (idempotency token) and per (node, fault
    // session, action) over its attempts, for the disruptive calls; a cordon or uncordon that
    // changed the node, once per (node, fault session).
    Map<String, Long> accepted =
        actions.stream()
            .filter(a -> a.outcome().equals("ACCEPTED"))
            .filter(a -> DISRUPTIVE_CALLS.contains(a.action()))
            .collect(Collectors.groupingBy(ClusterAction::operationId, Collectors.counting()));
    accepted.forEach(
        (op, n) -> {
          if (n > 1) {
            out.add("operation " + op + " (" + opSessions.get(op) + ") took effect " + n + "x");
          }
        });
    Map<String, Long> perSession =
        actions.stream()
            .filter(a -> a.outcome().equals("ACCEPTED"))
            .filter(
                a ->
                    DISRUPTIVE_CALLS.contains(a.action())
                        || (a.action().equals("CORDON") && a.detail().equals("cordoned"))
                        || a.action().equals("UNCORDON"))
            .collect(
                Collectors.groupingBy(
                    a -> opSessions.getOrDefault(a.operationId(), "unknown op " + a.operationId()),
                    Collectors.counting()));
    perSession.forEach(
        (s, n) -> {
          if (n > 1) {
            out.add(s + " took effect " + n + "x on the cluster");
          }
        });
    // Healthy nodes are never touched.
    for (RemediationRecord r : audit) {
      if (r.getOutcome() == Outcome.STARTED
          && r.getAction() != RemediationAction.NONE
          && !FAULTED.contains(r.getNode())) {
        out.add("healthy node touched: " + line(r));
      }
      // AMBIGUOUS only where the design says so: a step interrupted
      // Reconcile.MAX_ATTEMPTS_AFTER_RESTART times is taken for one that stops the remediator. An
      // interrupted GPU reset is settled by the (simulated) SSM command history. Never for an
      // escalation: that is how a human hears of the rest.
      if (r.getOutcome() == Outcome.AMBIGUOUS
          && (r.getAction() == RemediationAction.ESCALATE
              || r.getDetail() == null
              || !r.getDetail()
                  .contains("interrupted " + Reconcile.MAX_ATTEMPTS_AFTER_RESTART + " times"))) {
        out.add("AMBIGUOUS where live state tells: " + line(r));
      }
    }
    // Configuration faults never touch the node.
    for (RemediationRecord r : audit) {
      if (r.getNode().equals("g5-infer-2")
          && r.getOutcome() == Outcome.STARTED
          && r.getAction() != RemediationAction.ESCALATE) {
        out.add("configuration fault acted on its node: " + line(r));
      }
    }
    return out;
  }

  /** What the policy prescribes for the scenario and has not happened (yet). Empty when done. */
  List<String> missing() {
    List<String> out = new ArrayList<>();
    // p5-train-6: cordoned while hot, uncordoned when it cooled down.
    session("p5-train-6", FaultClass.GPU_THERMAL, 0)
        .ifPresentOrElse(
            v -> {
              require(out, v, RemediationAction.CORDON, Outcome.SUCCEEDED);
              requireRecovered(out, v);
            },
            () -> out.add("p5-train-6: no GPU_THERMAL verdict"));
    // p5-train-5: rebooted, verified, uncordoned.
    session("p5-train-5", FaultClass.GPU_LOST, 0)
        .ifPresentOrElse(
            v -> {
              if (!ambiguousThenEscalated(v)) {
                require(out, v, RemediationAction.REBOOT, Outcome.VERIFIED);
                requireRecovered(out, v);
              }
            },
            () -> out.add("p5-train-5: no GPU_LOST verdict"));
    // g5-infer-1: replaced. (The XID 64 of the failed remap opens a session of its own that clears
    // after a clean window, before the correlation settle lets a disruption through; the row remap
    // failure in the samples is the session that replaces the node.)
    boolean escalated =
        latest.values().stream()
            .filter(v -> v.getNode().equals("g5-infer-1"))
            .anyMatch(this::ambiguousThenEscalated);
    if (escalated) {
      // a step interrupted too often: a human decides
    } else if (!has("g5-infer-1", FaultClass.GPU_MEMORY_DEGRADED, RemediationAction.REPLACE)) {
      out.add("g5-infer-1: not replaced");
    } else if (nodes.containsKey("g5-infer-1")) {
      out.add("g5-infer-1: still in the cluster");
    }
    // g5-infer-2: escalated with the fix hint, never touched.
    session("g5-infer-2", FaultClass.GPU_OPERATOR_DEGRADED, 0)
        .ifPresentOrElse(
            v -> require(out, v, RemediationAction.ESCALATE, Outcome.SUCCEEDED),
            () -> out.add("g5-infer-2: no GPU_OPERATOR_DEGRADED verdict"));
    // g5-infer-3: reset and verified; or, the reset interrupted (AMBIGUOUS), escalated.
    session("g5-infer-3", FaultClass.GPU_XID_FATAL, 0)
        .ifPresentOrElse(
            v -> {
              if (!ambiguousThenEscalated(v)) {
                requireRecovered(out, v);
              }
            },
            () -> out.add("g5-infer-3: no GPU_XID_FATAL verdict"));
    // p5-train-2: reset (not verified), reboot (verified), then the fault comes back: replaced as
    // a repeat offender. Or the reset interrupted (AMBIGUOUS): escalated, the ladder stops there.
    session("p5-train-2", FaultClass.GPU_XID_FATAL, 0)
        .ifPresentOrElse(
            v -> {
              if (ambiguousThenEscalated(v)) {
                return;
              }
              require(out, v, RemediationAction.REBOOT, Outcome.VERIFIED);
              // The fault's comeback opens a new session (the XID, and the NotReady of the reboot
              // joined with it): one of them replaces the node.
              boolean replaced =
                  audit.stream()
                      .anyMatch(
                          r ->
                              r.getNode().equals("p5-train-2")
                                  && !r.getVerdictId().equals(v.getVerdictId())
                                  && r.getAction() == RemediationAction.REPLACE
                                  && r.getOutcome() == Outcome.SUCCEEDED);
              if (!replaced) {
                out.add("p5-train-2: not replaced after the fault came back");
              } else if (nodes.containsKey("p5-train-2")) {
                out.add("p5-train-2: still in the cluster");
              }
            },
            () -> out.add("p5-train-2: no GPU_XID_FATAL verdict"));
    // Nothing left behind: every operation started was finished, reconciled or retried (a session
    // whose verdict cleared meanwhile has nothing left to act on).
    for (RemediationRecord r : audit) {
      if (r.getOutcome() != Outcome.STARTED) {
        continue;
      }
      FaultVerdict v = latest.get(r.getVerdictId());
      boolean open = v == null || v.getState() != VerdictState.CLEARED;
      if (open && !ended(r)) {
        out.add("started, never finished: " + line(r));
      }
    }
    // Every node gpuward cordoned whose verdicts all cleared is uncordoned.
    for (LiveNode n : nodes.values()) {
      if (n.cordonedBy().isPresent() && openOn(n.name()).isEmpty()) {
        out.add(n.name() + ": cordoned by " + n.cordonedBy().get() + " with no verdict open");
      }
    }
    return out;
  }

  private boolean ended(RemediationRecord started) {
    String[] key = opSessions.get(started.getOperationId()).split(" ");
    return audit.stream()
        .anyMatch(
            r ->
                r.getNode().equals(key[0])
                    && r.getVerdictId().equals(key[1])
                    && r.getAction().name().equals(key[2])
                    && ((r.getOperationId().equals(started.getOperationId())
                            && ENDED.contains(r.getOutcome()))
                        || r.getAttempt() > started.getAttempt()));
  }

  private List<FaultVerdict> openOn(String node) {
    return latest.values().stream()
        .filter(v -> v.getNode().equals(node) && v.getState() != VerdictState.CLEARED)
        .toList();
  }

  /** A step of the session was AMBIGUOUS, and the ladder escalated instead of stalling. */
  private boolean ambiguousThenEscalated(FaultVerdict v) {
    return audit.stream()
            .anyMatch(
                r ->
                    r.getVerdictId().equals(v.getVerdictId())
                        && r.getOutcome() == Outcome.AMBIGUOUS)
        && has(v, RemediationAction.ESCALATE, Outcome.SUCCEEDED);
  }

  /** The {@code nth} fault session (0 = first) of {@code c} on {@code node}. */
  private Optional<FaultVerdict> session(String node, FaultClass c, int nth) {
    return latest.values().stream()
        .filter(v -> v.getNode().equals(node) && v.getFaultClass() == c)
        .skip(nth)
        .findFirst();
  }

  /** A session of {@code c} on {@code node} carried {@code a} out (SUCCEEDED). */
  private boolean has(String node, FaultClass c, RemediationAction a) {
    return audit.stream()
        .anyMatch(
            r ->
                r.getNode().equals(node)
                    && r.getFaultClass() == c
                    && r.getAction() == a
                    && r.getOutcome() == Outcome.SUCCEEDED);
  }

  private boolean has(FaultVerdict v, RemediationAction a, Outcome o) {
    return audit.stream()
        .anyMatch(
            r ->
                r.getVerdictId().equals(v.getVerdictId())
                    && r.getAction() == a
                    && r.getOutcome() == o);
  }

  private void require(List<String> out, FaultVerdict v, RemediationAction a, Outcome o) {
    if (!has(v, a, o)) {
      out.add(v.getNode() + " " + v.getFaultClass() + ": no " + a + " " + o);
    }
  }

  /** The verdict cleared and the node is schedulable again (uncordoned by gpuward). */
  private void requireRecovered(List<String> out, FaultVerdict v) {
    if (v.getState() != VerdictState.CLEARED) {
      out.add(v.getNode() + " " + v.getFaultClass() + ": verdict still open");
      return;
    }
    LiveNode n = nodes.get(v.getNode());
    if (n != null && n.unschedulable()) {
      out.add(v.getNode() + ": still cordoned after " + v.getFaultClass() + " cleared");
    }
  }

  /** Fault sessions with a record of {@code a} ending {@code o} (any attempt). */
  int sessions(RemediationAction a, Outcome o) {
    return audit.stream()
        .filter(r -> r.getAction() == a && r.getOutcome() == o)
        .map(r -> r.getNode() + " " + r.getVerdictId())
        .collect(Collectors.toSet())
        .size();
  }

  /** The audit trail, one line per record, for a failure message. */
  String trail() {
    StringBuilder b = new StringBuilder();
    for (RemediationRecord r : audit) {
      b.append("\n  ").append(line(r));
    }
    b.append("\n verdicts:");
    for (FaultVerdict v : verdicts) {
      b.append("\n  ")
          .append(v.getUpdatedAt())
          .append(' ')
          .append(v.getNode())
          .append(' ')
          .append(v.getVerdictId(), 0, 8)
          .append(' ')
          .append(v.getFaultClass())
          .append(' ')
          .append(v.getState())
          .append(v.getHeld() ? " held" : "");
    }
    b.append("\n cluster:");
    for (ClusterAction a : actions) {
      b.append("\n  ")
          .append(a.at())
          .append(' ')
          .append(a.action())
          .append(' ')
          .append(a.target())
          .append(' ')
          .append(a.outcome())
          .append(' ')
          .append(a.detail());
    }
    return b.toString();
  }

  static String line(RemediationRecord r) {
    return r.getAt()
        + " "
        + r.getNode()
        + " "
        + r.getVerdictId().substring(0, Math.min(8, r.getVerdictId().length()))
        + " "
        + r.getAction()
        + "#"
        + r.getAttempt()
        + " "
        + r.getOutcome()
        + (r.getReason() == null ? "" : "/" + r.getReason())
        + (r.getDetail() == null ? "" : " " + r.getDetail());
  }
}
