package io.gpuward.cli;

import io.gpuward.contract.AvroTrust;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import java.io.PrintWriter;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gpuward} command: one subcommand per role. */
@Command(
    name = "gpuward",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "GPU fleet health on Kafka: fault verdicts in seconds, safe remediation.",
    subcommands = {
      DemoCommand.class,
      SimulateCommand.class,
      StreamsCommand.class,
      RemediateCommand.class,
      ExporterCommand.class,
      WatchCommand.class,
      NotifyCommand.class,
      InspectCommand.class,
      BenchCommand.class,
      CtlCommand.class,
      StatusCommand.class,
      ExplainCommand.class,
      BacktestCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    AvroTrust.trustContractClasses();
    EmbeddedSchemaRegistry.answerWithoutDelay();
    useUsFormatLocale();
    return commandLine().execute(args);
  }

  /**
   * Makes en_US the default format locale when the default is English or the root locale (the C and
   * POSIX locales give "en"), where numbers format the same: Kafka Streams 4.3 builds its
   * task-readiness log lines with {@code String.format} for every record of a task whose other
   * co-partitioned inputs have nothing buffered, whether the lines are logged or not (the GPU
   * samples' task: its XID, kube event and inventory partitions are empty most of the time), and on
   * Java 17 each {@code %d} under any default locale but en_US builds a {@code
   * DecimalFormatSymbols}: 11% of the stream thread's CPU in {@code gpuward bench}. Other locales
   * are left alone: their users see their own number formats.
   */
  static void useUsFormatLocale() {
    String language = Locale.getDefault(Locale.Category.FORMAT).getLanguage();
    if (language.isEmpty() || language.equals(Locale.ENGLISH.getLanguage())) {
      Locale.setDefault(Locale.Category.FORMAT, Locale.US);
    }
  }

  static CommandLine commandLine() {
    return commandLine(CommandLine.defaultFactory());
  }

  /** The CLI with its commands made by {@code factory} (tests hand a command a hook). */
  static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cl = new CommandLine(new Main(), factory);
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          err.println(cmd.getCommandSpec().qualifiedName(" ") + ": error: " + Errors.describe(ex));
          err.flush();
          LoggerFactory.getLogger(Main.class).debug("command failed", ex);
          return 1;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine cmd = ex.getCommandLine();
          PrintWriter err = cmd.getErr();
          err.println(cmd.getCommandSpec().qualifiedName(" ") + ": " + ex.getMessage());
          err.println("Try 'gpuward " + qualified(cmd) + " --help' for the options.");
          err.flush();
          return 2;
        });
    return cl;
  }

  private static String qualified(CommandLine cmd) {
    String q = cmd.getCommandSpec().qualifiedName(" ");
    return q.startsWith("gpuward ") ? q.substring("gpuward ".length()) : "";
  }
}
