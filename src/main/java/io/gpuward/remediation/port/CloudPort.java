package io.gpuward.remediation.port;

import java.time.Instant;
import java.util.Optional;

/**
 * The cloud side of remediation (EC2, Auto Scaling, SSM). Implemented by the AWS SDK actuator and
 * by the simulated cluster in the demo. Methods throw {@link ActuatorException} with a
 * classification.
 */
public interface CloudPort {

  /**
   * Resets one GPU ({@code nvidia-smi -r -i <gpu>} through SSM; {@code gpu} is its UUID, which
   * nvidia-smi accepts like an index); the node must be drained.
   */
  void resetGpu(String instanceId, String gpu, String idempotencyToken);

  /**
   * What the cloud's history says of the GPU reset of {@code gpu} sent with {@code
   * idempotencyToken} at or after {@code since} (SSM ListCommands on AWS). Read-only; never throws:
   * a history that cannot be read is {@link CommandTrace.State#UNKNOWN}.
   */
  default CommandTrace gpuResetTrace(
      String instanceId, String gpu, String idempotencyToken, Instant since) {
    return CommandTrace.unknown("this cloud keeps no command history");
  }

  /**
   * Starts NVIDIA DCGM diagnostics ({@code dcgmi diag -r <level> -j}) on every GPU of the instance
   * and returns once the command is accepted, without waiting for its result (a level-2 run takes
   * minutes): {@link #diagnosticsTrace} reads it. The same token again is a no-op.
   *
   * @param level the DCGM run level, 1 (seconds) to 3 (tens of minutes)
   * @param idempotencyToken the operation id; the command is found again by it after a crash
   */
  default void runDiagnostics(String instanceId, int level, String idempotencyToken) {
    throw new ActuatorException(
        ActuatorException.Kind.PERMANENT, "this cloud cannot run GPU diagnostics");
  }

  /**
   * What became of the diagnostics sent with {@code idempotencyToken} at or after {@code since}:
   * {@link CommandTrace.State#SUCCEEDED} when every test passed, {@link CommandTrace.State#FAILED}
   * with the failing test and GPU in the detail, {@link CommandTrace.State#IN_PROGRESS} while it
   * runs, {@link CommandTrace.State#NOT_SENT}, or {@link CommandTrace.State#UNKNOWN}. Read-only;
   * never throws.
   */
  default CommandTrace diagnosticsTrace(String instanceId, String idempotencyToken, Instant since) {
    return CommandTrace.unknown("this cloud keeps no command history");
  }

  /** Reboots the instance (EC2 RebootInstances). */
  void reboot(String instanceId, String idempotencyToken);

  /**
   * Replaces the instance through its Auto Scaling group without decrementing desired capacity
   * (TerminateInstanceInAutoScalingGroup, ShouldDecrementDesiredCapacity=false).
   */
  void replace(String instanceId, String asgName, String idempotencyToken);

  /**
   * The Auto Scaling group of a node group, when the node and the inventory do not name it (EKS
   * DescribeNodegroup on AWS, cached); empty when it cannot be told (none, or several).
   */
  default Optional<String> autoScalingGroupOf(String nodegroup) {
    return Optional.empty();
  }
}
