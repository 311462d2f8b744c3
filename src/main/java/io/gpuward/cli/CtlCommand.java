package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.Topics;
import io.gpuward.remediation.ControlCommands;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward ctl}: an operator's command to the remediator (pause, resume, veto, approve), sent
 * to the control topic, then confirmed from the remediator's audit. Exit 0 applied, 3 refused by
 * the remediator, 4 not applied within {@code --wait}, 2 a bad flag, 1 Kafka or the registry
 * unreachable.
 */
@Command(
    name = "ctl",
    mixinStandardHelpOptions = true,
    description = {
      "Send an operator command to the remediator and wait until it is applied.",
      "SCOPE: global, nodegroup:<name>, zone:<name>, node:<name> or verdict:<id>.",
      "Exit 0 applied, 3 refused by the remediator, 4 not applied within --wait."
    },
    subcommands = {
      CtlCommand.Pause.class,
      CtlCommand.Resume.class,
      CtlCommand.Veto.class,
      CtlCommand.Approve.class
    })
final class CtlCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** What every ctl subcommand shares: connection, the command's fields, waiting, output. */
  abstract static class Action implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafka;

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        description =
            "Stop applying after DURATION (e.g. 30m, 2h), at most the remediator's"
                + " remediation.control.max.expiry.ms (7d by default). Default: never.")
    String expires;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; shown in the audit.")
    String reason;

    @Option(
        names = "--operator",
        paramLabel = "NAME",
        description = "Who issues it (default: the Kafka SASL username, else the OS user).")
    String operator;

    @Option(
        names = "--wait",
        paramLabel = "DURATION",
        defaultValue = "30s",
        description =
            "How long to wait for the remediator to apply it (default: ${DEFAULT-VALUE}; 0s:"
                + " send and return).")
    String wait;

    @Option(names = "--json", description = "Print one JSON object per command.")
    boolean json;

    abstract ControlKind kind();

    /** The scopes to send to, after the platform is reachable (approve reads an incident). */
    abstract List<String> scopes(Platform platform);

    /** Checks the flags that need no broker; fails with a usage error. */
    void checkArguments() {}

    @Override
    public Integer call() throws InterruptedException {
      checkArguments();
      Duration waitFor = parseWait();
      Duration expiry = usageCheck(() -> ControlRequests.expiry(expires));
      GpuwardConfig cfg = kafka.config(Map.of());
      ControlCommands.Limits limits =
          new ControlCommands.Limits(
              cfg.controlMaxExpiry(), ControlCommands.Limits.DEFAULTS.maxSkew());
      usageCheck(() -> checkExpiry(expiry, limits));
      ControlRequests.Operator who =
          usageCheck(
              () ->
                  ControlRequests.operator(
                      operator, cfg.kafkaClientProps(), System.getProperty("user.name")));
      Platform platform = Platform.connect(cfg, false);
      platform.registerSchemas(KafkaRole.OPERATORS);
      List<ControlCommand> commands = new ArrayList<>();
      Instant now = Instant.now();
      for (String scope : scopes(platform)) {
        commands.add(
            usageCheck(
                () -> ControlRequests.build(kind(), scope, who, reason, expiry, now, limits)));
      }
      return send(cfg, platform.topics(), commands, who, waitFor);
    }

    private static Void checkExpiry(Duration expiry, ControlCommands.Limits limits) {
      ControlRequests.checkExpiry(expiry, limits);
      return null;
    }

    private int send(
        GpuwardConfig cfg,
        Topics topics,
        List<ControlCommand> commands,
        ControlRequests.Operator who,
        Duration waitFor)
        throws InterruptedException {
      boolean waiting = !waitFor.isZero();
      List<ControlSender.Outcome> outcomes;
      try (ControlSender sender = new ControlSender(cfg.kafkaClientProps(), topics)) {
        if (waiting) {
          sender.startWatching();
        }
        Map<ControlCommand, RecordMetadata> sent = new LinkedHashMap<>();
        for (ControlCommand c : commands) {
          sent.put(c, sender.send(c));
        }
        outcomes = sender.await(sent, waitFor);
      }
      PrintWriter out = spec.commandLine().getOut();
      for (ControlSender.Outcome o : outcomes) {
        out.println(
            json ? CtlOutput.json(o, who, waiting) : CtlOutput.line(o, who, waitFor, waiting));
      }
      out.flush();
      return CtlOutput.exitCode(outcomes, waiting);
    }

    private Duration parseWait() {
      Duration d = usageCheck(() -> ControlRequests.waitFor(wait));
      return d;
    }

    <T> T usageCheck(Supplier<T> parse) {
      try {
        return parse.get();
      } catch (IllegalArgumentException e) {
        throw usage(e.getMessage());
      }
    }

    ParameterException usage(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }

  /** The subcommands that take one SCOPE. */
  abstract static class Scoped extends Action {
    @Parameters(
        index = "0",
        paramLabel = "SCOPE",
        description = "global, nodegroup:<name>, zone:<name>, node:<name> or verdict:<id>.")
    String scope;

    @Override
    List<String> scopes(Platform platform) {
      return List.of(scope);
    }

    @Override
    void checkArguments() {
      ControlCommands.scope(scope)
          .ifPresent(
              why -> {
                throw usage(why);
              });
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Stop new remediation in SCOPE until a resume (or --expires).")
  static final class Pause extends Scoped {
    @Override
    ControlKind kind() {
      return ControlKind.PAUSE;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Lift a pause of SCOPE (the latest command per scope wins).")
  static final class Resume extends Scoped {
    @Override
    ControlKind kind() {
      return ControlKind.RESUME;
    }
  }

  @Command(
      name = "veto",
      mixinStandardHelpOptions = true,
      description = "Refuse remediation of a node (node:<name>) or a verdict (verdict:<id>).")
  static final class Veto extends Scoped {
    @Override
    ControlKind kind() {
      return ControlKind.VETO;
    }

    @Override
    void checkArguments() {
      super.checkArguments();
      // The remediator looks for a VETO under the verdict's and the node's scope only: one sent to
      // a wider scope would be audited as applied and stop nothing.
      if (!scope.startsWith("node:") && !scope.startsWith("verdict:")) {
        throw usage(
            "veto applies to node:<name> or verdict:<id>, not "
                + scope
                + " (use pause for wider scopes)");
      }
    }
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = {
        "Let a verdict held by a fleet incident through (verdict:<id>), or every verdict an",
        "incident holds now (--incident ID: one APPROVE per held verdict)."
      })
  static final class Approve extends Action {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCOPE", description = "verdict:<id>.")
    String scope;

    @Option(
        names = "--incident",
        paramLabel = "ID",
        description =
            "Approve every open verdict this fleet incident holds now (read from the incidents"
                + " and verdicts topics); verdicts that join it later stay held.")
    String incident;

    @Override
    ControlKind kind() {
      return ControlKind.APPROVE;
    }

    @Override
    void checkArguments() {
      if ((scope == null) == (incident == null)) {
        throw usage("approve needs either verdict:<id> or --incident ID");
      }
      // Only verdict:<id> lets a held verdict through: another scope would be audited as applied
      // and release nothing.
      if (scope != null && !scope.startsWith("verdict:")) {
        throw usage("approve applies to verdict:<id>, not " + scope + " (or use --incident ID)");
      }
    }

    @Override
    List<String> scopes(Platform platform) {
      if (scope != null) {
        return List.of(scope);
      }
      Map<String, Object> props = platform.config().kafkaClientProps();
      Topics t = platform.topics();
      FleetIncident found =
          IncidentMembers.incident(
                  props, t.incidents.name(), t.incidents.valueSerde().deserializer(), incident)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no incident " + incident + " on " + t.incidents.name()));
      List<FaultVerdict> held =
          IncidentMembers.heldVerdicts(
              props, t.verdicts.name(), t.verdicts.valueSerde().deserializer(), found);
      if (held.isEmpty()) {
        throw new IllegalStateException(
            "incident "
                + incident
                + " ("
                + found.getState()
                + ", "
                + found.getScope()
                + ") holds no open verdict now; nothing sent");
      }
      return held.stream().map(v -> "verdict:" + v.getVerdictId()).toList();
    }
  }
}
