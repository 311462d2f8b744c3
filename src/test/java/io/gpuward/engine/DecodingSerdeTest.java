package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.XidEvent;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** Reading an engine input never throws: a value decodes, or says why not with its raw bytes. */
class DecodingSerdeTest {
  private static final String TOPIC = "gpuward.telemetry.xid.v1";

  private final Serde<XidEvent> avro =
      new AvroSerdes(new InMemorySchemaRegistry(), true).valueSerde(XidEvent.class);
  private final DecodingSerde<XidEvent> serde = new DecodingSerde<>(avro);

  @Test
  void shouldDecodeAValidValue() {
    XidEvent x = EngineFixtures.xid("p5-train-1", 79, "GPU-1", Instant.EPOCH.plusSeconds(60));
    byte[] bytes = avro.serializer().serialize(TOPIC, x);

    Decoded<XidEvent> decoded = serde.valueSerde().deserializer().deserialize(TOPIC, bytes);

    assertThat(decoded).isEqualTo(new Decoded.Ok<>(x));
  }

  @Test
  void shouldTurnBytesThatAreNotFramedIntoAnUndecodableWithTheRawKeyAndValue() {
    byte[] key = {(byte) 0xc3, 0x28}; // not UTF-8
    byte[] value = "{not avro}".getBytes(StandardCharsets.UTF_8);

    String k = serde.keySerde().deserializer().deserialize(TOPIC, key);
    Decoded<XidEvent> decoded = serde.valueSerde().deserializer().deserialize(TOPIC, value);

    assertThat(k).isEqualTo(new String(key, StandardCharsets.UTF_8));
    assertThat(decoded).isInstanceOf(Decoded.Undecodable.class);
    var u = (Decoded.Undecodable<XidEvent>) decoded;
    assertThat(u.reason()).contains("not Confluent-framed");
    assertThat(u.error()).isNotNull();
    assertThat(u.rawKey()).isEqualTo(key);
    assertThat(u.rawValue()).isEqualTo(value);
    assertThat(u.sourceTimestamp()).isEqualTo(-1L);
  }

  @Test
  void shouldLeaveANullValueNullForTheCheckToJudge() {
    assertThat(serde.valueSerde().deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(serde.keySerde().deserializer().deserialize(TOPIC, null)).isNull();
  }
}
