package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.engine.WindowSignalsProcessor.GpuSet;
import io.gpuward.engine.domain.ThrottleHistory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PresenceSerdeTest {
  private static final long END = 1_795_000_010_000L;

  private final PresenceSerde serde = new PresenceSerde();
  private final JsonSerde<GpuSet> json = new JsonSerde<>(GpuSet.class);

  /** A node with {@code gpus} GPUs, each with a PCI bus id and two pods; every field set. */
  static GpuSet full(int gpus) {
    GpuSet g = new GpuSet();
    g.windowEnd = END;
    g.throttle = new ThrottleHistory();
    g.throttle.windowEnd = END - 10_000;
    for (int i = 0; i < gpus; i++) {
      String uuid = String.format("GPU-%08x-1111-2222-3333-%012x", i * 0x1234567, i);
      String pci = String.format("00000000:%02X:00.0", 0x10 + i);
      g.uuids.add(uuid);
      g.indexes.put(uuid, i);
      g.indexes.put(pci, i);
      List<String> pods = List.of("train/llama-worker-" + i, "monitoring/dcgm-probe");
      g.pods.put(uuid, pods);
      g.pods.put(pci, pods);
      ThrottleHistory.Streak s = new ThrottleHistory.Streak();
      s.throttled = i + 1;
      s.clean = 2;
      s.open = true;
      s.lastSeen = END - 10_000 - i;
      g.throttle.gpus.put(uuid, s);
    }
    return g;
  }

  private String jsonOf(GpuSet g) {
    return new String(json.serializer().serialize("t", g), StandardCharsets.UTF_8);
  }

  private GpuSet roundTrip(GpuSet g) {
    byte[] bytes = serde.serializer().serialize("t", g);
    assertThat(bytes[0]).as("always written binary").isEqualTo(PresenceSerde.VERSION);
    return serde.deserializer().deserialize("t", bytes);
  }

  @Test
  void fullTestValueSetsEveryField() {
    EveryFieldSet.check(full(2));
  }

  @Test
  void shouldRoundTripEveryField() {
    GpuSet g = full(8);

    GpuSet back = roundTrip(g);

    assertThat(jsonOf(back)).isEqualTo(jsonOf(g));
    assertThat(back.uuids).isEqualTo(g.uuids);
  }

  @Test
  void shouldRoundTripNullsAndTheHistoryBeforeTheFirstWindow() {
    GpuSet g = full(3);
    g.throttle.windowEnd = Long.MIN_VALUE;
    g.throttle.gpus.get(g.uuids.get(0)).open = false;
    g.throttle.gpus.get(g.uuids.get(1)).lastSeen = Long.MAX_VALUE;
    g.throttle.gpus.put("GPU-null", null);
    g.indexes.put("GPU-null", null);
    g.indexes.put("GPU-negative", Integer.MIN_VALUE);
    g.pods.put("GPU-null", null);
    g.pods.put("GPU-null-pod", new ArrayList<>(Arrays.asList((String) null)));
    g.uuids.add(null);
    assertThat(jsonOf(roundTrip(g))).isEqualTo(jsonOf(g));

    GpuSet empty = new GpuSet();
    empty.windowEnd = Long.MIN_VALUE;
    empty.throttle = null;
    empty.uuids = null;
    empty.pods = null;
    empty.indexes = null;
    assertThat(jsonOf(roundTrip(empty))).isEqualTo(jsonOf(empty));
    assertThat(jsonOf(roundTrip(new GpuSet()))).isEqualTo(jsonOf(new GpuSet()));
  }

  @Test
  void shouldReadTheJsonEarlierVersionsWrote() {
    GpuSet g = full(8);

    GpuSet back = serde.deserializer().deserialize("t", json.serializer().serialize("t", g));

    assertThat(jsonOf(back)).isEqualTo(jsonOf(g));
    GpuSet withoutStreaks =
        serde
            .deserializer()
            .deserialize(
                "t", "{\"windowEnd\":5,\"uuids\":[\"GPU-1\"]}".getBytes(StandardCharsets.UTF_8));
    assertThat(withoutStreaks.uuids).containsExactly("GPU-1");
    assertThat(withoutStreaks.throttle.gpus).isEmpty();
  }

  @Test
  void shouldRefuseAnUnknownFormatOrEveryTruncation() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown GPU presence format 2");
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[0]))
        .isInstanceOf(SerializationException.class);
    byte[] bytes = serde.serializer().serialize("t", full(2));
    for (int n = 1; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> serde.deserializer().deserialize("t", cut))
          .as("cut to %d of %d bytes", n, bytes.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageContaining("GPU presence");
    }
  }

  @Test
  void shouldBeAFractionOfTheJsonForEightGpus() {
    GpuSet g = full(8);

    int binary = serde.serializer().serialize("t", g).length;
    int asJson = json.serializer().serialize("t", g).length;

    System.out.printf("GPU presence of 8 GPUs: JSON %d B, binary %d B%n", asJson, binary);
    assertThat(binary).isLessThan(asJson / 2);
  }
}
