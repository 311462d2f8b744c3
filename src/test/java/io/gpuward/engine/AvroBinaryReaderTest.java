package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroBinaryReaderTest {
  private static final long[] LONGS = {
    0, 1, -1, 63, -64, 64, 1_765_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE
  };
  private static final int[] INTS = {
    0, 1, -1, 127, -128, 300, Integer.MAX_VALUE, Integer.MIN_VALUE
  };
  private static final double[] DOUBLES = {0.0, -0.0, 1.5, -273.15, Double.NaN, Double.MAX_VALUE};
  private static final String[] STRINGS = {"", "GPU-81d79b08", "ml/train-0", "é漢字🙂"};

  @Test
  void shouldReadWhatAvrosEncoderWrites() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    BinaryEncoder out = EncoderFactory.get().directBinaryEncoder(buf, null);
    for (long v : LONGS) {
      out.writeLong(v);
    }
    for (int v : INTS) {
      out.writeInt(v);
    }
    for (double v : DOUBLES) {
      out.writeDouble(v);
    }
    for (String v : STRINGS) {
      out.writeString(v);
    }
    out.writeBoolean(true);
    out.writeBoolean(false);
    out.flush();
    byte[] bytes = buf.toByteArray();

    AvroBinaryReader in = new AvroBinaryReader(bytes, 0, bytes.length);
    for (long v : LONGS) {
      assertThat(in.readLong()).isEqualTo(v);
    }
    for (int v : INTS) {
      assertThat(in.readInt()).isEqualTo(v);
    }
    for (double v : DOUBLES) {
      assertThat(Double.doubleToRawLongBits(in.readDouble()))
          .isEqualTo(Double.doubleToRawLongBits(v));
    }
    for (String v : STRINGS) {
      assertThat(in.readString()).isEqualTo(v);
    }
    assertThat(in.readBoolean()).isTrue();
    assertThat(in.readBoolean()).isFalse();
    assertThat(in.isEnd()).isTrue();
  }

  @Test
  void shouldRefuseMalformedInputLikeAvro() {
    byte[] sixByteInt = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
    assertThatThrownBy(() -> reader(sixByteInt).readInt()).hasMessageContaining("varint");
    assertThatThrownBy(() -> reader((byte) 0x80).readLong()).hasMessageContaining("past the end");
    assertThatThrownBy(() -> reader((byte) 1).readString()).hasMessageContaining("negative");
    assertThatThrownBy(() -> reader((byte) 20, (byte) 'a').readString())
        .hasMessageContaining("past the end");
    assertThatThrownBy(() -> reader(new byte[7]).readDouble()).hasMessageContaining("past the end");
    assertThatThrownBy(() -> reader(new byte[0]).readBoolean())
        .hasMessageContaining("past the end");
  }

  @Test
  void shouldReadOnlyItsSliceOfTheArray() throws IOException {
    byte[] bytes = {9, 9, 2, 9};
    AvroBinaryReader in = new AvroBinaryReader(bytes, 2, 1);
    assertThat(in.readInt()).isEqualTo(1);
    assertThat(in.isEnd()).isTrue();
    assertThatThrownBy(in::readBoolean).hasMessageContaining("past the end");
  }

  private static AvroBinaryReader reader(byte... bytes) {
    return new AvroBinaryReader(bytes, 0, bytes.length);
  }
}
