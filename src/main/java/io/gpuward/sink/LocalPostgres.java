package io.gpuward.sink;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local PostgreSQL server for the demo and the tests, from the machine's PostgreSQL binaries (no
 * Docker): {@code initdb} on a data directory, {@code pg_ctl start} on a free loopback port, one
 * database with a trust-authenticated user. PostgreSQL refuses to run as root, so as root every
 * command runs as the {@code postgres} user ({@code runuser -u postgres --}) on a data directory it
 * owns; otherwise directly.
 *
 * <p>Binaries: {@code $GPUWARD_PG_BIN}, else the newest {@code /usr/lib/postgresql/<v>/bin}, else
 * {@code initdb} on the PATH's directories.
 */
public final class LocalPostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);

  /** Environment variable naming the folder with initdb and pg_ctl. */
  public static final String BIN_ENV = "GPUWARD_PG_BIN";

  /** The database and user created. */
  public static final String DATABASE = "gpuward";

  public static final String USER = "gpuward";

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;
  private final boolean keepData;
  private final Thread shutdownHook;
  private volatile boolean stopped;

  private LocalPostgres(Path bin, Path dir, int port, boolean asPostgres, boolean keepData) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgres = asPostgres;
    this.keepData = keepData;
    this.shutdownHook =
        new Thread(
            () -> {
              stopQuietly();
              if (!keepData) {
                deleteTree(dir);
              }
            },
            "gpuward-postgres-shutdown");
  }

  /**
   * Starts a server on a new temporary data directory, deleted again by {@link #close()}.
   *
   * @throws IllegalStateException when the binaries are missing or the server does not start
   */
  public static LocalPostgres startTemporary() {
    try {
      return start(Files.createTempDirectory(Path.of("/tmp"), "gpuward-pg-"), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a PostgreSQL data directory", e);
    }
  }

  /**
   * Starts a server on {@code dir} (initialised when it holds no cluster yet, reused otherwise),
   * creating the database when missing. The data is kept on {@link #close()} when {@code keepData}.
   */
  public static LocalPostgres start(Path dir, boolean keepData) {
    Path bin = findBinaries();
    boolean root = isRoot();
    try {
      Files.createDirectories(dir);
      if (root) {
        giveToPostgres(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare PostgreSQL directory " + dir, e);
    }
    LocalPostgres pg = new LocalPostgres(bin, dir.toAbsolutePath(), freePort(), root, keepData);
    pg.startServer();
    return pg;
  }

  private void startServer() {
    Path data = dir.resolve("data");
    if (!Files.isRegularFile(data.resolve("PG_VERSION"))) {
      run(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              data.toString(),
              "-U",
              USER,
              "--auth=trust",
              "-E",
              "UTF8",
              "--no-sync",
              "--no-instructions"),
          "initdb");
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("postgres.log").toString(),
            "-w",
            "-t",
            "60",
            "-o",
            "-p "
                + port
                + " -k "
                + dir
                + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                + " -c full_page_writes=off",
            "start"),
        "pg_ctl start");
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement st = c.createStatement()) {
      var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
      if (!rs.next()) {
        st.execute("CREATE DATABASE " + DATABASE);
      }
    } catch (SQLException e) {
      stopQuietly();
      throw new IllegalStateException("PostgreSQL started but cannot create " + DATABASE, e);
    }
    log.info("PostgreSQL running on 127.0.0.1:{} (data {})", port, dir);
  }

  /** JDBC URL of the gpuward database. */
  public String jdbcUrl() {
    return url(DATABASE);
  }

  private String url(String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  public int port() {
    return port;
  }

  /** The folder holding the cluster ({@code data/}) and the server log. */
  public Path directory() {
    return dir;
  }

  /** A new connection to the gpuward database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USER, "");
  }

  /** Runs an SQL script (several statements) against the gpuward database. */
  public void execute(String sql) {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on " + jdbcUrl() + ": " + e.getMessage(), e);
    }
  }

  /** Stops the server (fast shutdown) and deletes the data unless it is kept. Idempotent. */
  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
    if (!keepData) {
      deleteTree(dir);
    }
  }

  private synchronized void stopQuietly() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "fast",
              "-w",
              "stop"),
          "pg_ctl stop");
    } catch (RuntimeException e) {
      log.warn("stopping PostgreSQL at {}: {}", dir, e.getMessage());
    }
  }

  private void run(List<String> command, String what) {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    try {
      Path out = Files.createTempFile("gpuward-pg-cmd", ".log");
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      boolean done = p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      String output = Files.readString(out, StandardCharsets.UTF_8).trim();
      Files.deleteIfExists(out);
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " did not finish in " + COMMAND_TIMEOUT);
      }
      if (p.exitValue() != 0) {
        String logTail = tail(dir.resolve("postgres.log"));
        throw new IllegalStateException(
            what + " failed (exit " + p.exitValue() + "): " + output + logTail);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + what, e);
    }
  }

  private static String tail(Path logFile) {
    try {
      if (!Files.isReadable(logFile)) {
        return "";
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return "\n  server log: "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** The folder with initdb and pg_ctl; fails naming where it looked. */
  static Path findBinaries() {
    String env = System.getenv(BIN_ENV);
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions
            .map(v -> v.resolve("bin"))
            .sorted(Comparator.comparing(LocalPostgres::majorVersion).reversed())
            .forEach(candidates::add);
      } catch (IOException e) {
        // ignore: fall through to PATH
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String p : path.split(File.pathSeparator)) {
        candidates.add(Path.of(p));
      }
    }
    return findBinaries(candidates);
  }

  /** The first of {@code candidates} holding initdb and pg_ctl; fails naming where it looked. */
  static Path findBinaries(List<Path> candidates) {
    Optional<Path> found =
        candidates.stream()
            .filter(
                c ->
                    Files.isExecutable(c.resolve("initdb"))
                        && Files.isExecutable(c.resolve("pg_ctl")))
            .findFirst();
    return found.orElseThrow(
        () ->
            new IllegalStateException(
                "PostgreSQL server binaries (initdb, pg_ctl) not found in $"
                    + BIN_ENV
                    + ", /usr/lib/postgresql/*/bin or PATH (looked in "
                    + candidates.size()
                    + " folders); install PostgreSQL (Debian:"
                    + " apt-get install postgresql) or set "
                    + BIN_ENV));
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void giveToPostgres(Path dir) throws IOException {
    UserPrincipal postgres;
    try {
      postgres =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
    } catch (IOException e) {
      throw new IllegalStateException(
          "running as root, PostgreSQL must run as the 'postgres' user, which does not exist", e);
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setOwner(p, postgres);
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for PostgreSQL", e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  log.debug("cannot delete {}: {}", p, e.getMessage());
                }
              });
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  /** Reads a classpath resource as UTF-8 text. */
  static String resource(String name) {
    try (InputStream in = LocalPostgres.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name, e);
    }
  }
}
