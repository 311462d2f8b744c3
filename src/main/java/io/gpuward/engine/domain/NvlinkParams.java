package io.gpuward.engine.domain;

/**
 * NVLink rule data ({@code rules.yaml: nvlink}).
 *
 * @param crcErrorsPerWindow CRC flit + data errors within one window that degrade a GPU's links
 * @param replayOrRecoveryPerWindow replay + recovery errors within one window (DCGM: any is
 *     critical)
 */
public record NvlinkParams(long crcErrorsPerWindow, long replayOrRecoveryPerWindow) {
  public NvlinkParams {
    if (crcErrorsPerWindow < 1 || replayOrRecoveryPerWindow < 1) {
      throw new IllegalArgumentException("nvlink thresholds must be >= 1");
    }
  }
}
