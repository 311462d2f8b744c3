package io.gpuward.engine.domain;

import static io.gpuward.engine.EngineFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.XidEvent;
import io.gpuward.engine.EngineFixtures;
import org.junit.jupiter.api.Test;

class XidRuleTest {
  private static final String NODE = "p5-train-2";
  private static final String GPU = "GPU-a54c1f2e-7b3d-4e8a-9f10-2c4d6e8f0a1b";
  private static final Evidences.Coordinates AT =
      new Evidences.Coordinates("gpuward.telemetry.xid.v1", 3, 4711L);

  private final XidPolicy policy = RuleCatalog.load().xid();
  private final XidRule rule = new XidRule(policy);

  private static XidEvent xid(int code) {
    return EngineFixtures.xid(NODE, code, GPU, T0);
  }

  private Signal.Detected detect(XidEvent e) {
    return rule.evaluate(e, AT).orElseThrow();
  }

  @Test
  void shouldRebootForXid79NamingTheGpuAndTheKernelLine() {
    XidEvent e = xid(79);
    Signal.Detected d = detect(e);
    assertThat(d.node()).isEqualTo(NODE);
    assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_LOST);
    assertThat(d.action()).isEqualTo(RemediationAction.REBOOT);
    assertThat(d.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(d.ruleId()).isEqualTo("xid.code.79");
    assertThat(d.eventTime()).isEqualTo(T0);
    assertThat(d.fixHint()).isNull();
    assertThat(d.gpus())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.getUuid()).isEqualTo(GPU);
              assertThat(g.getPciBusId()).isEqualTo(e.getPciBusId());
              assertThat(g.getIndex()).isNull();
            });
    String name = policy.catalog().find(79).orElseThrow().name();
    assertThat(d.summary()).isEqualTo("XID 79 (" + name + ") on " + GPU);
  }

  @Test
  void shouldNameTheRecordsKafkaCoordinatesAndEventAsEvidence() {
    XidEvent e = xid(79);
    var ev = detect(e).evidence();
    assertThat(ev.getSource()).isEqualTo(AT.topic());
    assertThat(ev.getPartition()).isEqualTo(AT.partition());
    assertThat(ev.getOffset()).isEqualTo(AT.offset());
    assertThat(ev.getEventId()).isEqualTo(e.getEventId());
    assertThat(ev.getEventTime()).isEqualTo(T0);
    assertThat(ev.getSignal()).isEqualTo("xid=79");
    assertThat(ev.getValue()).isEqualTo(79.0);
    assertThat(ev.getGpuUuid()).isEqualTo(GPU);
    assertThat(ev.getDetail()).isEqualTo(e.getMessage());
  }

  @Test
  void shouldTakeTheCatalogsActionForAFatalXid() {
    Signal.Detected d = detect(xid(119));
    assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(d.action()).isEqualTo(RemediationAction.RESET_GPU);
    assertThat(d.ruleId()).isEqualTo("xid.catalog.RESET_GPU");
  }

  @Test
  void shouldRaiseTheMemoryAndNvlinkClassesForTheirXids() {
    assertThat(detect(xid(48)).faultClass()).isEqualTo(FaultClass.GPU_MEMORY_DEGRADED);
    assertThat(detect(xid(64)).action()).isEqualTo(RemediationAction.REPLACE);
    assertThat(detect(xid(74)).faultClass()).isEqualTo(FaultClass.NVLINK_DEGRADED);
  }

  @Test
  void shouldLeaveAnApplicationXidToTheApplication() {
    Signal.Detected d = detect(xid(13));
    assertThat(d.faultClass()).isEqualTo(FaultClass.APP_XID);
    assertThat(d.action()).isEqualTo(RemediationAction.NONE);
    assertThat(d.severity()).isEqualTo(Severity.INFO);
  }

  @Test
  void shouldIgnoreAnInformationalXid() {
    assertThat(rule.evaluate(xid(63), AT)).isEmpty();
  }

  @Test
  void shouldEscalateAnXidTheShippedCatalogDoesNotKnow() {
    int unknown = DomainFixtures.xidNotInCatalog(policy);
    Signal.Detected d = detect(xid(unknown));
    assertThat(d.faultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(d.action()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(d.ruleId()).isEqualTo("xid.unknown");
    assertThat(d.summary()).contains("XID " + unknown + " (not in catalog)");
  }

  @Test
  void shouldNameTheGpuByItsPciBusIdWhenTheKernelLineHasNoUuid() {
    XidEvent e = XidEvent.newBuilder(xid(79)).setGpuUuid(null).build();
    Signal.Detected d = detect(e);
    assertThat(d.gpus())
        .singleElement()
        .satisfies(g -> assertThat(g.getUuid()).isEqualTo(e.getPciBusId()));
    assertThat(d.evidence().getGpuUuid()).as("not a UUID").isNull();
    assertThat(d.summary()).endsWith(" on " + e.getPciBusId());
  }

  @Test
  void shouldNameNoGpuWhenTheKernelLineNamesNone() {
    XidEvent e = XidEvent.newBuilder(xid(79)).setGpuUuid(null).setPciBusId(null).build();
    Signal.Detected d = detect(e);
    assertThat(d.gpus()).isEmpty();
    assertThat(d.summary()).doesNotContain(" on ");
  }

  @Test
  void shouldRaiseTheSameXidAgainAfterAReboot() {
    XidEvent before = xid(79);
    XidEvent after =
        XidEvent.newBuilder(before)
            .setBootId("boot-2")
            .setEventId(NODE + "/xid/boot-2/17")
            .setEventTime(T0.plusSeconds(600))
            .build();
    Signal.Detected d = detect(after);
    assertThat(d.eventTime()).isEqualTo(T0.plusSeconds(600));
    assertThat(d.evidence().getEventId()).isEqualTo(after.getEventId());
    assertThat(d.ruleId()).isEqualTo(detect(before).ruleId());
  }
}
