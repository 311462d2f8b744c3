package io.gpuward.engine.domain;

/**
 * Thermal rule data ({@code rules.yaml: thermal}).
 *
 * @param gpuTempLimitC GPU temperature at or over which a sample is hot
 * @param memoryTempLimitC memory temperature at or over which a sample is hot
 * @param openFraction hot share of a window's samples that opens a verdict
 * @param clearFraction hot share at or under which a window counts as recovered
 * @param minSamples samples a GPU needs in a window for the window to count
 */
public record ThermalParams(
    double gpuTempLimitC,
    double memoryTempLimitC,
    double openFraction,
    double clearFraction,
    int minSamples) {

  public ThermalParams {
    if (!(clearFraction < openFraction)) {
      throw new IllegalArgumentException(
          "thermal.clearFraction must be below thermal.openFraction (hysteresis)");
    }
    if (openFraction <= 0 || openFraction > 1) {
      throw new IllegalArgumentException("thermal.openFraction must be in (0, 1]");
    }
    if (minSamples < 1) {
      throw new IllegalArgumentException("thermal.minSamples must be >= 1");
    }
  }
}
