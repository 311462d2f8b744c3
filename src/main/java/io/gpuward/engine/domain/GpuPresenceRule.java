package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * GPU_LOST from telemetry: a GPU that reported in the node's previous window and is absent from
 * this one while the node's other GPUs still report; or DCGM reporting fewer GPUs than the instance
 * type has. A GPU that comes back is the cancel pair; its recovery carries the time of its own
 * sample, so samples from before a fault never clear it.
 */
public final class GpuPresenceRule {
  public static final String MISSING = "gpu-lost.missing-from-telemetry";
  public static final String COUNT = "gpu-lost.count-below-instance-type";

  /**
   * @param previous GPUs (by UUID) the node reported in its previous window; empty when unknown
   * @param expectedGpus GPUs the instance type has, or 0 when unknown
   */
  public List<Signal> evaluate(
      String node,
      Instant start,
      Instant end,
      GpuWindow w,
      Set<String> previous,
      int expectedGpus) {
    List<Signal> out = new ArrayList<>();
    if (w.gpus.isEmpty()) {
      return out; // a silent node is TELEMETRY_STALE's business, not GPU_LOST's
    }
    Set<String> missing = new TreeSet<>(previous);
    missing.removeAll(w.gpus.keySet());
    for (String uuid : missing) {
      out.add(missing(node, start, end, w, uuid));
    }
    if (expectedGpus > 0 && w.gpus.size() < expectedGpus) {
      out.add(countBelow(node, start, end, w, expectedGpus));
    }
    if (!previous.isEmpty()) {
      for (var g : w.gpus.entrySet()) {
        if (!previous.contains(g.getKey())) {
          out.add(backInTelemetry(node, start, end, g.getKey(), g.getValue().lastSampleTs));
        }
      }
    }
    if (expectedGpus > 0
        && w.gpus.size() >= expectedGpus
        && previous.size() < expectedGpus
        && !previous.isEmpty()) {
      out.add(countRestored(node, start, end, w, expectedGpus));
    }
    return out;
  }

  private static Signal missing(String node, Instant start, Instant end, GpuWindow w, String uuid) {
    Evidence e =
        evidence(
            start,
            end,
            uuid,
            "gpu_missing_from_telemetry",
            w.gpus.size(),
            "GPU absent from the window while " + w.gpus.size() + " other GPU(s) reported");
    return new Signal.Detected(
        node,
        FaultClass.GPU_LOST,
        Severity.CRITICAL,
        RemediationAction.REBOOT,
        List.of(GpuRef.newBuilder().setUuid(uuid).setIndex(null).setPciBusId(null).build()),
        e,
        MISSING,
        end,
        "GPU " + uuid + " stopped reporting telemetry",
        null);
  }

  private static Signal countBelow(
      String node, Instant start, Instant end, GpuWindow w, int expectedGpus) {
    Evidence e =
        evidence(
            start,
            end,
            null,
            "gpu_count",
            w.gpus.size(),
            "DCGM reports " + w.gpus.size() + " of " + expectedGpus + " GPUs");
    return new Signal.Detected(
        node,
        FaultClass.GPU_LOST,
        Severity.CRITICAL,
        RemediationAction.REBOOT,
        List.of(),
        e,
        COUNT,
        end,
        "only "
            + w.gpus.size()
            + " of the instance type's "
            + expectedGpus
            + " GPUs report telemetry",
        null);
  }

  private static Signal backInTelemetry(
      String node, Instant start, Instant end, String uuid, long lastSampleTs) {
    return new Signal.Recovered(
        node,
        Set.of(FaultClass.GPU_LOST),
        List.of(uuid),
        "GPU back in telemetry",
        evidence(start, end, uuid, "gpu_back_in_telemetry", 1, null),
        Instant.ofEpochMilli(lastSampleTs));
  }

  /** Seen at the oldest of the window's last samples: every GPU has reported by then. */
  private static Signal countRestored(
      String node, Instant start, Instant end, GpuWindow w, int expectedGpus) {
    Instant seen =
        Instant.ofEpochMilli(
            w.gpus.values().stream()
                .mapToLong(g -> g.lastSampleTs)
                .min()
                .orElse(end.toEpochMilli()));
    return new Signal.Recovered(
        node,
        Set.of(FaultClass.GPU_LOST),
        List.of(),
        "all " + expectedGpus + " GPUs report telemetry again",
        evidence(start, end, null, "gpu_count", w.gpus.size(), null),
        seen);
  }

  private static Evidence evidence(
      Instant start, Instant end, String uuid, String signal, double value, String detail) {
    return Evidences.of(Evidences.NONE, null, end, signal)
        .setSource("window:gpu")
        .setValue(value)
        .setWindowStart(start)
        .setWindowEnd(end)
        .setGpuUuid(uuid)
        .setDetail(detail)
        .build();
  }
}
