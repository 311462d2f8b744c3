package io.gpuward.fleet;

/**
 * An EC2 instance type as the product needs it: how many NVIDIA GPUs it has and of what model.
 *
 * @param name instance type, e.g. p5.48xlarge
 * @param nvidiaGpus whole NVIDIA GPUs (0 for CPU types, AMD GPU types and fractional-GPU types)
 * @param gpuModel NVIDIA GPU model, empty string when none
 * @param gpuMemoryMiB memory per GPU in MiB, 0 when none
 * @param migCapable whether the GPU supports MIG (the GPU Operator's MIG manager belongs there)
 * @param fabricManager whether the instance has an NVSwitch baseboard that needs fabric manager
 */
public record InstanceType(
    String name,
    int nvidiaGpus,
    String gpuModel,
    int gpuMemoryMiB,
    boolean migCapable,
    boolean fabricManager) {

  public boolean hasNvidiaGpu() {
    return nvidiaGpus > 0;
  }
}
