package io.gpuward.watch;

import java.time.Duration;
import java.util.Objects;

/**
 * How the watcher runs, from the {@code watch.*} settings of {@code GpuwardConfig}.
 *
 * @param cluster the EKS cluster's name: the instances tagged with it are the fleet
 * @param poll time between cloud reads (and full reconciliations)
 * @param republish time between re-publications of every node's inventory, changed or not
 * @param unregisteredGrace how long a running instance may be without a Node before it is published
 *     as {@code registered=false}
 * @param leaseName the coordination.k8s.io Lease the replicas compete for
 * @param leaseNamespace the Lease's namespace (the watcher's own)
 * @param identity this replica's name in the Lease (the pod name)
 * @param leaseDuration how long a lease lasts without renewal; a dead leader is replaced after it
 * @param operandNamespace the GPU Operator's namespace, whose operand pods are reported per node;
 *     empty for no pod watch
 */
public record WatchSettings(
    String cluster,
    Duration poll,
    Duration republish,
    Duration unregisteredGrace,
    String leaseName,
    String leaseNamespace,
    String identity,
    Duration leaseDuration,
    String operandNamespace) {

  /** Where the GPU Operator installs its operands unless told otherwise. */
  public static final String DEFAULT_OPERAND_NAMESPACE = "gpu-operator";

  public WatchSettings {
    Objects.requireNonNull(operandNamespace, "operandNamespace");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(leaseNamespace, "leaseNamespace");
    Objects.requireNonNull(identity, "identity");
    positive(poll, "poll");
    positive(republish, "republish");
    positive(leaseDuration, "leaseDuration");
    Objects.requireNonNull(unregisteredGrace, "unregisteredGrace");
  }

  /** Settings watching the operands in {@link #DEFAULT_OPERAND_NAMESPACE}. */
  public WatchSettings(
      String cluster,
      Duration poll,
      Duration republish,
      Duration unregisteredGrace,
      String leaseName,
      String leaseNamespace,
      String identity,
      Duration leaseDuration) {
    this(
        cluster,
        poll,
        republish,
        unregisteredGrace,
        leaseName,
        leaseNamespace,
        identity,
        leaseDuration,
        DEFAULT_OPERAND_NAMESPACE);
  }

  /** Whether the watcher watches operand pods. */
  public boolean watchesOperands() {
    return !operandNamespace.isEmpty();
  }

  /**
   * Renewals must succeed within two thirds of the lease, as client-go's defaults (15 s / 10 s).
   */
  public Duration renewDeadline() {
    return leaseDuration.multipliedBy(2).dividedBy(3);
  }

  /** Time between tries to take or renew the lease. */
  public Duration retryPeriod() {
    return leaseDuration.dividedBy(7);
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
  }
}
