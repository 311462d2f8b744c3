package io.gpuward.sink;

import io.gpuward.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A PostgreSQL database filled by {@code gpuward demo --sink} on the default scenario, for tests
 * that query the sink tables (e.g. every Grafana panel's SQL). {@link #shared()} runs the demo once
 * per test JVM (about 20 s) and keeps the database up until the JVM exits.
 *
 * <pre>{@code
 * var db = DemoSinkFixture.shared();
 * try (Connection c = db.connect()) { ... }   // or DriverManager.getConnection(db.jdbcUrl(), db.user(), "")
 * }</pre>
 */
public final class DemoSinkFixture implements AutoCloseable {

  private static DemoSinkFixture shared;

  private final LocalPostgres postgres;
  private final String demoOutput;
  private final Path out;

  private DemoSinkFixture(LocalPostgres postgres, String demoOutput, Path out) {
    this.postgres = postgres;
    this.demoOutput = demoOutput;
    this.out = out;
  }

  /** The database of one demo run, shared by every test of this JVM. */
  public static synchronized DemoSinkFixture shared() {
    if (shared == null) {
      shared = run();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "demo-sink-fixture-close"));
    }
    return shared;
  }

  /**
   * Runs the default scenario (3 simulated minutes at 15x) with {@code --sink}, then serves the
   * data it left behind on a fresh port. The caller closes it (which deletes the data).
   */
  public static DemoSinkFixture run() {
    Path dir;
    Path out;
    try {
      // Under /tmp: as root, PostgreSQL runs as 'postgres', which must reach the folder.
      dir = Files.createTempDirectory(Path.of("/tmp"), "gpuward-demo-sink-");
      out = Files.createTempDirectory("gpuward-demo-sink-out-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code =
          Main.run(
              "demo",
              "--speed",
              "15",
              "--sink",
              "--sink-dir",
              dir.toString(),
              "--out",
              out.toString());
    } finally {
      System.setOut(stdout);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    if (code != 0) {
      throw new IllegalStateException("gpuward demo --sink exited " + code + ":\n" + text);
    }
    return new DemoSinkFixture(LocalPostgres.start(dir, false), text, out);
  }

  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  public String user() {
    return LocalPostgres.USER;
  }

  public Connection connect() throws SQLException {
    return postgres.connect();
  }

  /** What the demo printed. */
  public String demoOutput() {
    return demoOutput;
  }

  /** The demo's {@code --out} folder (verdicts.jsonl, incidents.jsonl, audit.jsonl). */
  public Path jsonlDir() {
    return out;
  }

  @Override
  public synchronized void close() {
    postgres.close();
  }
}
