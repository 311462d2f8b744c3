package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoSinkOptionsTest {

  @Test
  void sinkDirWithoutSinkIsAUsageError() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = Main.run("demo", "--sink-dir", "/tmp/gpuward-never-created");
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("--sink-dir needs --sink");
  }
}
