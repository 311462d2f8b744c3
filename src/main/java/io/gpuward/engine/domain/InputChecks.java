package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.XidEvent;
import java.util.Optional;

/**
 * Validation of telemetry the engine accepts. A record that fails is expected bad data: it goes to
 * the dead-letter topic with the reason returned here, and processing continues.
 */
public final class InputChecks {
  private InputChecks() {}

  /** Temperatures outside this range are not readings (DCGM sentinels are already absent). */
  static final double MIN_TEMP_C = -40;

  static final double MAX_TEMP_C = 200;

  public static Optional<String> check(String key, GpuSample s) {
    if (blank(s.getNode())) {
      return Optional.of("GpuSample without node");
    }
    if (key != null && !key.equals(s.getNode())) {
      return Optional.of("GpuSample key '" + key + "' is not its node '" + s.getNode() + "'");
    }
    if (blank(s.getUuid())) {
      return Optional.of("GpuSample without GPU uuid");
    }
    Optional<String> t = temperature("temperatureC", s.getTemperatureC());
    if (t.isPresent()) {
      return t;
    }
    t = temperature("memoryTemperatureC", s.getMemoryTemperatureC());
    if (t.isPresent()) {
      return t;
    }
    if (s.getPowerW() != null && (!Double.isFinite(s.getPowerW()) || s.getPowerW() < 0)) {
      return Optional.of("powerW " + s.getPowerW() + " is not a power reading");
    }
    Long[] counters = {
      s.getEccSbeVolatile(),
      s.getEccDbeVolatile(),
      s.getEccSbeAggregate(),
      s.getEccDbeAggregate(),
      s.getNvlinkCrcFlitErrors(),
      s.getNvlinkReplayErrors(),
      s.getNvlinkRecoveryErrors(),
      s.getPcieReplays(),
      s.getRowRemapUncorrectable()
    };
    for (Long c : counters) {
      if (c != null && c < 0) {
        return Optional.of("negative counter value " + c);
      }
    }
    return Optional.empty();
  }

  public static Optional<String> check(String key, XidEvent x) {
    if (blank(x.getNode())) {
      return Optional.of("XidEvent without node");
    }
    if (key != null && !key.equals(x.getNode())) {
      return Optional.of("XidEvent key '" + key + "' is not its node '" + x.getNode() + "'");
    }
    if (x.getXid() <= 0) {
      return Optional.of("XID code " + x.getXid() + " is not a valid XID");
    }
    return Optional.empty();
  }

  public static Optional<String> check(String key, NodeEvent e) {
    if (blank(e.getNode())) {
      return Optional.of("NodeEvent without node");
    }
    if (key != null && !key.equals(e.getNode())) {
      return Optional.of("NodeEvent key '" + key + "' is not its node '" + e.getNode() + "'");
    }
    return Optional.empty();
  }

  private static Optional<String> temperature(String field, Double v) {
    if (v == null) {
      return Optional.empty();
    }
    if (!Double.isFinite(v) || v < MIN_TEMP_C || v > MAX_TEMP_C) {
      return Optional.of(field + " " + v + " is not a temperature reading");
    }
    return Optional.empty();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
