package io.gpuward.remediation.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The GPU reset Job: a privileged pod pinned to the node ({@code spec.nodeName}, so neither the
 * scheduler nor the cordon stands in its way) that runs {@code nvidia-smi -r -i <gpu>} for each
 * GPU, one after the other (init containers, then the last GPU in the main container: a failed
 * reset stops the rest). Pure: no I/O.
 *
 * <p>Its name carries the operation id, so a remediator restarted mid-reset finds it instead of
 * creating a second: {@code gpuward-reset-<op>}, or a hash of the op when the op is not a DNS-1123
 * label that fits in 63 characters; the full op id is the {@value #OPERATION_ID} annotation.
 */
public final class ResetJobs {

  /** Annotation holding the operation id the Job belongs to. */
  public static final String OPERATION_ID = "gpuward.io/operation-id";

  /** Annotation naming the node the Job resets GPUs on. */
  public static final String NODE = "gpuward.io/node";

  /** Annotation listing the GPUs, comma-separated, in reset order. */
  public static final String GPUS = "gpuward.io/gpus";

  /** {@code app.kubernetes.io/component} of the Job and its pod. */
  public static final String COMPONENT = "gpu-reset";

  /** Label the Job controller puts on the Job's pods. */
  public static final String JOB_NAME_LABEL = "job-name";

  static final String PREFIX = "gpuward-reset-";
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern GPU_ID =
      Pattern.compile("GPU-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9]{1,2}");
  private static final int HASH_CHARS = 32;

  private ResetJobs() {}

  /** The Job name of {@code operationId}: deterministic, a DNS-1123 label of at most 63 chars. */
  public static String name(String operationId) {
    String direct = PREFIX + operationId;
    if (direct.length() <= 63 && DNS_LABEL.matcher(direct).matches()) {
      return direct;
    }
    return PREFIX + sha256(operationId).substring(0, HASH_CHARS);
  }

  /** Whether {@code gpu} is a GPU UUID or an index, as nvidia-smi's {@code -i} takes them. */
  public static boolean isGpuId(String gpu) {
    return gpu != null && GPU_ID.matcher(gpu).matches();
  }

  /** The Job that resets {@code gpus} on {@code node} for {@code operationId}. */
  public static Job job(ResetJobSettings s, String node, List<String> gpus, String operationId) {
    Map<String, String> labels =
        Map.of("app.kubernetes.io/name", "gpuward", "app.kubernetes.io/component", COMPONENT);
    List<Container> resets = new ArrayList<>();
    for (int i = 0; i < gpus.size(); i++) {
      resets.add(reset(s, i == gpus.size() - 1 ? "reset" : "reset-" + i, gpus.get(i)));
    }
    return new JobBuilder()
        .withNewMetadata()
        .withName(name(operationId))
        .withNamespace(s.namespace())
        .withLabels(labels)
        .addToAnnotations(OPERATION_ID, operationId)
        .addToAnnotations(NODE, node)
        .addToAnnotations(GPUS, String.join(",", gpus))
        .endMetadata()
        .withNewSpec()
        // One try: a reset that failed is reported and the ladder moves on; it is never retried
        // blindly on a GPU that may be in a worse state after it.
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(s.activeDeadline().toSeconds())
        .withTtlSecondsAfterFinished(
            (int) Math.min(Integer.MAX_VALUE, s.ttlAfterFinished().toSeconds()))
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .addToAnnotations(OPERATION_ID, operationId)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withRestartPolicy("Never")
        .withRuntimeClassName(s.runtimeClassName().isEmpty() ? null : s.runtimeClassName())
        .withAutomountServiceAccountToken(false)
        // Every taint, gpuward's own gpuward.io/unhealthy and the cordon's unschedulable among
        // them:
        // the node is cordoned and tainted precisely because it needs this pod.
        .addNewToleration()
        .withOperator("Exists")
        .endToleration()
        .withInitContainers(resets.subList(0, resets.size() - 1))
        .withContainers(resets.get(resets.size() - 1))
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Container reset(ResetJobSettings s, String name, String gpu) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(s.image())
        .withCommand("nvidia-smi", "-r", "-i", gpu)
        // The NVIDIA container runtime mounts the host driver's nvidia-smi and NVML (capability
        // "utility") and every GPU ("all": the reset pod requests no nvidia.com/gpu, whose GPUs the
        // device plugin would pick, and a privileged pod's variable is honoured).
        .addNewEnv()
        .withName("NVIDIA_VISIBLE_DEVICES")
        .withValue("all")
        .endEnv()
        .addNewEnv()
        .withName("NVIDIA_DRIVER_CAPABILITIES")
        .withValue("utility")
        .endEnv()
        .withNewSecurityContext()
        .withPrivileged(true)
        .endSecurityContext()
        // nvidia-smi prints why a reset failed; the pod's termination message carries it back.
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withNewResources()
        .addToRequests("cpu", new Quantity("10m"))
        .addToRequests("memory", new Quantity("32Mi"))
        .endResources()
        .build();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
