package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.GpuSample;
import io.gpuward.engine.domain.CounterCarry;
import io.gpuward.engine.domain.GpuWindow;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class CounterCarrySerdeTest {
  private final CounterCarrySerde serde = new CounterCarrySerde();

  @Test
  void shouldRoundTripEveryReadingAndTheCountersWithoutOne() {
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    GpuWindow w = new GpuWindow();
    w.add(
        GpuSample.newBuilder(EngineFixtures.sample("n", 0, "GPU-0", 50, t))
            .setEccSbeVolatile(12_345L)
            .setNvlinkReplayErrors(0L)
            .build(),
        false,
        false);
    w.add(
        GpuSample.newBuilder(EngineFixtures.sample("n", 1, "GPU-1", 50, t.plusSeconds(7)))
            .setEccDbeVolatile(1L)
            .build(),
        false,
        false);
    CounterCarry carry = new CounterCarry();
    carry.remember(w);

    CounterCarry back =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", carry));

    assertThat(back.gpus.keySet()).containsExactly("GPU-0", "GPU-1");
    for (String gpu : carry.gpus.keySet()) {
      assertThat(back.gpus.get(gpu)).containsExactly(carry.gpus.get(gpu));
    }
    assertThat(back.before("GPU-0", t.toEpochMilli() + 1, t.toEpochMilli() + 1, 1000))
        .as("SBE carried, DBE never reported")
        .startsWith(12_345L, t.toEpochMilli(), -1L, Long.MIN_VALUE);
  }

  @Test
  void shouldReadFormat1WithoutTheThermalViolationReading() {
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    GpuWindow w = new GpuWindow();
    w.add(
        GpuSample.newBuilder(EngineFixtures.sample("n", 0, "GPU-0", 50, t))
            .setEccSbeVolatile(12L)
            .setThermalViolationNs(9_000_000L)
            .build(),
        false,
        false);
    CounterCarry carry = new CounterCarry();
    carry.remember(w);
    assertThat(carry.gpus.get("GPU-0")[2 * GpuWindow.THERMAL_VIOLATION]).isEqualTo(9_000_000L);

    byte[] v1 = CounterCarrySerde.write(carry, CounterCarrySerde.VERSION_1);
    long[] back = serde.deserializer().deserialize("t", v1).gpus.get("GPU-0");

    assertThat(back[2 * GpuWindow.SBE]).isEqualTo(12L);
    assertThat(back[2 * GpuWindow.SBE + 1]).isEqualTo(t.toEpochMilli());
    assertThat(back[2 * GpuWindow.THERMAL_VIOLATION + 1])
        .as("format 1 held no violation reading")
        .isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void shouldRefuseAnUnknownFormatOrTruncatedBytes() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {9}))
        .isInstanceOf(SerializationException.class);
    byte[] bytes = serde.serializer().serialize("t", new CounterCarry());
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {bytes[0]}))
        .isInstanceOf(SerializationException.class);
  }
}
