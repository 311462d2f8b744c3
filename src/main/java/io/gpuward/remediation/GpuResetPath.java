package io.gpuward.remediation;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a GPU reset reaches the node. The audit detail names it ({@code via=ssm}, {@code via=job}),
 * and a reset STARTED before a crash is reconciled through the path its record names, whatever the
 * policy says after the restart.
 */
public enum GpuResetPath {
  /** {@code nvidia-smi -r -i <gpu>} through an SSM command on the instance (the cloud port). */
  SSM("ssm"),
  /** {@code nvidia-smi -r -i <gpu>} in a privileged pod run as a Kubernetes Job on the node. */
  JOB("job");

  private final String via;

  GpuResetPath(String via) {
    this.via = via;
  }

  /** {@code ssm} or {@code job}: the policy value and the audit detail's {@code via=}. */
  public String via() {
    return via;
  }

  /** The path a policy value or a {@code via=} names. */
  public static Optional<GpuResetPath> byVia(String via) {
    return Arrays.stream(values()).filter(p -> p.via.equals(via)).findFirst();
  }
}
