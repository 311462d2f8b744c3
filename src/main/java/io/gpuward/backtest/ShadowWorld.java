package io.gpuward.backtest;

import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.FleetView;
import io.gpuward.remediation.Ledger;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster and the cloud as a shadow remediator sees them: nothing leaves the process. Its nodes
 * are built from the inventory the remediator follows ({@link FleetView}) and changed only by the
 * shadow's own steps: a cordon marks the node cordoned by the shadow, a reboot gives it a new boot
 * id, a replacement makes it gone. Every step succeeds at once; a command (GPU reset, diagnostics)
 * reads back as succeeded once sent. The live cluster's cordons, reboots and replacements are not
 * seen: the shadow learns of the real repair only when the verdicts clear. Thread-safe: the
 * remediator's lanes call it concurrently.
 *
 * <p>A restarted shadow rebuilds its ledger from the shadow audit, but a model world would start
 * with every node uncordoned, booted once and present, and the ledger and the world would then
 * disagree about the shadow's own earlier steps (a cordon it holds reads as lifted by someone, a
 * replaced node comes back). So each node, when first built, takes from the ledger what the
 * shadow's steps did to it: its cordon if the shadow's latest cordon or uncordon was a cordon, a
 * boot per reboot carried out, gone if replaced.
 */
public final class ShadowWorld implements ClusterPort, CloudPort {
  private static final String SUCCEEDED = "shadow: not sent, taken to succeed";

  private final Map<String, WorldNode> nodes = new HashMap<>();
  private final Map<String, NodeInventory> placedFrom = new HashMap<>();
  private final Set<String> gone = new HashSet<>();
  private final Set<String> sent = new HashSet<>();
  private FleetView fleet = new FleetView();
  private Ledger ledger = new Ledger();

  /**
   * Builds nodes from {@code fleet}, the inventory the shadow remediator follows, and from what
   * {@code ledger} (the shadow's, rebuilt from its audit at start) says its steps did to them.
   */
  public synchronized void follow(FleetView fleet, Ledger ledger) {
    this.fleet = fleet;
    this.ledger = ledger;
  }

  @Override
  public synchronized Optional<LiveNode> node(String name) {
    WorldNode n = current(name);
    return n.exists ? Optional.of(n.live()) : Optional.empty();
  }

  /** The node with its newest inventory applied; a node the shadow replaced stays gone. */
  private WorldNode current(String name) {
    WorldNode n = nodes.computeIfAbsent(name, this::built);
    Optional<NodeInventory> inv = fleet.inventory(name);
    if (inv.isPresent() && placedFrom.get(name) != inv.get()) {
      n.place(inv.get());
      placedFrom.put(name, inv.get());
    }
    if (gone.contains(name)) {
      n.exists = false;
    }
    return n;
  }

  @Override
  public synchronized void cordon(String node, String operationId) {
    current(node).cordonedBy(operationId);
  }

  @Override
  public synchronized void uncordon(String node, String operationId) {
    current(node).cordonedBy(null);
  }

  @Override
  public DrainResult drain(String node, Duration deadline) {
    return new DrainResult(0, 0, 0, true);
  }

  @Override
  public DrainResult evictPods(String node, List<String> pods, Duration deadline) {
    return new DrainResult(0, 0, 0, true);
  }

  @Override
  public synchronized void resetGpuByJob(String node, List<String> gpus, String operationId) {
    sent.add(operationId);
  }

  @Override
  public synchronized CommandTrace gpuResetJobTrace(String node, String operationId) {
    return trace(operationId);
  }

  @Override
  public synchronized void resetGpu(String instanceId, String gpu, String idempotencyToken) {
    sent.add(idempotencyToken);
  }

  @Override
  public synchronized CommandTrace gpuResetTrace(
      String instanceId, String gpu, String idempotencyToken, Instant since) {
    return trace(idempotencyToken);
  }

  @Override
  public synchronized void runDiagnostics(String instanceId, int level, String idempotencyToken) {
    sent.add(idempotencyToken);
  }

  @Override
  public synchronized CommandTrace diagnosticsTrace(
      String instanceId, String idempotencyToken, Instant since) {
    return trace(idempotencyToken);
  }

  @Override
  public synchronized void reboot(String instanceId, String idempotencyToken) {
    byInstance(instanceId).ifPresent(WorldNode::rebooted);
  }

  @Override
  public synchronized void replace(String instanceId, String asgName, String idempotencyToken) {
    byInstance(instanceId)
        .ifPresent(
            n -> {
              n.exists = false;
              gone.add(n.name);
            });
  }

  /** A node first asked for, with the shadow's own earlier steps on it applied. */
  private WorldNode built(String name) {
    WorldNode n = WorldNode.gpuNode(name);
    Ledger.Entry cordon = null;
    for (Ledger.Entry e : ledger.entries(name)) {
      boolean done = e.outcome() == Outcome.SUCCEEDED || e.outcome() == Outcome.VERIFIED;
      if (!done) {
        continue;
      }
      RemediationAction a = e.action();
      if ((a == RemediationAction.CORDON || a == RemediationAction.UNCORDON)
          && (cordon == null || e.at().isAfter(cordon.at()))) {
        cordon = e;
      } else if (a == RemediationAction.REBOOT) {
        n.rebooted();
      } else if (a == RemediationAction.REPLACE) {
        gone.add(name);
      }
    }
    if (cordon != null && cordon.action() == RemediationAction.CORDON) {
      n.cordonedBy(cordon.operationId());
    }
    return n;
  }

  private Optional<WorldNode> byInstance(String instanceId) {
    return nodes.values().stream().filter(n -> instanceId.equals(n.instanceId)).findFirst();
  }

  private CommandTrace trace(String op) {
    return sent.contains(op)
        ? new CommandTrace(CommandTrace.State.SUCCEEDED, SUCCEEDED)
        : new CommandTrace(CommandTrace.State.NOT_SENT, "not sent");
  }
}
