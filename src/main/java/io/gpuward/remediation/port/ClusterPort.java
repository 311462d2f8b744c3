package io.gpuward.remediation.port;

import io.gpuward.avro.RemediationAction;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Kubernetes side of remediation. Implemented by the fabric8 actuator against a real API server
 * and by the simulated cluster in the demo. Methods throw {@link ActuatorException} with a
 * classification.
 */
public interface ClusterPort {

  /** The node as the API server has it now; empty when the Node object does not exist. */
  Optional<LiveNode> node(String name);

  /**
   * Marks the node unschedulable and records {@code operationId} on it (annotation), so gpuward
   * later knows it was the one that cordoned it; with it the NoSchedule taint {@link
   * HealthMark#TAINT_KEY} and the label {@link HealthMark#LABEL} = {@link
   * HealthMark#UNSCHEDULABLE}. Idempotent.
   */
  void cordon(String node, String operationId);

  /**
   * Clears unschedulable, the gpuward annotation, taint and label. On a node gpuward did not cordon
   * but marked {@link HealthMark#DEGRADED}, takes only that label off (a cordon someone else put on
   * meanwhile stays). Idempotent.
   */
  void uncordon(String node, String operationId);

  /**
   * Sets the {@link HealthMark#LABEL} label of a node gpuward cordoned to {@code mark}; does
   * nothing on a node it did not cordon, except {@link HealthMark#DEGRADED}, which is set only on a
   * schedulable node. Best effort: never throws, never fails the step it goes with.
   */
  default void markHealth(String node, HealthMark mark) {}

  /**
   * Quarantines {@code devices} of the node with gpuward's NoSchedule device taint {@link
   * HealthMark#TAINT_KEY} (KEP-5055): one DeviceTaintRule per device, selecting its driver, pool
   * and name, named after {@code session} and the device, and labelled with {@code session} so
   * {@link #untaintDevices} finds them. No new claim is allocated a tainted device; pods running on
   * it are not evicted by the taint (gpuward evicts them itself, honouring budgets). Idempotent: a
   * rule of that name already there (a restart) counts as done.
   *
   * @throws ActuatorException PERMANENT when the API refuses the rule (not served in the configured
   *     version, forbidden, invalid); TRANSIENT or AMBIGUOUS when it did not answer
   */
  default void taintDevices(String node, List<DraDevice> devices, String session) {
    throw new ActuatorException(
        ActuatorException.Kind.PERMANENT, "this cluster serves no DeviceTaintRule API");
  }

  /**
   * Deletes gpuward's DeviceTaintRules of {@code session} (by its label, never another's rule);
   * returns how many were deleted. Idempotent: none left is 0.
   */
  default int untaintDevices(String node, String session) {
    return 0;
  }

  /**
   * Evicts the node's pods through the Eviction API (honouring PodDisruptionBudgets, skipping
   * DaemonSet pods) until none is left or {@code deadline} passes.
   */
  DrainResult drain(String node, Duration deadline);

  /**
   * Evicts the named pods ({@code namespace/name}) of the node through the Eviction API, as {@link
   * #drain} does (PodDisruptionBudgets honoured), until none of them is left on the node or {@code
   * deadline} passes; the node's other pods stay. A named pod that is not on the node counts as
   * gone. For a fault confined to one GPU: only the pods bound to it.
   */
  DrainResult evictPods(String node, List<String> pods, Duration deadline);

  /**
   * Resets {@code gpus} (UUIDs, one after the other) with {@code nvidia-smi -r -i <gpu>} in a
   * short-lived privileged pod on the node, run as a Job named after {@code operationId}, and waits
   * for its result. For images whose remote shell cannot reach the GPUs (Bottlerocket's SSM runs in
   * its control container, without the driver). The node must be drained. The same operation again
   * finds its Job instead of starting a second one.
   *
   * @throws ActuatorException PERMANENT when the reset failed (the pod's termination message in the
   *     detail) or this cluster cannot run such a Job; AMBIGUOUS when it did not finish in time
   */
  default void resetGpuByJob(String node, List<String> gpus, String operationId) {
    throw new ActuatorException(
        ActuatorException.Kind.PERMANENT, "this cluster cannot run a GPU reset Job");
  }

  /**
   * What became of the GPU reset Job of {@code operationId} on {@code node}: SUCCEEDED, FAILED
   * (with the pod's termination message), IN_PROGRESS, NOT_SENT when there is no such Job, or
   * UNKNOWN. Read-only; never throws.
   */
  default CommandTrace gpuResetJobTrace(String node, String operationId) {
    return CommandTrace.unknown("this cluster runs no GPU reset Jobs");
  }

  /**
   * Records what gpuward did to the node where operators look for it (a Kubernetes Event on the
   * Node, shown by {@code kubectl describe node}). Best effort: never throws, never fails the
   * action. The same {@code operationId} and outcome record one event, however often called.
   *
   * @param action what was done
   * @param ok true when it succeeded, false when it failed
   * @param message names the verdict id and fault class
   */
  default void recordEvent(
      String node, RemediationAction action, boolean ok, String operationId, String message) {}

  /**
   * The reason of gpuward's Event for {@code action}: {@code GpuwardCordon}, {@code
   * GpuwardResetGpu}, {@code GpuwardRebootFailed}, … (the same for the real and the simulated
   * cluster).
   */
  static String eventReason(RemediationAction action, boolean ok) {
    StringBuilder b = new StringBuilder("Gpuward");
    for (String part : action.name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return ok ? b.toString() : b.append("Failed").toString();
  }
}
