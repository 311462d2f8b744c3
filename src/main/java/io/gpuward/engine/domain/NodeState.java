package io.gpuward.engine.domain;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the engine remembers about one node between events (in the node-state store, written by the
 * engine's NodeStateSerde: a field added here must be added there). Times are event-time epoch
 * milliseconds; null means not known.
 */
public final class NodeState {
  public boolean registered;
  public Boolean ready;

  /** Who reported the node not Ready (kubelet, node-controller), while it is not Ready. */
  public String notReadySource;

  /** When the current not-Ready stretch began, as reported by {@link #notReadySource}. */
  public Long notReadySince;

  /** The event that began the current not-Ready stretch (the verdict's evidence names it). */
  public String notReadyEventId;

  public Long lastHeartbeat;

  /** Consecutive exporter heartbeats saying DCGM reports no GPU at all ({@code NoGpus}). */
  public int noGpuHeartbeats;

  /** When the node's Node object was removed (NODE_REMOVED), until it registers again. */
  public Long removedAt;

  public Integer gpuCapacity;
  public Integer gpuAllocatable;
  public Long allocatableLowSince;
  public TreeMap<String, String> labels = new TreeMap<>();
  public TreeMap<String, Long> operandMissingSince = new TreeMap<>();

  /**
   * The GPU Operator operand pods the watcher last reported on this node, by operand. Empty when no
   * pod status was ever seen for it (a watcher without pod access): operands are then judged by
   * their deploy labels alone.
   */
  public TreeMap<String, OperandPod> operandPods = new TreeMap<>();

  /**
   * One operand's pod as last reported.
   *
   * @param state Running, CrashLoopBackOff, Missing, or another waiting reason or pod phase
   * @param since event time of the report that began this state
   */
  public record OperandPod(String state, String namespace, String pod, String message, long since) {

    /** {@code gpu-operator/nvidia-device-plugin-daemonset-x7k2p}. */
    public String ref() {
      return namespace + "/" + pod;
    }
  }

  // From inventory.
  public int expectedGpus;
  public boolean migCapable;
  public Boolean inventoryRegistered;
  public Long launchedAt;
  public String instanceType;
  public String image;
  public String amiId;

  /** The instance's SSM agent as Systems Manager sees it (only the cloud watcher asks). */
  public String ssmPingStatus;

  /**
   * What the EKS node monitoring agent's AcceleratedHardwareReady=False raised: rule id by fault
   * class name.
   */
  public TreeMap<String, String> acceleratedHardware = new TreeMap<>();

  /**
   * Hashes of the kube event ids applied most recently, oldest first ({@link RecentEvents}); a
   * state written before it existed reads as empty.
   */
  public LinkedHashSet<Long> recentEventIds = new LinkedHashSet<>();

  /**
   * The cloud's scheduled events on the node's instance that are still to come, by the cloud's
   * event id (or code); a state written before it existed reads as empty.
   */
  public TreeMap<String, Scheduled> scheduledEvents = new TreeMap<>();

  /**
   * One scheduled event as last reported.
   *
   * @param code the EC2 event code
   * @param description EC2's description
   * @param eventId the cloud's id of the event, or its code (the verdict's evidence names it)
   * @param notBefore its start, epoch ms
   * @param notAfter its end, epoch ms, or null
   * @param raised whether it opened a verdict already
   */
  public record Scheduled(
      String code,
      String description,
      String eventId,
      long notBefore,
      Long notAfter,
      boolean raised) {}

  /**
   * A raised scheduled event the cloud is done with whose node has not come back from it yet
   * (rebooted and Ready): its verdict stays open until the node has; null when none.
   */
  public Scheduled returning;

  /** When the node last came up with a new boot id, epoch ms; null when not seen. */
  public Long rebootedAt;

  /** Node-level conditions this state has raised and not yet recovered (class names). */
  public Set<String> raised = new HashSet<>();
}
