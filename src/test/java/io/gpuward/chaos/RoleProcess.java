package io.gpuward.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One role as a child process: started, killed with SIGKILL ({@link Process#destroyForcibly}) and
 * started again with the same command line. Its output is appended to a file. An exit that the
 * harness did not cause is recorded: a role that stops by itself is a failure of the role.
 */
public final class RoleProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RoleProcess.class);

  /** An exit the harness did not cause. */
  public record Exit(String role, long pid, int code) {}

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path output;
  private final Set<Long> killedOnPurpose = ConcurrentHashMap.newKeySet();
  private final List<Exit> exits = new CopyOnWriteArrayList<>();
  private volatile Process process;
  private int starts;
  private volatile long outputAtStart;

  public RoleProcess(String name, List<String> command, Map<String, String> env, Path output) {
    this.name = name;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.output = output;
  }

  /** {@code java <jvmArgs> -jar <jar> <args>} with this test JVM's java. */
  public static List<String> java(List<String> jvmArgs, Path jar, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    return cmd;
  }

  public String name() {
    return name;
  }

  public synchronized void start() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(output.toFile()));
    pb.environment().putAll(env);
    outputAtStart = Files.exists(output) ? Files.size(output) : 0;
    Process p = pb.start();
    starts++;
    log.info("{} started (pid {}, start {}), output in {}", name, p.pid(), starts, output);
    p.onExit()
        .thenAccept(
            done -> {
              if (!killedOnPurpose.contains(done.pid())) {
                Exit exit = new Exit(name, done.pid(), done.exitValue());
                exits.add(exit);
                log.error("{} exited by itself: {} (see {})", name, exit, output);
              }
            });
    process = p;
  }

  /** SIGKILL, and waits until the process is gone. */
  public synchronized void kill() throws InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    killedOnPurpose.add(p.pid());
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + p.pid() + ") survived SIGKILL for 30 s");
    }
  }

  /** SIGTERM (a clean stop: shutdown hooks run), and waits until the process is gone. */
  public synchronized void stop() throws InterruptedException {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    killedOnPurpose.add(p.pid());
    p.destroy();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + p.pid() + ") survived SIGTERM for 90 s");
    }
  }

  public boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** Exits the harness did not cause, so far. */
  public List<Exit> exits() {
    return List.copyOf(exits);
  }

  public Path output() {
    return output;
  }

  /** What the process started last wrote so far, line by line. */
  public List<String> outputSinceStart() throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(output.toFile(), "r")) {
      long from = outputAtStart;
      byte[] bytes = new byte[(int) Math.max(0, f.length() - from)];
      f.seek(from);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
