package io.gpuward.testing;

import io.gpuward.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka broker per test JVM, started on first use and stopped by a shutdown hook. Tests share
 * it, so each test must own its topics and groups ({@link TestNames}).
 *
 * <p>The broker is an {@link EmbeddedKafka} in a temp dir. With {@code
 * -Dgpuward.kafka=testcontainers} it is a Testcontainers Kafka instead, which needs a Docker
 * engine; Docker is never needed otherwise.
 */
public final class SharedKafka {
  private static final Logger log = LoggerFactory.getLogger(SharedKafka.class);

  /** System property choosing the broker: {@code embedded} (default) or {@code testcontainers}. */
  public static final String MODE_PROPERTY = "gpuward.kafka";

  private static String bootstrapServers;

  private SharedKafka() {}

  /** The shared broker's bootstrap servers; starts it on first call. */
  public static synchronized String bootstrapServers() {
    if (bootstrapServers == null) {
      String mode = System.getProperty(MODE_PROPERTY, "embedded").trim();
      if (mode.equals("testcontainers")) {
        bootstrapServers = ContainerKafka.start();
      } else if (mode.isEmpty() || mode.equals("embedded") || mode.startsWith("${")) {
        bootstrapServers = startEmbedded();
      } else {
        throw new IllegalStateException(
            "-D" + MODE_PROPERTY + "=" + mode + ": expected 'embedded' or 'testcontainers'");
      }
    }
    return bootstrapServers;
  }

  private static String startEmbedded() {
    Path dir;
    try {
      dir = Files.createTempDirectory("gpuward-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir for the test broker", e);
    }
    long t0 = System.nanoTime();
    EmbeddedKafka kafka = EmbeddedKafka.start(dir);
    log.info(
        "shared test broker (embedded) at {} ready in {} ms",
        kafka.bootstrapServers(),
        (System.nanoTime() - t0) / 1_000_000);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  kafka.close();
                  deleteRecursively(dir);
                },
                "shared-kafka-shutdown"));
    return kafka.bootstrapServers();
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
