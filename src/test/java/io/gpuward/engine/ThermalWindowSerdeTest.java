package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.engine.domain.ThermalWindow;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ThermalWindowSerdeTest {
  private final ThermalWindowSerde serde = new ThermalWindowSerde();

  private static ThermalWindow window() {
    ThermalWindow w = new ThermalWindow();
    w.gpus.put(
        "GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138", gpu(0, "00000000:53:00.0", 30, 17, 93.25));
    w.gpus.put("GPU-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", gpu(7, null, 3, 0, 41.5));
    w.gpus.put("GPU-ünïcode", gpu(-1, "0000:00:1e.0", 0, 0, -0.0));
    return w;
  }

  private static ThermalWindow.Gpu gpu(int index, String pci, int samples, int hot, double max) {
    ThermalWindow.Gpu g = new ThermalWindow.Gpu();
    g.index = index;
    g.pciBusId = pci;
    g.samples = samples;
    g.hot = hot;
    g.maxTempC = max;
    return g;
  }

  private ThermalWindow roundTrip(ThermalWindow w) {
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", w));
  }

  @Test
  void shouldRoundTripEveryGpuInKeyOrder() {
    ThermalWindow back = roundTrip(window());
    assertThat(back.gpus.keySet()).containsExactlyElementsOf(window().gpus.keySet());
    window()
        .gpus
        .forEach(
            (uuid, g) -> assertThat(back.gpus.get(uuid)).usingRecursiveComparison().isEqualTo(g));
  }

  @Test
  void shouldRoundTripAnEmptyWindowAndNull() {
    assertThat(roundTrip(new ThermalWindow()).gpus).isEmpty();
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldStillReadWindowsWrittenAsJson() {
    byte[] json = new JsonSerde<>(ThermalWindow.class).serializer().serialize("t", window());
    ThermalWindow back = serde.deserializer().deserialize("t", json);
    assertThat(back.gpus).hasSize(3);
    assertThat(back.gpus.get("GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138").hot).isEqualTo(17);
  }

  @Test
  void shouldBeSmallerThanJson() {
    byte[] json = new JsonSerde<>(ThermalWindow.class).serializer().serialize("t", window());
    byte[] binary = serde.serializer().serialize("t", window());
    assertThat(binary.length).isLessThan(json.length * 2 / 3);
  }

  @Test
  void shouldRejectAnUnknownVersionAndTruncatedBytes() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {0x07, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("version");
    byte[] whole = serde.serializer().serialize("t", window());
    byte[] cut = Arrays.copyOf(whole, whole.length - 5);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("thermal window");
  }

  /** A field added to the aggregate must be added to the binary format too: this fails until. */
  @Test
  void shouldCoverEveryFieldOfTheAggregate() {
    assertThat(
            Arrays.stream(ThermalWindow.Gpu.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName))
        .containsExactlyInAnyOrder("index", "pciBusId", "samples", "hot", "maxTempC");
    assertThat(
            Arrays.stream(ThermalWindow.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName))
        .containsExactly("gpus");
  }
}
