package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.remediation.RemediationPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What {@code status} and {@code explain} share: the connection, the period, the output form, the
 * policy deadlines are read from, and opening the topics (one clear line when Kafka or the registry
 * cannot be reached).
 */
abstract class ReadOptions {
  static final Duration DEFAULT_SINCE = Duration.ofHours(24);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(names = "--json", description = "Print one JSON document instead of tables.")
  boolean json;

  @Option(
      names = "--since",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description =
          "Read the stream topics (verdicts, incidents, audit, dead letters) from this long ago"
              + " (default: ${DEFAULT-VALUE}); the compacted topics (node health, control) are"
              + " read whole.")
  String since;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "The remediation policy the remediator runs (default: the one shipped in this jar)."
              + " Its deadlines are shown only for audit records that name its version.")
  Path policyFile;

  /** The start of the period; a bad --since is a usage error. */
  Instant from(Instant now) {
    Duration d;
    try {
      d = Durations.parse(since);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--since: " + e.getMessage());
    }
    if (d.isNegative() || d.isZero()) {
      throw new ParameterException(spec.commandLine(), "--since must be more than 0: " + since);
    }
    return now.minus(d);
  }

  NextStep nextStep() {
    return new NextStep(
        policyFile == null ? RemediationPolicy.load() : RemediationPolicy.load(policyFile));
  }

  /** Checks the broker and the registry, then opens the topics. */
  TopicTail open(Set<TopicTail.Source> sources, Instant from) {
    GpuwardConfig cfg = kafka.config(Map.of());
    Platform platform = Platform.connect(cfg, false);
    // Every record is decoded through the registry: an unreachable one is one error now, not a
    // view in which every record was skipped as unreadable.
    platform.registry().compatibility(null);
    return new TopicTail(cfg.kafkaClientProps(), platform.topics(), sources, from);
  }
}
