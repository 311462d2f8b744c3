package io.gpuward.engine.domain;

import io.gpuward.avro.GpuRef;
import io.gpuward.avro.XidEvent;
import java.util.List;
import java.util.Optional;

/** XID kernel events → GPU_XID_FATAL, GPU_LOST, APP_XID ... detections, per {@link XidPolicy}. */
public final class XidRule {
  private final XidPolicy policy;

  public XidRule(XidPolicy policy) {
    this.policy = policy;
  }

  public Optional<Signal.Detected> evaluate(XidEvent e, Evidences.Coordinates at) {
    return policy
        .classify(e.getXid())
        .map(
            c -> {
              String gpu = e.getGpuUuid() != null ? e.getGpuUuid() : e.getPciBusId();
              List<GpuRef> gpus =
                  gpu == null
                      ? List.of()
                      : List.of(
                          GpuRef.newBuilder()
                              .setUuid(gpu)
                              .setIndex(null)
                              .setPciBusId(e.getPciBusId())
                              .build());
              var evidence =
                  Evidences.of(at, e.getEventId(), e.getEventTime(), "xid=" + e.getXid())
                      .setValue((double) e.getXid())
                      .setGpuUuid(e.getGpuUuid())
                      .setDetail(e.getMessage())
                      .build();
              String where = gpu == null ? "" : " on " + gpu;
              return new Signal.Detected(
                  e.getNode(),
                  c.faultClass(),
                  c.severity(),
                  c.action(),
                  gpus,
                  evidence,
                  c.ruleId(),
                  e.getEventTime(),
                  "XID " + e.getXid() + " (" + c.name() + ")" + where,
                  null);
            });
  }
}
