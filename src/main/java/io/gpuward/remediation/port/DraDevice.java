package io.gpuward.remediation.port;

import java.util.Objects;

/**
 * One device a DRA driver publishes for a node in a {@code resource.k8s.io} ResourceSlice: what a
 * KEP-5055 DeviceTaintRule selects ({@code driver}, {@code pool}, {@code name}) and what ties it to
 * a GPU a verdict names ({@code uuid}, {@code index}).
 *
 * @param driver the slice's {@code spec.driver}, e.g. {@code gpu.nvidia.com}
 * @param pool the slice's {@code spec.pool.name} (the NVIDIA driver uses the node name)
 * @param name the device's name in the slice, e.g. {@code gpu-3} (the NVIDIA driver names a GPU
 *     after its minor number, which need not be its index)
 * @param uuid the device's {@code uuid} attribute, null when not published
 * @param index the device's {@code index} attribute, null when not published (the NVIDIA driver
 *     stopped publishing it in v25.8)
 */
public record DraDevice(String driver, String pool, String name, String uuid, Integer index) {
  public DraDevice {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(name, "name");
  }

  /** {@code driver/pool/name}, for logs and audit details. */
  public String id() {
    return driver + "/" + pool + "/" + name;
  }
}
