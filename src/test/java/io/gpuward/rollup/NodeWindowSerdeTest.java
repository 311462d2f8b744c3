package io.gpuward.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.GpuSample;
import io.gpuward.engine.EngineFixtures;
import io.gpuward.engine.JsonSerde;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class NodeWindowSerdeTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private final NodeWindowSerde serde = new NodeWindowSerde();

  private static NodeWindow window() {
    NodeWindow w = NodeWindow.empty();
    for (int i = 0; i < 3; i++) {
      GpuSample s = EngineFixtures.sample("n", i, "GPU-" + i, 50 + i, T0.plusSeconds(i));
      w = w.add(s);
      w = w.add(GpuSample.newBuilder(s).setPowerW(null).setModel(i == 1 ? null : "H100").build());
    }
    return w;
  }

  @Test
  void shouldRoundTripEveryStatistic() {
    NodeWindow w = window();
    NodeWindow back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", w));
    assertThat(back).isEqualTo(w);
    assertThat(back.gpus().get("GPU-2").samples()).isEqualTo(2);
    assertThat(back.gpus().get("GPU-2").power().n()).as("null power skipped").isEqualTo(1);
  }

  @Test
  void shouldReadTheJsonOfExistingStoresAndRefuseGarbage() {
    NodeWindow w = window();
    byte[] json = new JsonSerde<>(NodeWindow.class).serializer().serialize("t", w);
    assertThat(serde.deserializer().deserialize("t", json)).isEqualTo(w);
    byte[] bytes = serde.serializer().serialize("t", w);
    assertThat(bytes.length).isLessThan(json.length / 2);
    assertThatThrownBy(
            () -> serde.deserializer().deserialize("t", Arrays.copyOf(bytes, bytes.length - 3)))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {7}))
        .isInstanceOf(SerializationException.class);
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, 0x7f}))
        .isInstanceOf(SerializationException.class);
    // a varint cut short: Kafka's reader says so with an IllegalArgumentException
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {1, (byte) 0x81}))
        .isInstanceOf(SerializationException.class);
  }
}
