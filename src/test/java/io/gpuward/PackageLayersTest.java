package io.gpuward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * gpuward's packages depend downwards only: a class may import another top-level package of gpuward
 * only when that package sits in a lower layer. Same-layer imports count as sideways and fail too,
 * so two roles never lean on each other. Plain import-line parsing keeps the check free of an
 * architecture library; the table is the one README's "Package layers" section explains.
 */
class PackageLayersTest {

  private static final Path MAIN = Path.of("src/main/java/io/gpuward");

  /** Top-level package under {@code io.gpuward} → its layer; lower numbers sit below. */
  static final Map<String, Integer> LAYERS =
      Map.ofEntries(
          // the contracts: generated Avro records, typed config, instance-type facts
          Map.entry("avro", 0),
          Map.entry("config", 0),
          Map.entry("fleet", 0),
          // topics, serdes, registry and the telemetry port, on top of the records
          Map.entry("contract", 1),
          // Kubernetes and cloud ids, inventory building; metrics and health plumbing
          Map.entry("kube", 2),
          Map.entry("ops", 2),
          Map.entry("aws", 2),
          // the roles
          Map.entry("engine", 3),
          Map.entry("remediation", 3),
          Map.entry("exporter", 3),
          Map.entry("watch", 3),
          Map.entry("sink", 3),
          Map.entry("connect", 3),
          Map.entry("embedded", 3),
          Map.entry("notify", 3),
          // the rollup reuses the engine's Streams plumbing; the simulator implements the ports;
          // the backtest replays history through the remediator's own decisions
          Map.entry("rollup", 4),
          Map.entry("sim", 4),
          Map.entry("backtest", 4),
          // what assembles roles
          Map.entry("bench", 5),
          Map.entry("cli", 6));

  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?io\\.gpuward\\.([a-z0-9_]+)\\b.*;");

  /** A fully-qualified gpuward name in code, which reaches a package as an import would. */
  private static final Pattern INLINE = Pattern.compile("\\bio\\.gpuward\\.([a-z0-9_]+)\\.\\w+");

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  @Test
  void shouldOnlyImportPackagesOfALowerLayer() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Path file : javaFiles()) {
      String from = topPackage(file);
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        violation(file, from, i + 1, lines.get(i).strip()).ifPresent(violations::add);
      }
    }
    assertThat(violations).as("imports against the layer table").isEmpty();
  }

  /** The rules are pure: unit-testable without Kafka and without the topology that wires them. */
  @Test
  void shouldKeepTheRulesFreeOfKafkaAndOfTheirWiring() throws IOException {
    Path domain = MAIN.resolve("engine/domain");
    Pattern forbidden =
        Pattern.compile(
            "^import\\s+(static\\s+)?(org\\.apache\\.kafka\\.|io\\.gpuward\\.engine\\.(?!domain\\.)).*");
    List<String> violations = new ArrayList<>();
    for (Path file : javaFiles()) {
      if (!file.startsWith(domain)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (forbidden.matcher(lines.get(i).strip()).matches()) {
          violations.add(file.toString().replace('\\', '/') + ":" + (i + 1) + " " + lines.get(i));
        }
      }
    }
    assertThat(violations).as("imports of the pure rules").isEmpty();
  }

  @Test
  void shouldPlaceEveryTopLevelPackageInALayer() throws IOException {
    var packages = new TreeSet<String>();
    for (Path file : javaFiles()) {
      packages.add(topPackage(file));
    }
    assertThat(packages).isNotEmpty();
    assertThat(LAYERS).containsKeys(packages.toArray(String[]::new));
  }

  @Test
  void shouldFlagUpwardAndSidewaysImportsButNotDownwardOnes() {
    Path file = MAIN.resolve("exporter/Example.java");
    assertThat(violation(file, "exporter", 3, "import io.gpuward.sim.Scenario;"))
        .hasValue(
            "src/main/java/io/gpuward/exporter/Example.java:3 exporter (layer 3) imports"
                + " io.gpuward.sim.Scenario (layer 4)");
    assertThat(violation(file, "exporter", 4, "import io.gpuward.engine.EngineMetrics;"))
        .isPresent();
    assertThat(violation(file, "exporter", 5, "import static io.gpuward.cli.Main.run;"))
        .isPresent();
    assertThat(violation(file, "exporter", 6, "import io.gpuward.kube.KubeIds;")).isEmpty();
    assertThat(violation(file, "exporter", 7, "import io.gpuward.exporter.kube.KubeMetrics;"))
        .isEmpty();
    assertThat(violation(file, "exporter", 8, "import java.util.List;")).isEmpty();
    assertThat(violation(file, "exporter", 9, "if (io.gpuward.engine.domain.X.y(c)) {"))
        .hasValue(
            "src/main/java/io/gpuward/exporter/Example.java:9 exporter (layer 3) imports"
                + " io.gpuward.engine.domain (layer 3)");
    assertThat(violation(file, "exporter", 10, "String n = \"io.gpuward.engine.X\";")).isEmpty();
    assertThat(violation(file, "exporter", 11, "* {@link io.gpuward.sim.Scenario}")).isEmpty();
  }

  static Optional<String> violation(Path file, String from, int line, String text) {
    Matcher m = IMPORT.matcher(text);
    if (m.matches()) {
      String imported = text.replaceFirst("^import\\s+(static\\s+)?", "").replace(";", "");
      return check(file, from, line, m.group(1), imported);
    }
    if (text.startsWith("package ") || text.startsWith("*") || text.startsWith("/")) {
      return Optional.empty();
    }
    Matcher inline = INLINE.matcher(STRING.matcher(text).replaceAll("\"\""));
    while (inline.find()) {
      Optional<String> v = check(file, from, line, inline.group(1), inline.group());
      if (v.isPresent()) {
        return v;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> check(
      Path file, String from, int line, String to, String reference) {
    int fromLayer = layer(from);
    Integer toLayer = LAYERS.get(to);
    if (to.equals(from) || (toLayer != null && toLayer < fromLayer)) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            "%s:%d %s (layer %d) imports %s (layer %s)",
            file.toString().replace('\\', '/'),
            line,
            from,
            fromLayer,
            reference,
            toLayer == null ? "none" : toLayer));
  }

  private static int layer(String pkg) {
    Integer layer = LAYERS.get(pkg);
    assertThat(layer).as("layer of io.gpuward.%s", pkg).isNotNull();
    return layer;
  }

  private static List<Path> javaFiles() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  private static String topPackage(Path file) {
    return MAIN.relativize(file).getName(0).toString();
  }
}
