package io.gpuward.engine;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The key and value serdes of one engine input: keys are UTF-8 node names, as with {@code
 * Serdes.String()}; values are read with the topic's own deserializer into a {@link Decoded}, which
 * is never an exception. Each input's source gets its own instance.
 *
 * <p>An undecodable value's dead letter keeps the key's raw bytes (a key that is not UTF-8 would
 * not survive the string): the key deserializer keeps them per thread, since Kafka Streams reads a
 * record's key and then its value on the same stream thread, and the value deserializer does not
 * see the key.
 */
final class DecodingSerde<V> {
  private final ThreadLocal<byte[]> lastRawKey = new ThreadLocal<>();
  private final Deserializer<V> values;
  private final Serializer<V> serializer;

  DecodingSerde(Serde<V> topicSerde) {
    this(topicSerde.deserializer(), topicSerde.serializer());
  }

  DecodingSerde(Deserializer<V> values, Serializer<V> serializer) {
    this.values = values;
    this.serializer = serializer;
  }

  Serde<String> keySerde() {
    return new Serde<>() {
      @Override
      public Serializer<String> serializer() {
        return (topic, key) -> key == null ? null : key.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public Deserializer<String> deserializer() {
        return (topic, data) -> {
          lastRawKey.set(data);
          return data == null ? null : new String(data, StandardCharsets.UTF_8);
        };
      }
    };
  }

  Serde<Decoded<V>> valueSerde() {
    return new Serde<>() {
      @Override
      public Serializer<Decoded<V>> serializer() {
        return DecodingSerde.this::serialize;
      }

      @Override
      public Deserializer<Decoded<V>> deserializer() {
        return DecodingSerde.this::decode;
      }
    };
  }

  /** {@code data} decoded, or why not; null stays null (a tombstone, or a null to check). */
  Decoded<V> decode(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return new Decoded.Ok<>(values.deserialize(topic, data));
    } catch (RuntimeException e) {
      return new Decoded.Undecodable<>(DeadLetterHandler.rootMessage(e), e, lastRawKey.get(), data);
    }
  }

  private byte[] serialize(String topic, Decoded<V> decoded) {
    if (decoded == null) {
      return null;
    }
    if (decoded instanceof Decoded.Undecodable<V> u) {
      return u.rawValue();
    }
    return serializer.serialize(topic, ((Decoded.Ok<V>) decoded).value());
  }
}
