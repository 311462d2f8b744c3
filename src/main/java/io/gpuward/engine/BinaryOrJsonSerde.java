package io.gpuward.engine;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A store value's compact binary format, first byte its version, that still reads the JSON older
 * versions wrote (it starts with <code>'{'</code>), so a changelog restores across the upgrade.
 * Writing is always the binary format; an empty value or an unknown version byte is a {@link
 * SerializationException} naming what the value is.
 *
 * @param <T> the value type
 */
public abstract class BinaryOrJsonSerde<T> implements Serde<T> {
  private final byte version;
  private final String what;
  private final Deserializer<T> json;

  /**
   * @param type the value class, for reading JSON
   * @param version the binary format's first byte (never <code>'{'</code>)
   * @param what the value, as error messages name it ("node state")
   */
  protected BinaryOrJsonSerde(Class<T> type, byte version, String what) {
    this.version = version;
    this.what = what;
    this.json = new JsonSerde<>(type).deserializer();
  }

  /** {@code value} (not null) in the binary format. */
  protected abstract byte[] encode(T value);

  /** A value whose first byte is the version; a malformed one throws. */
  protected abstract T decode(byte[] bytes);

  @Override
  public Serializer<T> serializer() {
    return (topic, v) -> v == null ? null : encode(v);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length > 0 && bytes[0] == '{') {
        return json.deserialize(topic, bytes);
      }
      if (bytes.length == 0 || bytes[0] != version) {
        throw new SerializationException(
            "unknown " + what + " format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
      }
      return decode(bytes);
    };
  }
}
