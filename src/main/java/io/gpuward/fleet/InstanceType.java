package io.gpuward.fleet;

/**
 * An EC2 instance type as the product needs it: how many NVIDIA GPUs it has and of what model.
 *
 * @param name instance type, e.g. p5.48xlarge
 * @param nvidiaGpus whole NVIDIA GPUs (0 for CPU types, AMD GPU types, fractional-GPU types and
 *     types whose count is not published)
 * @param gpuModel NVIDIA GPU model, empty string when none
 * @param gpuMemoryMiB memory per GPU in MiB, 0 when none
 * @param migCapable whether the GPU supports MIG (the GPU Operator's MIG manager belongs there)
 * @param fabricManager whether the instance has an NVSwitch baseboard that needs fabric manager
 * @param nvidia whether the type has NVIDIA GPUs at all (true even when the count is unpublished)
 */
public record InstanceType(
    String name,
    int nvidiaGpus,
    String gpuModel,
    int gpuMemoryMiB,
    boolean migCapable,
    boolean fabricManager,
    boolean nvidia) {

  /** A type with no NVIDIA GPU (CPU types, AMD GPU types). */
  public static InstanceType withoutNvidia(String name) {
    return new InstanceType(name, 0, "", 0, false, false, false);
  }

  public boolean hasNvidiaGpu() {
    return nvidia;
  }

  /** Whether the expected GPU count is known (some preview types do not publish it). */
  public boolean gpuCountKnown() {
    return !nvidia || nvidiaGpus > 0;
  }
}
