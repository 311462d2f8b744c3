package io.gpuward.cli;

import io.gpuward.engine.EngineMetrics;
import io.gpuward.exporter.ExporterMetrics;
import io.gpuward.exporter.kube.KubeMetrics;
import io.gpuward.notify.NotifyMetrics;
import io.gpuward.ops.HealthCheck;
import io.gpuward.ops.MeterHelp;
import io.gpuward.ops.MetricsServer;
import io.gpuward.remediation.RemediationMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --metrics-port}: where a role serves {@code /metrics} and {@code /healthz}. */
final class MetricsOptions {

  /** Default ports per role; the demo picks a free one (it runs next to anything). */
  static final int STREAMS = 9301;

  static final int REMEDIATE = 9302;
  static final int EXPORTER = 9303;
  static final int SIMULATE = 9304;
  static final int WATCH = 9305;
  static final int NOTIFY = 9306;
  static final int DEMO = 0;

  /** The help texts of every role's meters; the demo runs them all in one registry. */
  static final MeterHelp HELP =
      MeterHelp.of(
          List.of(
              EngineMetrics.HELP,
              RemediationMetrics.HELP,
              ExporterMetrics.HELP,
              KubeMetrics.HELP,
              NotifyMetrics.HELP));

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  Integer port;

  /** Checked as it is parsed: a bad port fails before any broker or engine starts. */
  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve Prometheus /metrics and /healthz on PORT; 0 picks a free port (printed), -1 turns"
              + " both off (default: streams 9301, remediate 9302, exporter 9303, simulate 9304,"
              + " watch 9305, notify 9306, demo 0 on 127.0.0.1).")
  void setPort(int p) {
    if (p < MetricsServer.OFF || p > 65_535) {
      throw new ParameterException(
          mixee.commandLine(), "--metrics-port must be -1..65535, was " + p);
    }
    port = p;
  }

  /** The meter registry of {@code role}, with gpuward's help texts. */
  static PrometheusMeterRegistry registry(String role) {
    return MetricsServer.registry(role, HELP);
  }

  /**
   * Starts the endpoint for {@code role} unless turned off (then null, which try-with-resources
   * skips). Binds all interfaces, except the demo which binds loopback only.
   */
  MetricsServer start(
      String role,
      int defaultPort,
      PrometheusMeterRegistry registry,
      HealthCheck health,
      Consumer<String> say) {
    int p = port == null ? defaultPort : port;
    if (p == MetricsServer.OFF) {
      return null;
    }
    String host = role.equals("demo") ? "127.0.0.1" : "0.0.0.0";
    MetricsServer server = MetricsServer.start(host, p, registry, health);
    say.accept(
        String.format(
            "  metrics: http://%s:%d/metrics, health: /healthz",
            host.equals("0.0.0.0") ? "localhost" : host, server.port()));
    return server;
  }
}
