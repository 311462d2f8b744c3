package io.gpuward.remediation.k8s;

import io.gpuward.kube.KubeIds;
import java.time.Duration;
import java.util.Objects;

/**
 * How the GPU reset Job runs; validated on construction, a bad value fails fast naming the field.
 *
 * @param namespace where the Jobs are created (the remediator's own namespace: its Role there is
 *     the only grant to create Jobs)
 * @param image the reset container's image; it needs no nvidia-smi of its own: the NVIDIA container
 *     runtime mounts the host driver's nvidia-smi into a container that asks for the {@code
 *     utility} capability
 * @param runtimeClassName the RuntimeClass that runs it with the NVIDIA container runtime ("" for
 *     none: the node's default runtime, where that is NVIDIA's)
 * @param activeDeadline how long the Job may run ({@code activeDeadlineSeconds}); the remediator
 *     waits this long plus a poll for its result, and past it the reset is AMBIGUOUS
 * @param ttlAfterFinished how long a finished Job is kept ({@code ttlSecondsAfterFinished}): a
 *     remediator restarted within it reads the outcome from the Job, later it finds none
 * @param pollInterval how often the Job's status is read while it runs
 */
public record ResetJobSettings(
    String namespace,
    String image,
    String runtimeClassName,
    Duration activeDeadline,
    Duration ttlAfterFinished,
    Duration pollInterval) {

  public static final String DEFAULT_NAMESPACE = "gpuward";
  public static final String DEFAULT_IMAGE = "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04";
  public static final String DEFAULT_RUNTIME_CLASS = "nvidia";

  /**
   * Namespace {@code gpuward}, the CUDA base image, RuntimeClass {@code nvidia} (the GPU
   * Operator's), 2 min to run, kept 24 h after it finished, polled every 2 s.
   */
  public static ResetJobSettings defaults() {
    return new ResetJobSettings(
        DEFAULT_NAMESPACE,
        DEFAULT_IMAGE,
        DEFAULT_RUNTIME_CLASS,
        Duration.ofMinutes(2),
        Duration.ofHours(24),
        Duration.ofSeconds(2));
  }

  public ResetJobSettings {
    if (namespace == null || !ResetJobs.DNS_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace '" + namespace + "' is not a namespace name");
    }
    if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("image '" + image + "' is not an image reference");
    }
    runtimeClassName = runtimeClassName == null ? "" : runtimeClassName;
    if (!runtimeClassName.isEmpty() && !KubeIds.isNodeName(runtimeClassName)) {
      throw new IllegalArgumentException(
          "runtimeClassName '" + runtimeClassName + "' is not a Kubernetes name");
    }
    atLeastOneSecond("activeDeadline", activeDeadline);
    atLeastOneSecond("ttlAfterFinished", ttlAfterFinished);
    Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
    }
  }

  /** A copy in {@code ns}, with {@code image} and {@code runtimeClass} ("" for none). */
  public ResetJobSettings with(String ns, String image, String runtimeClass) {
    return new ResetJobSettings(
        ns, image, runtimeClass, activeDeadline, ttlAfterFinished, pollInterval);
  }

  private static void atLeastOneSecond(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.toSeconds() < 1) {
      throw new IllegalArgumentException(name + " must be at least 1s, got " + d);
    }
  }
}
