package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultyGpusTest {
  private static final String NODE = "p5-train-3";

  private static FaultVerdict on(FaultVerdict v, FaultClass c, String... uuids) {
    List<GpuRef> gpus =
        List.of(uuids).stream()
            .map(u -> GpuRef.newBuilder(v.getGpus().get(0)).setUuid(u).build())
            .toList();
    return FaultVerdict.newBuilder(v).setFaultClass(c).setGpus(gpus).build();
  }

  @Test
  void shouldCountTheGpuOfAFatalXidVerdict() {
    FaultVerdict fatal = Verdicts.xid(NODE, 119);
    assertThat(fatal.getFaultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(FaultyGpus.count(List.of(fatal))).isEqualTo(1);
  }

  @Test
  void shouldCountAGpuNamedByTwoVerdictsOnce() {
    FaultVerdict fatal = Verdicts.xid(NODE, 119);
    FaultVerdict memory = on(fatal, FaultClass.GPU_MEMORY_DEGRADED, Verdicts.GPU, "GPU-other");
    assertThat(FaultyGpus.count(List.of(fatal, memory))).isEqualTo(2);
  }

  @Test
  void shouldNotCountGpusTheDevicePluginDoesNotWithhold() {
    FaultVerdict fatal = Verdicts.xid(NODE, 119);
    FaultVerdict app = Verdicts.xid(NODE, 13);
    assertThat(app.getFaultClass()).isEqualTo(FaultClass.APP_XID);
    FaultVerdict thermal = on(fatal, FaultClass.GPU_THERMAL, "GPU-hot");
    assertThat(FaultyGpus.count(List.of(app, thermal))).isZero();
    assertThat(FaultyGpus.count(List.of())).isZero();
  }
}
