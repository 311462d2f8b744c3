package io.gpuward.testing;

import io.gpuward.avro.DeadLetterKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Crafted records for an input topic: what a broken writer, a node with a wrong clock or a forger
 * can put there, each with the dead-letter kind the reader must give it. Values that need a real
 * record are built by the caller ({@link Forger}), so this stays independent of the record type.
 */
public final class Garbage {

  /** One crafted record: key and value bytes (either may be null), and the verdict expected. */
  public record Crafted(String label, String key, byte[] value, DeadLetterKind expected) {}

  /** Builds a framed record of the topic's type with the given node, event time and oddity. */
  public interface Forger {
    /** A valid record of {@code node} at {@code eventTimeMs}, or an impossible one if asked. */
    byte[] record(String node, long eventTimeMs, boolean impossible);
  }

  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;

  private Garbage() {}

  /**
   * Every kind of bad record for a telemetry stream topic, once each, for node {@code node} at wall
   * time {@code now}.
   */
  public static List<Crafted> forStream(String node, long now, Forger forge, Random random) {
    List<Crafted> out = new ArrayList<>(poison(node, forge.record(node, now, false), random));
    out.add(new Crafted("null value", node, null, DeadLetterKind.VALIDATION));
    out.add(
        new Crafted("null key", null, forge.record(node, now, false), DeadLetterKind.VALIDATION));
    out.add(timed("event time 1970", node, 1_000L, forge));
    out.add(timed("event time 2100", node, 4_102_444_800_000L, forge));
    out.add(timed("event time +1h", node, now + HOUR, forge));
    out.add(timed("event time -8d", node, now - 8 * DAY, forge));
    String huge = "n".repeat(10_000);
    out.add(
        new Crafted(
            "10 KB node name", huge, forge.record(huge, now, false), DeadLetterKind.VALIDATION));
    String sql = "' or 1=1; drop table verdicts; --";
    out.add(
        new Crafted(
            "SQL node name", sql, forge.record(sql, now, false), DeadLetterKind.VALIDATION));
    out.add(
        new Crafted(
            "impossible values", node, forge.record(node, now, true), DeadLetterKind.VALIDATION));
    return out;
  }

  /** Bytes that are not a record of any schema the reader knows. */
  public static List<Crafted> poison(String node, byte[] valid, Random random) {
    List<Crafted> out = new ArrayList<>();
    byte[] noise = new byte[1 + random.nextInt(200)];
    random.nextBytes(noise);
    noise[0] = (byte) (1 + random.nextInt(120)); // not the Confluent magic byte
    out.add(new Crafted("random bytes", node, noise, DeadLetterKind.DESERIALIZATION));
    out.add(
        new Crafted("unknown schema id", node, unknownId(random), DeadLetterKind.DESERIALIZATION));
    byte[] truncated = new byte[Math.max(5, valid.length / 3)];
    System.arraycopy(valid, 0, truncated, 0, truncated.length);
    truncated[truncated.length - 1] = (byte) 0xff; // a varint that never ends
    out.add(new Crafted("truncated Avro", node, truncated, DeadLetterKind.DESERIALIZATION));
    return out;
  }

  /** A Confluent-framed value whose schema id no registry here has issued. */
  public static byte[] unknownId(Random random) {
    ByteBuffer b = ByteBuffer.allocate(5 + 16);
    b.put((byte) 0).putInt(1_000_000 + random.nextInt(1_000_000_000));
    byte[] body = new byte[16];
    random.nextBytes(body);
    return b.put(body).array();
  }

  /** {@code n} values with distinct unknown schema ids, keyed by {@code keys}. */
  public static List<Crafted> unknownIds(int n, Function<Integer, String> keys, Random random) {
    List<Crafted> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new Crafted(
              "unknown schema id",
              keys.apply(i),
              unknownId(random),
              DeadLetterKind.DESERIALIZATION));
    }
    return out;
  }

  private static Crafted timed(String label, String node, long eventTimeMs, Forger forge) {
    return new Crafted(
        label, node, forge.record(node, eventTimeMs, false), DeadLetterKind.EVENT_TIME);
  }
}
