package io.gpuward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A demo whose verdict engine stops while the fleet is still running says so in one line, exits 1
 * and marks its summary incomplete instead of presenting the run as done.
 */
class DemoRoleStopIT {

  @Test
  void shouldExitOneNamingTheEngineWhenItStopsDuringTheRun() {
    CommandLine.IFactory stopEngine =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> cls) throws Exception {
            if (cls == DemoCommand.class) {
              // Closed on another thread, as a crash would: the demo's own thread keeps going.
              return cls.cast(new DemoCommand(roles -> new Thread(roles.engine()::close).start()));
            }
            return CommandLine.defaultFactory().create(cls);
          }
        };
    CommandLine cl = Main.commandLine(stopEngine);
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = cl.execute("demo", "--duration", "2m", "--speed", "4");
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);

    assertThat(code).as(text + err).isEqualTo(1);
    assertThat(err.toString().strip().lines()).as(err.toString()).hasSize(1);
    assertThat(err.toString()).startsWith("gpuward demo: error: verdict engine stopped");
    assertThat(text)
        .contains("INCOMPLETE: verdict engine stopped")
        .contains("The results below cover only what happened before")
        .doesNotContain("done: 2m simulated");
  }
}
