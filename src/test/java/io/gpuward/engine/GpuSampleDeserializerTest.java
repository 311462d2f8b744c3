package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.GpuSample;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The fast GPU sample decoder reads exactly what the general Avro deserializer reads. */
class GpuSampleDeserializerTest {
  private static final String TOPIC = "gpuward.telemetry.gpu.v1";

  private final Serde<GpuSample> serde =
      new AvroSerdes(new InMemorySchemaRegistry(), true).valueSerde(GpuSample.class);
  private final GpuSampleDeserializer fast = new GpuSampleDeserializer(serde);

  private static GpuSample full() {
    return GpuSample.newBuilder()
        .setNode("p5-train-0")
        .setUuid("GPU-8f2c-ü")
        .setGpuIndex(7)
        .setPciBusId("00000000:53:00.0")
        .setModel("NVIDIA H100 80GB HBM3")
        .setDriverVersion("580.95.05")
        .setEventTime(Instant.ofEpochMilli(1_795_000_000_123L))
        .setBootId("boot-1")
        .setTemperatureC(71.5)
        .setMemoryTemperatureC(-3.25)
        .setPowerW(700.0)
        .setFbUsedMiB(81_000L)
        .setEccSbeVolatile(12L)
        .setEccDbeVolatile(0L)
        .setRetiredPagesPending(Long.MAX_VALUE)
        .setRowRemapFailure(true)
        .setRowRemapPending(false)
        .setLastXid(79)
        .setNvlinkCrcFlitErrors(-1L)
        .setPod("ml/train-0")
        .build();
  }

  @Test
  void shouldDecodeEveryFieldLikeTheGeneralDeserializer() {
    for (GpuSample s :
        new GpuSample[] {
          full(),
          GpuSample.newBuilder()
              .setNode("n")
              .setUuid("u")
              .setGpuIndex(0)
              .setEventTime(Instant.EPOCH)
              .build()
        }) {
      byte[] bytes = serde.serializer().serialize(TOPIC, s);
      GpuSample decoded = fast.deserialize(TOPIC, bytes);
      assertThat(decoded).isEqualTo(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(s);
    }
  }

  @Test
  void shouldLeaveOtherSchemaIdsToTheGeneralDeserializer() {
    byte[] bytes = serde.serializer().serialize(TOPIC, full());
    ByteBuffer.wrap(bytes).putInt(1, 4242); // a writer schema this registry does not know
    assertThatThrownBy(() -> fast.deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema id 4242");
  }

  @Test
  void shouldRejectTruncatedOrTrailingBytes() {
    byte[] bytes = serde.serializer().serialize(TOPIC, full());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> fast.deserialize(TOPIC, longer))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("trailing");
    byte[] shorter = Arrays.copyOf(bytes, bytes.length - 3);
    assertThatThrownBy(() -> fast.deserialize(TOPIC, shorter))
        .isInstanceOf(SerializationException.class);
  }
}
