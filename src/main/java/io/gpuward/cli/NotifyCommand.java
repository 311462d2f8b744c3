package io.gpuward.cli;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.notify.NotifyService;
import io.gpuward.notify.Webhook;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.RoleHealth;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward notify}: pages people from the audit and incident topics through a webhook, as
 * CloudEvents (escalations, new fleet incidents), at least once.
 */
@Command(
    name = "notify",
    mixinStandardHelpOptions = true,
    description =
        "Page through a webhook: every escalation carried out and every new fleet incident is"
            + " POSTed as a CloudEvent (application/cloudevents+json; id = the operation or"
            + " incident id, for the receiver to drop repeats), retried with a backoff while the"
            + " webhook fails; offsets are committed after delivery. Runs until stopped.")
final class NotifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin MetricsOptions metrics;

  @Option(names = "--webhook", paramLabel = "URL", required = true, description = "Where to POST.")
  URI url;

  @Option(
      names = "--webhook-header",
      paramLabel = "NAME=VALUE",
      description = "A header on every request (repeatable), e.g. Authorization=Bearer T.")
  List<String> headers = List.of();

  @Option(
      names = "--webhook-ca",
      paramLabel = "FILE",
      description = "PEM certificate(s) of the CA that signed an https webhook's certificate.")
  Path ca;

  @Option(
      names = "--group",
      paramLabel = "ID",
      defaultValue = "gpuward-notify",
      description = "Consumer group (default: ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    Webhook webhook = new Webhook(url(), headers(), ssl(), Duration.ofSeconds(10));
    GpuwardConfig cfg = kafka.config(Map.of());
    Platform platform = Platform.connect(cfg, false);
    var meters = MetricsOptions.registry("notify");
    try (NotifyService service =
        new NotifyService(
            cfg.kafkaClientProps(),
            platform.topics(),
            group,
            webhook,
            NotifyService.Backoff.DEFAULTS,
            meters)) {
      Thread loop = new Thread(service, "gpuward-notify");
      try (MetricsServer server =
          metrics.start(
              "notify",
              MetricsOptions.NOTIFY,
              meters,
              RoleHealth.alive("notify loop", loop::isAlive),
              System.out::println)) {
        loop.start();
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "gpuward-notify-stop"));
        System.out.printf("gpuward notify running: pages to %s%n", webhook.url());
        loop.join();
      }
    }
    return 0;
  }

  private URI url() {
    String scheme = url.getScheme();
    if (url.getHost() == null || !("https".equals(scheme) || "http".equals(scheme))) {
      throw new ParameterException(spec.commandLine(), "--webhook must be an http(s) URL: " + url);
    }
    return url;
  }

  private Map<String, String> headers() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String h : headers) {
      int eq = h.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(
            spec.commandLine(), "--webhook-header must be NAME=VALUE, was '" + h + "'");
      }
      out.put(h.substring(0, eq).trim(), h.substring(eq + 1));
    }
    return out;
  }

  private SSLContext ssl() {
    if (ca == null) {
      return null;
    }
    try (InputStream in = Files.newInputStream(ca)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, cert);
      }
      if (i == 0) {
        throw new ParameterException(spec.commandLine(), "--webhook-ca " + ca + ": no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    } catch (IOException | GeneralSecurityException e) {
      throw new ParameterException(
          spec.commandLine(), "--webhook-ca " + ca + ": " + Errors.describe(e));
    }
  }
}
