package io.gpuward.remediation.port;

import java.time.Duration;
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
   * later knows it was the one that cordoned it. Idempotent.
   */
  void cordon(String node, String operationId);

  /** Clears unschedulable and the gpuward annotation. Idempotent. */
  void uncordon(String node, String operationId);

  /**
   * Evicts the node's pods through the Eviction API (honouring PodDisruptionBudgets, skipping
   * DaemonSet pods) until none is left or {@code deadline} passes.
   */
  DrainResult drain(String node, Duration deadline);
}
