package io.gpuward.cli;

import io.gpuward.bench.Bench;
import io.gpuward.bench.BenchReport;
import io.gpuward.bench.BenchResult;
import io.gpuward.bench.BenchSettings;
import io.gpuward.bench.Curve;
import io.gpuward.bench.CurveReport;
import io.gpuward.bench.FleetReport;
import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.sim.FleetScenarios;
import io.gpuward.sim.Scenario;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward bench}: throughput, latency and memory of the verdict engine on a real in-JVM
 * broker, against raw Kafka consume+produce of the same records measured in the same run.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark the verdict engine on an embedded Kafka broker with a synthetic fleet:",
      "  1. pre-load the fleet's telemetry (simulated as fast as possible),",
      "  2. raw Kafka consume+produce of the same GPU samples (exactly-once and plain),",
      "  3. the engine (1 stream thread, exactly_once_v2) from the beginning: samples/s and its",
      "     ratio to raw exactly-once,",
      "  4. fault -> verdict and verdict -> cordon latency with live load (remediator acting on",
      "     a simulated cluster),",
      "  5. heap and state size.",
      "Progress goes to stderr; the result to stdout (a table, or one JSON object with --json)."
    })
final class BenchCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--gpus",
      paramLabel = "N",
      defaultValue = "100000",
      description = "GPUs in the synthetic fleet, 8 per node (default: ${DEFAULT-VALUE}).")
  int gpus;

  @Option(
      names = "--ticks",
      paramLabel = "T",
      description =
          "Samples per GPU to pre-load, one per simulated second (default: about "
              + "1,500,000 samples in all, at least 3).")
  Integer ticks;

  @Option(
      names = "--faults",
      paramLabel = "F",
      defaultValue = "200",
      description = "XID faults to inject for the latency measurement (default: ${DEFAULT-VALUE}).")
  int faults;

  @Option(
      names = "--fault-rate",
      paramLabel = "R",
      defaultValue = "10",
      description = "Faults injected per second (default: ${DEFAULT-VALUE}).")
  double faultRate;

  @Option(
      names = "--live-rate",
      paramLabel = "R",
      description =
          "Background GPU samples/s while measuring latency (default: one per GPU per second,"
              + " at most half the engine's measured rate).")
  Double liveRate;

  @Option(
      names = "--partitions",
      paramLabel = "P",
      defaultValue = "6",
      description = "Partitions of every topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Seed of the fleet and of the faulty nodes (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = {"-D", "--set"},
      paramLabel = "KEY=VALUE",
      description =
          "A gpuward setting for the engine under test only, e.g. -D engine.commit.interval.ms=200"
              + " or -D kafka.statestore.cache.max.bytes=67108864. Repeatable.")
  Map<String, String> engineSettings = new LinkedHashMap<>();

  @Option(
      names = "--instances",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "After the one-instance run, run the engine as N instances of one application on the"
              + " same records (samples/s and the ratio to one instance), then halt one and"
              + " restart it with its state kept and wiped; 1 (default) skips this.")
  int instances;

  @Option(
      names = "--curve",
      description =
          "Run the benchmark once per size of --sizes, each on its own broker and state, and print"
              + " one table to size a deployment: samples/s and ratio to raw exactly-once, CPU per"
              + " sample, heap and disk per GPU, restore after kill -9 (state kept and wiped),"
              + " fault -> verdict and verdict -> cordon p50/p99. A size that does not fit is a"
              + " row saying why.")
  boolean curve;

  @Option(
      names = "--sizes",
      paramLabel = "N,N,...",
      defaultValue = "10000,100000,1000000",
      description = "With --curve: GPU counts, comma separated (default: ${DEFAULT-VALUE}).")
  String sizes;

  @Option(
      names = "--fleet",
      description =
          "Instead of the engine benchmark: generate a fleet run with the Llama 3 interruption mix"
              + " (faulty GPU, HBM3, software, network, host maintenance, SRAM, GSP, NIC, NCCL,"
              + " thermal), play it through the demo's pipeline and score verdicts and audit"
              + " against its ground truth.")
  boolean fleet;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "400",
      description = "With --fleet: p5.48xlarge nodes, 8 GPUs each (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--hours",
      paramLabel = "H",
      defaultValue = "6",
      description = "With --fleet: simulated hours (default: ${DEFAULT-VALUE}).")
  double hours;

  @Option(
      names = "--speed",
      paramLabel = "X",
      defaultValue = "20",
      description =
          "With --fleet: simulated seconds per wall-clock second (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "With --fleet: also write the run's verdicts, incidents and audit as jsonl files here,"
              + " as 'gpuward demo --out' does, to look into a score.")
  Path out;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      description = "Also show gpuward's INFO logs on stderr.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (fleet) {
      return fleet();
    }
    List<Integer> curveSizes = curve ? curveSizes() : List.of();
    int t = ticks == null ? BenchSettings.defaultTicks(gpus) : ticks;
    check(gpus >= 8 && gpus <= 10_000_000, "--gpus must be 8..10000000, was " + gpus);
    check(t >= 1 && t <= 100_000, "--ticks must be 1..100000, was " + t);
    check(
        curve || faults >= 1 && faults <= BenchSettings.nodes(gpus),
        "--faults must be 1.." + BenchSettings.nodes(gpus) + " (one per node), was " + faults);
    check(faultRate > 0 && faultRate <= 10_000, "--fault-rate must be > 0 and <= 10000");
    check(liveRate == null || liveRate > 0, "--live-rate must be > 0");
    check(partitions >= 1 && partitions <= 64, "--partitions must be 1..64, was " + partitions);
    check(
        instances >= 1 && instances <= partitions,
        "--instances must be 1.." + partitions + " (at most one per partition), was " + instances);
    Map<String, Object> probe = new LinkedHashMap<>(engineSettings);
    try {
      new GpuwardConfig(probe);
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), "-D: " + e.getMessage());
    }
    if (!verbose) {
      Configurator.setLevel("io.gpuward", Level.WARN);
      Configurator.setLevel(
          "org.apache.kafka.streams.processor.internals.StateDirectory", Level.ERROR);
    }
    BenchSettings settings =
        new BenchSettings(
            gpus,
            t,
            faults,
            partitions,
            seed,
            liveRate == null ? 0 : liveRate,
            faultRate,
            engineSettings,
            instances);
    PrintStream progress = new PrintStream(System.err, true);
    if (curve) {
      return curve(curveSizes, settings, progress);
    }
    progress.printf("gpuward bench: %,d GPUs, %d ticks, %d faults%n", gpus, t, faults);
    BenchResult result = Bench.run(settings, progress);
    PrintStream out = System.out;
    out.print(json ? BenchReport.json(result) + "\n" : "\n" + BenchReport.text(result));
    out.flush();
    return 0;
  }

  private List<Integer> curveSizes() {
    check(faults >= 1, "--faults must be >= 1, was " + faults);
    try {
      return Curve.parseSizes(sizes);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private int curve(List<Integer> curveSizes, BenchSettings template, PrintStream progress) {
    progress.printf("gpuward bench --curve: %s GPUs%n", curveSizes);
    Curve.Result result = Curve.run(curveSizes, template, ticks, ChildEngine::command, progress);
    PrintStream out = System.out;
    out.print(json ? CurveReport.json(result) + "\n" : "\n" + CurveReport.text(result));
    out.flush();
    return 0;
  }

  private int fleet() throws Exception {
    check(nodes >= 1 && nodes <= Scenario.MAX_NODES, "--nodes must be 1.." + Scenario.MAX_NODES);
    check(hours >= 1.0 / 6 && hours <= 48, "--hours must be 0.17..48 (10 minutes to 2 days)");
    check(speed > 0 && speed <= 1000, "--speed must be > 0 and <= 1000, was " + speed);
    check(partitions >= 1 && partitions <= 64, "--partitions must be 1..64, was " + partitions);
    Duration duration = Duration.ofSeconds(Math.round(hours * 3600));
    FleetScenarios.FleetRun generated =
        FleetScenarios.generate(FleetScenarios.Settings.of(nodes, duration, seed));
    PrintStream progress = new PrintStream(System.err, true);
    progress.printf(
        "gpuward bench --fleet: %,d nodes, %s simulated, %d faults, at %sx%n",
        nodes, Durations.format(duration), generated.truth().size(), speed);
    FleetBench.Run run = FleetBench.run(generated, speed, partitions, out, progress);
    FleetReport.RunInfo info =
        new FleetReport.RunInfo(
            nodes, nodes * 8, hours, seed, speed, run.wallSeconds(), run.complete());
    PrintStream out = System.out;
    out.print(
        json
            ? FleetReport.json(info, run.score()) + "\n"
            : "\n" + FleetReport.text(info, run.score()));
    out.flush();
    return run.complete() ? 0 : 1;
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(spec.commandLine(), message);
    }
  }
}
