package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * IMAGE_INSTANCE_MISMATCH for a running instance whose node never registered (or did not register
 * again after its Node was removed) within the grace; ESCALATE. The cloud watcher publishes such an
 * instance as {@code registered=false} with its image, AMI and SSM ping status: the verdict carries
 * them, because together they say where the boot stopped. An instance gone from the inventory (a
 * tombstone: scaled in, terminated) is never this fault: whatever was pending or open is recovered.
 */
public final class NeverRegisteredRule {
  public static final String RULE_ID = "node.never-registered";

  /** SSM ping status when Systems Manager has no record of the instance's agent. */
  public static final String SSM_NOT_REGISTERED = "NotRegistered";

  private final Duration grace;

  public NeverRegisteredRule(Duration grace) {
    this.grace = grace;
  }

  /** The detection at stream time {@code now}, once per unregistered stretch. */
  public Optional<Signal.Detected> evaluate(String node, NodeState s, Instant now) {
    // A node removed from the cluster gets the grace again from its removal: it may re-register.
    Long since =
        s.removedAt == null
            ? s.launchedAt
            : Long.valueOf(Math.max(s.removedAt, s.launchedAt == null ? 0 : s.launchedAt));
    long ms = now.toEpochMilli();
    if (s.registered
        || !Boolean.FALSE.equals(s.inventoryRegistered)
        || since == null
        || ms - since < grace.toMillis()
        || !s.raised.add(RULE_ID)) {
      return Optional.empty();
    }
    long minutes = (ms - since) / 60000;
    String what =
        s.removedAt == null
            ? "instance launched " + minutes + " min ago has never registered as a node"
            : "instance has not registered as a node again "
                + minutes
                + " min after its Node was removed";
    Evidence e =
        Evidences.of(Evidences.NONE, null, now, "never_registered")
            .setValue((double) (ms - since))
            .setDetail(
                facts(s) + ", SSM " + (s.ssmPingStatus == null ? "not asked" : s.ssmPingStatus))
            .build();
    return Optional.of(
        new Signal.Detected(
            node,
            FaultClass.IMAGE_INSTANCE_MISMATCH,
            Severity.MAJOR,
            RemediationAction.ESCALATE,
            List.of(),
            e,
            RULE_ID,
            now,
            what + " (" + facts(s) + ")",
            fix(s)));
  }

  /**
   * The instance left the inventory (a tombstone): forget what the inventory said, so nothing is
   * raised later, and recover whatever the node had open. A scale-in is not a fault.
   */
  public static Signal.Recovered onRemoved(String node, NodeState s, Instant at) {
    s.inventoryRegistered = null;
    s.launchedAt = null;
    s.ssmPingStatus = null;
    s.raised.clear();
    return new Signal.Recovered(
        node,
        EnumSet.allOf(FaultClass.class),
        List.of(),
        "instance gone from the inventory (terminated or scaled in)",
        Evidences.of(Evidences.NONE, null, at, "inventory_removed").build(),
        at);
  }

  /** Instance type, image, AMI and SSM status, as far as known (SSM only when asked). */
  static String facts(NodeState s) {
    StringBuilder b = new StringBuilder(String.valueOf(s.instanceType));
    if (s.image != null) {
      b.append(", image ").append(s.image);
    }
    if (s.amiId != null) {
      b.append(" (").append(s.amiId).append(')');
    }
    if (s.ssmPingStatus != null) {
      b.append(", SSM ").append(s.ssmPingStatus);
    }
    return b.toString();
  }

  private static String fix(NodeState s) {
    if (s.ssmPingStatus == null || SSM_NOT_REGISTERED.equals(s.ssmPingStatus)) {
      return "Neither kubelet nor the SSM agent came up, so the OS stopped before its"
          + " configuration finished: check the image/AMI matches the instance type (an NVIDIA"
          + " image on a CPU type never loads its kernel modules) and the instance's console log;"
          + " replacing the node repeats it";
    }
    if ("Online".equals(s.ssmPingStatus)) {
      return "The SSM agent is Online but kubelet never joined: check the node's bootstrap"
          + " (cluster endpoint, IAM role mapping, user data) through an SSM session; replacing the"
          + " node repeats it";
    }
    return "The SSM agent registered but is "
        + s.ssmPingStatus
        + ": the instance booted, then stopped answering before kubelet joined; check its console"
        + " log and the image/AMI for this instance type before replacing it";
  }
}
