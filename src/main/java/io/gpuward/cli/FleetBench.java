package io.gpuward.cli;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.bench.FleetScore;
import io.gpuward.sim.FleetScenarios;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;

/**
 * {@code gpuward bench --fleet}: a generated fleet run played through {@code gpuward demo}'s
 * pipeline (embedded broker and registry, exporter path, engine, remediator acting on the simulated
 * cluster), then scored against the run's ground truth.
 */
final class FleetBench {

  /**
   * A scored run.
   *
   * @param wallSeconds wall time of the whole run, broker start included
   */
  record Run(
      FleetScenarios.FleetRun generated,
      FleetScore.Result score,
      boolean complete,
      double speed,
      double wallSeconds) {}

  private FleetBench() {}

  /**
   * Runs {@code generated} at {@code speed} simulated seconds per wall second, the demo's progress
   * and summary going to {@code console}, its jsonl files to {@code out} when not null.
   *
   * @throws IllegalStateException when the demo ended without outputs
   */
  static Run run(
      FleetScenarios.FleetRun generated,
      double speed,
      int partitions,
      Path out,
      PrintStream console)
      throws Exception {
    AtomicReference<DemoCommand.Outputs> got = new AtomicReference<>();
    DemoCommand demo = DemoCommand.of(generated.scenario(), console, got::set);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--speed", Double.toString(speed), "--partitions", Integer.toString(partitions)));
    if (out != null) {
      args.addAll(List.of("--out", out.toString()));
    }
    new CommandLine(demo).parseArgs(args.toArray(String[]::new));
    long t0 = System.nanoTime();
    try {
      demo.call();
    } catch (RoleStoppedException e) {
      console.println("fleet run cut short: " + e.getMessage() + "; scoring what it produced");
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    DemoCommand.Outputs produced = got.get();
    if (produced == null) {
      throw new IllegalStateException("the fleet run produced no outputs");
    }
    FleetScore.Result score = FleetScore.score(input(generated, produced));
    return new Run(generated, score, produced.complete(), speed, wall);
  }

  static FleetScore.Input input(FleetScenarios.FleetRun generated, DemoCommand.Outputs out) {
    return new FleetScore.Input(
        out.simStart(),
        generated.scenario().duration(),
        generated.scenario().nodeCount(),
        generated.truth(),
        verdicts(out.verdicts()),
        audit(out.audit()));
  }

  private static List<FleetScore.Verdict> verdicts(List<FaultVerdict> records) {
    return records.stream()
        .map(
            v ->
                new FleetScore.Verdict(
                    v.getVerdictId(),
                    v.getNode(),
                    v.getFaultClass().name(),
                    v.getState().name(),
                    v.getDetectedAt()))
        .toList();
  }

  private static List<FleetScore.Action> audit(List<RemediationRecord> records) {
    return records.stream()
        .map(
            r ->
                new FleetScore.Action(
                    r.getVerdictId() == null ? "" : r.getVerdictId(),
                    r.getNode(),
                    r.getAction().name(),
                    r.getOutcome().name(),
                    r.getAt()))
        .toList();
  }
}
