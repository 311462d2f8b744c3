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
 */
public record PodView(
    String namespace, String name, String node, String owner, boolean daemonSet, int gpuIndex) {}
