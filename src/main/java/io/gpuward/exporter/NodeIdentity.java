package io.gpuward.exporter;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Who and when this node is: its Kubernetes node name, its boot id (changes on reboot) and its boot
 * time (to turn kernel monotonic timestamps into wall time).
 *
 * @param node the node name
 * @param bootId {@code /proc/sys/kernel/random/boot_id}, else a stable generated id
 * @param bootTime when the node booted, or null when unknown
 * @param bootIdGenerated whether {@code bootId} was generated rather than read
 */
public record NodeIdentity(String node, String bootId, Instant bootTime, boolean bootIdGenerated) {

  /** This machine: the node from {@code nodeOverride}, else {@code NODE_NAME}, else hostname. */
  public static NodeIdentity detect(String nodeOverride) {
    return detect(nodeOverride, Path.of("/proc"), System.getenv(), Clock.systemUTC());
  }

  /**
   * As {@link #detect(String)}, reading {@code proc} instead of /proc (tests).
   *
   * <p>The boot time is now minus {@code uptime}, else {@code btime} from {@code stat}. Without a
   * readable boot id, the id is generated from the node name and the boot time (stable across
   * exporter restarts within one boot), or at random when the boot time is unknown too.
   */
  public static NodeIdentity detect(
      String nodeOverride, Path proc, Map<String, String> env, Clock clock) {
    String node = nodeName(nodeOverride, env);
    Instant bootTime = bootTime(proc, clock);
    String bootId = read(proc.resolve("sys/kernel/random/boot_id"));
    boolean generated = false;
    if (bootId == null || bootId.isBlank()) {
      generated = true;
      bootId =
          bootTime == null
              ? UUID.randomUUID().toString()
              : UUID.nameUUIDFromBytes(
                      (node + "/" + bootTime.getEpochSecond()).getBytes(StandardCharsets.UTF_8))
                  .toString();
    }
    return new NodeIdentity(node, bootId.strip(), bootTime, generated);
  }

  static String nodeName(String override, Map<String, String> env) {
    if (override != null && !override.isBlank()) {
      return override.strip();
    }
    String fromEnv = env.get("NODE_NAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (host != null && !host.isBlank()) {
        return host;
      }
    } catch (IOException e) {
      // fall through
    }
    String hostname = env.get("HOSTNAME");
    return hostname == null || hostname.isBlank() ? "localhost" : hostname.strip();
  }

  static Instant bootTime(Path proc, Clock clock) {
    String uptime = read(proc.resolve("uptime"));
    if (uptime != null) {
      try {
        String first = uptime.strip().split("\\s+")[0];
        double seconds = Double.parseDouble(first);
        return clock.instant().minusNanos((long) (seconds * 1e9));
      } catch (RuntimeException e) {
        // try btime
      }
    }
    String stat = read(proc.resolve("stat"));
    if (stat != null) {
      for (String line : stat.split("\n")) {
        if (line.startsWith("btime ")) {
          try {
            return Instant.ofEpochSecond(Long.parseLong(line.substring(6).strip()));
          } catch (NumberFormatException e) {
            return null;
          }
        }
      }
    }
    return null;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
