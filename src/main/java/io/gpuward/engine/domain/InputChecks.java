package io.gpuward.engine.domain;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.DeadLetters;
import io.gpuward.contract.NodeNames;
import java.util.Map;
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

  /** No GPU draws more (the largest, GB300, is rated 1.4 kW); beyond it a reading is garbage. */
  static final double MAX_POWER_W = 3000;

  /**
   * XID codes a driver can send. NVIDIA's reach about 185 (2026); codes up to this bound that the
   * catalog does not know yet still reach the XID rule, which escalates them to a human.
   */
  public static final int MAX_XID = 1023;

  /** Longest Kubernetes object name (a DNS-1123 subdomain). */
  static final int MAX_NAME = 253;

  /** Longest identifier (UUID, PCI bus id, model, driver version, event id, boot id). */
  static final int MAX_ID = 256;

  /** Longest free text (a kernel log line, an event message, a pod list). */
  static final int MAX_TEXT = 16 * 1024;

  /** Most labels a node event may carry. */
  static final int MAX_LABELS = 512;

  public static Optional<String> check(String key, GpuSample s) {
    Optional<String> node = node("GpuSample", key, s.getNode());
    if (node.isPresent()) {
      return node;
    }
    if (blank(s.getUuid())) {
      return Optional.of("GpuSample without GPU uuid");
    }
    Optional<String> sizes =
        firstOf(
            length("uuid", s.getUuid(), MAX_ID),
            length("pciBusId", s.getPciBusId(), MAX_ID),
            length("model", s.getModel(), MAX_ID),
            length("driverVersion", s.getDriverVersion(), MAX_ID),
            length("migProfile", s.getMigProfile(), MAX_ID),
            length("bootId", s.getBootId(), MAX_ID),
            length("pod", s.getPod(), MAX_TEXT));
    if (sizes.isPresent()) {
      return sizes;
    }
    return readings(s);
  }

  private static Optional<String> readings(GpuSample s) {
    Optional<String> t = temperature("temperatureC", s.getTemperatureC());
    if (t.isPresent()) {
      return t;
    }
    t = temperature("memoryTemperatureC", s.getMemoryTemperatureC());
    if (t.isPresent()) {
      return t;
    }
    if (s.getPowerW() != null
        && (!Double.isFinite(s.getPowerW()) || s.getPowerW() < 0 || s.getPowerW() > MAX_POWER_W)) {
      return Optional.of("powerW " + s.getPowerW() + " is not a power reading");
    }
    Optional<String> pct =
        firstOf(
            percent("gpuUtilPct", s.getGpuUtilPct()),
            percent("memCopyUtilPct", s.getMemCopyUtilPct()));
    if (pct.isPresent()) {
      return pct;
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
    Optional<String> node = node("XidEvent", key, x.getNode());
    if (node.isPresent()) {
      return node;
    }
    if (x.getXid() <= 0 || x.getXid() > MAX_XID) {
      return Optional.of(
          "XID code " + x.getXid() + " is not a valid XID (1.." + MAX_XID + " are driver codes)");
    }
    return firstOf(
        length("eventId", x.getEventId(), MAX_ID),
        length("pciBusId", x.getPciBusId(), MAX_ID),
        length("gpuUuid", x.getGpuUuid(), MAX_ID),
        length("processName", x.getProcessName(), MAX_ID),
        length("bootId", x.getBootId(), MAX_ID),
        length("message", x.getMessage(), MAX_TEXT));
  }

  public static Optional<String> check(String key, NodeEvent e) {
    Optional<String> node = node("NodeEvent", key, e.getNode());
    if (node.isPresent()) {
      return node;
    }
    if (e.getKind() == NodeEventKind.SCHEDULED_EVENT) {
      return Optional.of(
          "SCHEDULED_EVENT node events are not accepted: the cloud's scheduled events come only"
              + " in the watcher's inventory, which node exporters cannot write");
    }
    if (e.getLabels() != null && e.getLabels().size() > MAX_LABELS) {
      return Optional.of(e.getLabels().size() + " labels (at most " + MAX_LABELS + ")");
    }
    Optional<String> labels = labels(e.getLabels());
    if (labels.isPresent()) {
      return labels;
    }
    return firstOf(
        length("eventId", e.getEventId(), MAX_ID),
        length("source", e.getSource(), MAX_ID),
        length("conditionType", e.getConditionType(), MAX_ID),
        length("reason", e.getReason(), MAX_ID),
        length("bootId", e.getBootId(), MAX_ID),
        length("namespace", e.getNamespace(), MAX_NAME),
        length("pod", e.getPod(), MAX_NAME),
        length("container", e.getContainer(), MAX_NAME),
        length("message", e.getMessage(), MAX_TEXT));
  }

  /**
   * Why {@code node} (the value's node, with record key {@code key}) is not a node this record may
   * be about: missing, not the key, or not a Kubernetes node name (a DNS-1123 subdomain).
   */
  public static Optional<String> node(String record, String key, String node) {
    if (blank(node)) {
      return Optional.of(record + " without node");
    }
    if (!NodeNames.isValid(node)) {
      return Optional.of(
          record
              + " node '"
              + DeadLetters.printable(node)
              + "' is not a Kubernetes node name (DNS-1123, at most "
              + MAX_NAME
              + " characters)");
    }
    if (key != null && !key.equals(node)) {
      return Optional.of(
          record + " key '" + DeadLetters.printable(key) + "' is not its node '" + node + "'");
    }
    return Optional.empty();
  }

  private static Optional<String> labels(Map<String, String> labels) {
    if (labels == null) {
      return Optional.empty();
    }
    for (var e : labels.entrySet()) {
      Optional<String> bad =
          firstOf(
              length("label name", e.getKey(), MAX_NAME),
              length("label value", e.getValue(), MAX_TEXT));
      if (bad.isPresent()) {
        return bad;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> length(String field, CharSequence v, int max) {
    if (v == null || v.length() <= max) {
      return Optional.empty();
    }
    return Optional.of(field + " is " + v.length() + " characters long (at most " + max + ")");
  }

  private static Optional<String> percent(String field, Double v) {
    if (v == null || (Double.isFinite(v) && v >= 0 && v <= 100)) {
      return Optional.empty();
    }
    return Optional.of(field + " " + v + " is not a percentage");
  }

  @SafeVarargs
  private static Optional<String> firstOf(Optional<String>... checks) {
    for (Optional<String> c : checks) {
      if (c.isPresent()) {
        return c;
      }
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
