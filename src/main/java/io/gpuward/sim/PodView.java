package io.gpuward.sim;

/**
 * A pod on a simulated node.
 *
 * @param namespace namespace
 * @param name pod name
 * @param node node it is bound to
 * @param owner owning Deployment or DaemonSet name
 * @param daemonSet whether a DaemonSet owns it (drain skips it)
 * @param gpuIndex the GPU it holds, -1 for none
 * @param waitingReason why its container waits (CrashLoopBackOff), null while it runs
 * @param restarts its container's restart count
 */
public record PodView(
    String namespace,
    String name,
    String node,
    String owner,
    boolean daemonSet,
    int gpuIndex,
    String waitingReason,
    int restarts) {

  /** A pod whose container runs and never restarted. */
  public PodView(
      String namespace, String name, String node, String owner, boolean daemonSet, int gpuIndex) {
    this(namespace, name, node, owner, daemonSet, gpuIndex, null, 0);
  }
}
