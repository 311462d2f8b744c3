package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuPodsTest {
  private static GpuRef gpu(String uuid, String bus, String... pods) {
    return GpuRef.newBuilder().setUuid(uuid).setPciBusId(bus).setPods(List.of(pods)).build();
  }

  @Test
  void shouldFillAnUnknownGpusPodsByUuidOrBusId() {
    var last = Map.of("GPU-1", List.of("ml/a"), "00000000:54:00.0", List.of("ml/b"));

    var index = Map.of("GPU-1", 1, "00000000:54:00.0", 2);

    var out =
        GpuPods.attribute(
            List.of(gpu("GPU-1", null), gpu("GPU-x", "00000000:54:00.0")), last, index);

    assertThat(out).extracting(GpuRef::getPods).containsExactly(List.of("ml/a"), List.of("ml/b"));
    assertThat(out).extracting(GpuRef::getIndex).containsExactly(1, 2);
  }

  @Test
  void shouldKeepKnownPodsAndLeaveAGpuTheWindowDidNotAttributeUnknown() {
    var last = Map.of("GPU-1", List.of("ml/new"));

    var out =
        GpuPods.attribute(
            List.of(gpu("GPU-1", null, "ml/old"), gpu("GPU-2", null)), last, Map.of());

    assertThat(out).extracting(GpuRef::getPods).containsExactly(List.of("ml/old"), List.of());
  }

  @Test
  void shouldTakeLaterPodsOnlyWhileTheyWereUnknown() {
    assertThat(GpuPods.filled(gpu("GPU-1", null), gpu("GPU-1", null, "ml/a")).getPods())
        .containsExactly("ml/a");
    assertThat(GpuPods.filled(gpu("GPU-1", null, "ml/a"), gpu("GPU-1", null, "ml/b")).getPods())
        .containsExactly("ml/a");
  }
}
