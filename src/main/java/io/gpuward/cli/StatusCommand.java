package io.gpuward.cli;

import io.gpuward.config.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code gpuward status}: the fleet as gpuward's topics say it is: open verdicts, incidents,
 * remediations in flight and what each waits for, budgets, pauses and vetoes, observe-only, dead
 * letters. Read-only; joins no consumer group.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show the fleet: open verdicts, fleet incidents, remediations in flight and what each",
      "waits for, budgets in use, paused and vetoed scopes, observe-only, dead letters.",
      "Exit 0 shown, 1 Kafka or the registry unreachable, 2 a bad flag."
    })
final class StatusCommand extends ReadOptions implements Callable<Integer> {

  @Option(
      names = "--watch",
      arity = "0..1",
      paramLabel = "INTERVAL",
      fallbackValue = "5s",
      description =
          "Keep consuming and print the view again every INTERVAL (default 5s) until Ctrl-C;"
              + " with --json, one document per line.")
  String watch;

  @Override
  public Integer call() {
    Instant now = Instant.now();
    Instant from = from(now);
    Duration every = watch == null ? null : interval();
    NextStep next = nextStep();
    try (TopicTail tail = open(EnumSet.allOf(TopicTail.Source.class), from)) {
      StatusModel model = new StatusModel(tail.topics().control.name(), next);
      tail.readToEnd(model);
      print(model.view(Instant.now(), from));
      if (every == null) {
        return 0;
      }
      Thread main = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(tail::wakeup, "gpuward-status-stop"));
      try {
        while (!main.isInterrupted()) {
          tail.follow(model, every);
          print(model.view(Instant.now(), from));
        }
      } catch (WakeupException e) {
        // Ctrl-C: the view on screen is the last one; nothing to finish.
        return 0;
      }
      return 0;
    }
  }

  private Duration interval() {
    try {
      Duration d = Durations.parse(watch);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be more than 0: " + watch);
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--watch: " + e.getMessage());
    }
  }

  private void print(StatusView view) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? ViewJson.of(view) : StatusText.render(view));
    out.flush();
  }
}
