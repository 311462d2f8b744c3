package io.gpuward.engine.domain;

/**
 * GPU memory rule data ({@code rules.yaml: memory}).
 *
 * @param sbeStormPerWindow volatile single-bit ECC errors within one window that make an SBE storm
 * @param sbeClearPerWindow at or under this many in a window the storm is over (hysteresis)
 */
public record MemoryParams(long sbeStormPerWindow, long sbeClearPerWindow) {
  public MemoryParams {
    if (sbeStormPerWindow < 1 || sbeClearPerWindow < 0 || sbeClearPerWindow >= sbeStormPerWindow) {
      throw new IllegalArgumentException(
          "memory.sbeStormPerWindow must be >= 1 and above memory.sbeClearPerWindow");
    }
  }
}
