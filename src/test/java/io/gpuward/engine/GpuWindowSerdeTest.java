package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.engine.domain.GpuWindow;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class GpuWindowSerdeTest {
  private final GpuWindowSerde serde = new GpuWindowSerde();

  private static GpuWindow window() {
    GpuWindow w = new GpuWindow();
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    for (int i = 0; i < 3; i++) {
      var b =
          io.gpuward.avro.GpuSample.newBuilder(
                  EngineFixtures.sample("n", i, "GPU-" + i, 50 + i, t.plusSeconds(i)))
              .setEccSbeVolatile(10L + i)
              .setNvlinkReplayErrors((long) i)
              .setRowRemapFailure(i == 2)
              .setClockEventReasons(i == 1 ? 0x48L : 0L)
              .setThermalViolationNs(5_000_000_000L);
      w.add(b.build(), i == 1, i == 1);
      w.add(
          b.setEccSbeVolatile(20L + i)
              .setThermalViolationNs(7_000_000_000L)
              .setEventTime(t.plusSeconds(10 + i))
              .build(),
          false,
          i == 1);
    }
    w.gpus.get("GPU-0").pciBusId = null;
    return w;
  }

  @Test
  void shouldRoundTripEveryField() {
    GpuWindow w = window();
    byte[] bytes = serde.serializer().serialize("t", w);
    GpuWindow back = serde.deserializer().deserialize("t", bytes);
    var json = new JsonSerde<>(GpuWindow.class);
    assertThat(new String(json.serializer().serialize("t", back)))
        .isEqualTo(new String(json.serializer().serialize("t", w)));
    assertThat(back.gpus.get("GPU-1").delta(io.gpuward.engine.domain.GpuWindow.SBE)).isEqualTo(10);
    assertThat(back.gpus.get("GPU-2").rowRemapFailure).isTrue();
    assertThat(back.gpus.get("GPU-0").pciBusId).isNull();
    assertThat(back.gpus.get("GPU-1").reported).isEqualTo(w.gpus.get("GPU-1").reported).isNotZero();
    assertThat(back.gpus.get("GPU-1").slowdown).isEqualTo(2);
    assertThat(back.gpus.get("GPU-1").reasonsSeen).isEqualTo(0x48L);
    assertThat(back.gpus.get("GPU-1").delta(GpuWindow.THERMAL_VIOLATION)).isEqualTo(2_000_000_000L);
  }

  @Test
  void shouldRoundTripEachGpusPodsAndReadFormat4WithoutThem() {
    GpuWindow w = window();
    w.gpus.get("GPU-1").addPod("ml/b");
    w.gpus.get("GPU-1").addPod("ml/a");

    GpuWindow back = serde.deserializer().deserialize("t", GpuWindowSerde.write(w));
    GpuWindow v4 =
        serde.deserializer().deserialize("t", GpuWindowSerde.write(w, GpuWindowSerde.VERSION_4));

    assertThat(back.gpus.get("GPU-1").podList()).containsExactly("ml/a", "ml/b");
    assertThat(back.gpus.get("GPU-2").podList()).isEmpty();
    assertThat(v4.gpus.get("GPU-1").podList()).as("format 4 held no pods: unknown").isEmpty();
    assertThat(v4.gpus.get("GPU-1").slowdown).isEqualTo(2);
  }

  @Test
  void shouldReadFormat3WithoutTheThermalFieldsAndItsReportedBitsWhereTheyAreNow() {
    GpuWindow w = window();
    byte[] v3 = GpuWindowSerde.write(w, GpuWindowSerde.VERSION_3);
    assertThat(v3[0]).isEqualTo((byte) 3);

    GpuWindow.Gpu back = serde.deserializer().deserialize("t", v3).gpus.get("GPU-2");

    assertThat(back.reported(GpuWindow.SBE)).isTrue();
    assertThat(back.reported(GpuWindow.NVLINK_REPLAY)).isTrue();
    assertThat(back.reported(GpuWindow.ROW_REMAP)).isTrue();
    assertThat(back.reported(GpuWindow.DBE)).isFalse();
    assertThat(back.reported(GpuWindow.RETIRED_PENDING)).isFalse();
    assertThat(back.reported(GpuWindow.THERMAL_VIOLATION))
        .as("format 3 held no violation counter")
        .isFalse();
    assertThat(back.reported(GpuWindow.CLOCK_REASONS)).isFalse();
    assertThat(back.delta(GpuWindow.THERMAL_VIOLATION)).isZero();
    assertThat(back.readings()[2 * GpuWindow.THERMAL_VIOLATION + 1]).isEqualTo(Long.MIN_VALUE);
    assertThat(back.delta(GpuWindow.SBE)).isEqualTo(10);
    assertThat(back.rowRemapFailure).isTrue();
  }

  @Test
  void shouldReadFormat2InferringTheReportedFieldsFromTheValues() {
    GpuWindow w = window();
    w.gpus.keySet().retainAll(Set.of("GPU-2"));
    byte[] v3 = GpuWindowSerde.write(w, GpuWindowSerde.VERSION_3);
    // Format 2 is format 3 without the trailing varint of each GPU (one byte here).
    byte[] v2 = Arrays.copyOf(v3, v3.length - 1);
    v2[0] = GpuWindowSerde.VERSION_2;
    GpuWindow.Gpu back = serde.deserializer().deserialize("t", v2).gpus.get("GPU-2");
    assertThat(back.reported(GpuWindow.SBE)).isTrue();
    assertThat(back.reported(GpuWindow.NVLINK_REPLAY)).isTrue();
    assertThat(back.reported(GpuWindow.ROW_REMAP)).as("a set flag was reported").isTrue();
    assertThat(back.reported(GpuWindow.DBE)).isFalse();
    assertThat(back.delta(GpuWindow.SBE)).isEqualTo(10);
  }

  @Test
  void shouldStillReadJsonWrittenBeforeAndRefuseGarbage() {
    GpuWindow w = window();
    byte[] json = new JsonSerde<>(GpuWindow.class).serializer().serialize("t", w);
    assertThat(serde.deserializer().deserialize("t", json).gpus).hasSize(3);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0, 0}))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {7}))
        .isInstanceOf(SerializationException.class);
  }
}
