package io.gpuward.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.GpuSample;
import io.gpuward.testing.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class TimedFrameTest {
  private static final int EVENT_TIME = GpuSample.SCHEMA$.getField("eventTime").pos();

  @Test
  void shouldRewriteOnlyTheTimeFieldOfAnEncodedSample() {
    GpuSample sample = SampleRecords.gpuSample();
    TimedFrame frame = TimedFrame.of(t -> encode(sample, t), sample.getEventTime().toEpochMilli());

    for (long t : new long[] {0L, 1L, 127L, 1_765_000_000_000L, 4_102_444_800_123L}) {
      GpuSample back = decode(frame.at(t));
      assertThat(back.getEventTime()).isEqualTo(Instant.ofEpochMilli(t));
      back.put(EVENT_TIME, sample.getEventTime());
      assertThat(back).isEqualTo(sample);
    }
  }

  @Test
  void shouldFindTheFieldNearATimeWhoseVarintWouldGrowByOne() {
    GpuSample sample = SampleRecords.gpuSample();
    // zig-zag of 63 is 126: +1 gives 128, a varint one byte longer
    TimedFrame frame = TimedFrame.of(t -> encode(sample, t), 63L);
    assertThat(decode(frame.at(64L)).getEventTime()).isEqualTo(Instant.ofEpochMilli(64L));
    assertThat(decode(frame.at(63L)).getEventTime()).isEqualTo(Instant.ofEpochMilli(63L));
  }

  @Test
  void shouldRefuseEncodingsThatDifferElsewhere() {
    assertThatThrownBy(() -> TimedFrame.of(t -> new byte[] {(byte) t, (byte) t, 1}, 2L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the time field");
  }

  private static byte[] encode(GpuSample s, long t) {
    GpuSample copy = GpuSample.newBuilder(s).build();
    copy.put(EVENT_TIME, Instant.ofEpochMilli(t));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
      new SpecificDatumWriter<>(GpuSample.class).write(copy, e);
      e.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static GpuSample decode(byte[] bytes) {
    try {
      return new SpecificDatumReader<>(GpuSample.class)
          .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
