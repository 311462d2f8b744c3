package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

class ByteSinkTest {
  @Test
  void shouldHoldExactlyWhatADataOutputStreamWritesAsItGrows() throws IOException {
    ByteSink sink = new ByteSink(1);
    ByteArrayOutputStream reference = new ByteArrayOutputStream();
    write(sink);
    write(reference);
    assertThat(sink.toByteArray()).isEqualTo(reference.toByteArray()).hasSizeGreaterThan(1_000);
  }

  private static void write(OutputStream target) throws IOException {
    try (DataOutputStream out = new DataOutputStream(target)) {
      for (int i = 0; i < 100; i++) {
        out.writeByte(i);
        out.writeUTF("GPU-" + i + "-é");
        out.writeDouble(i * 1.5);
        out.write(new byte[] {1, 2, 3, 4, 5}, 1, 3);
      }
    }
  }
}
