package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.BrokerUnreachableException;
import io.gpuward.contract.KafkaConnectivity;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.SchemaRegistration;
import io.gpuward.contract.SchemaRegistry;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.exporter.DcgmScraper;
import io.gpuward.exporter.ExporterService;
import io.gpuward.exporter.NodeIdentity;
import io.gpuward.exporter.ProducerFlow;
import io.gpuward.exporter.SignalSource;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.exporter.kube.KubeSignalSource;
import io.gpuward.kube.KubeIds;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.ops.Registries;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward exporter}: the node exporter (one per GPU node, a DaemonSet). Scrapes
 * dcgm-exporter, follows the kernel log for NVRM Xid lines, heartbeats, and publishes to the
 * telemetry topics through a bounded buffer, so an unreachable broker never blocks the node.
 */
@Command(
    name = "exporter",
    mixinStandardHelpOptions = true,
    description =
        "Run the node exporter: scrape dcgm-exporter every --interval and publish one "
            + "GpuSample per GPU, publish one XidEvent per NVRM Xid line of the kernel log, and "
            + "an EXPORTER_HEARTBEAT NodeEvent every --heartbeat. Keeps running when the broker "
            + "is down (records wait in a bounded buffer; the oldest samples are dropped first). "
            + "Runs until stopped (SIGTERM/Ctrl-C).")
final class ExporterCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ExporterCommand.class);

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin MetricsOptions metrics;

  @Option(
      names = "--dcgm-url",
      paramLabel = "URL",
      defaultValue = DcgmScraper.DEFAULT_URL,
      description = "dcgm-exporter metrics page (default: ${DEFAULT-VALUE}).")
  String dcgmUrl;

  @Option(
      names = "--interval",
      paramLabel = "D",
      defaultValue = "10s",
      description = "Time between scrapes (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(
      names = "--scrape-timeout",
      paramLabel = "D",
      defaultValue = "5s",
      description = "Connect and answer timeout of one scrape (default: ${DEFAULT-VALUE}).")
  String scrapeTimeout;

  @Option(
      names = "--kmsg",
      paramLabel = "PATH",
      defaultValue = "/dev/kmsg",
      description =
          "Kernel log to follow: /dev/kmsg, or a file followed like tail -F; 'none' for no kernel"
              + " log (default: ${DEFAULT-VALUE}).")
  String kmsg;

  @Option(
      names = "--node",
      paramLabel = "NAME",
      description = "This node's name (default: $NODE_NAME, else the host name).")
  String node;

  @Option(
      names = "--heartbeat",
      paramLabel = "D",
      defaultValue = "30s",
      description = "Time between EXPORTER_HEARTBEAT events (default: ${DEFAULT-VALUE}).")
  String heartbeat;

  @Option(
      names = "--buffer",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "Records held while the broker cannot take them; when full, the oldest GPU samples are"
              + " dropped first, XIDs last (default: ${DEFAULT-VALUE}).")
  int buffer;

  @Option(
      names = "--create-topics",
      description = "Create missing topics at start (default: no; the engine or an admin does).")
  boolean createTopics;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "Stop after D (for one-off checks and tests; default: run until stopped).")
  String duration;

  /** Producer settings for a node: send() never blocks for long, records wait in our buffer. */
  static final Map<String, Object> PRODUCER_DEFAULTS =
      Map.of(
          ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
          ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
          ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);

  @Override
  public Integer call() throws Exception {
    Duration every = duration("--interval", interval);
    Duration timeout = duration("--scrape-timeout", scrapeTimeout);
    Duration beat = duration("--heartbeat", heartbeat);
    Duration runFor = duration == null ? null : duration("--duration", duration);
    if (buffer < 1) {
      throw new ParameterException(spec.commandLine(), "--buffer must be >= 1, was " + buffer);
    }
    URI url = dcgmUri(timeout);
    Path kmsgPath = kmsg == null || kmsg.isBlank() || kmsg.equals("none") ? null : Path.of(kmsg);

    GpuwardConfig cfg = kafka.config(Map.of());
    NodeIdentity identity = nodeIdentity();
    SchemaRegistry registry = Registries.client(cfg);
    TopicCatalog catalog = TopicCatalog.load(cfg.topicPrefix());
    Topics topics = new Topics(catalog, AvroSerdes.forRole(registry, cfg.autoRegister(), catalog));
    checkBroker(cfg, topics, identity);
    registerSchemas(identity, topics, registry);

    Map<String, Object> props = new HashMap<>(PRODUCER_DEFAULTS);
    props.putAll(cfg.kafkaClientProps()); // kafka.* settings win over the defaults
    ProducerFlow.State flow = new ProducerFlow.State();
    props = ProducerFlow.install(props, flow);
    var settings =
        new ExporterService.Settings(
            identity,
            url,
            every,
            timeout,
            kmsgPath,
            beat,
            buffer,
            ExporterService.Settings.DEFAULT_MAX_IN_FLIGHT);
    var meters = MetricsOptions.registry("exporter");
    CountDownLatch stop = new CountDownLatch(1);
    try (TelemetryPublisher publisher =
            new TelemetryPublisher(props, topics, "gpuward-exporter-" + identity.node());
        AutoCloseable producerMetrics = publisher.bindMetrics(meters);
        ExporterService exporter =
            ExporterService.start(
                settings,
                publisher,
                flow,
                meters,
                Clock.systemUTC(),
                signalSources(identity, meters));
        MetricsServer server = startMetrics(meters, exporter, maxSilence(every, timeout))) {
      Thread hook = new Thread(stop::countDown, "gpuward-exporter-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      announce(identity, url, every, kmsgPath, cfg);
      if (runFor == null) {
        stop.await();
      } else {
        stop.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
        Runtime.getRuntime().removeShutdownHook(hook);
      }
      exporter.close();
      printStopped(exporter.stats());
    }
    return 0;
  }

  private URI dcgmUri(Duration timeout) {
    try {
      URI url = URI.create(dcgmUrl);
      new DcgmScraper(url, timeout); // validates the scheme
      return url;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--dcgm-url: '" + dcgmUrl + "' is not an http(s) URL");
    }
  }

  private NodeIdentity nodeIdentity() {
    NodeIdentity identity = NodeIdentity.detect(node);
    if (!KubeIds.isNodeName(identity.node())) {
      // the node name keys every record and reaches the Kubernetes and AWS APIs downstream
      throw new ParameterException(
          spec.commandLine(),
          "node name '"
              + identity
                  .node()
                  .replaceAll("[^\\x20-\\x7e]", "?")
                  .substring(0, Math.min(100, identity.node().length()))
              + "' is not a valid Kubernetes node name (DNS-1123 subdomain); set --node or"
              + " NODE_NAME");
    }
    return identity;
  }

  /** An unreachable broker is only a warning: the node's records wait in the buffer. */
  private void checkBroker(GpuwardConfig cfg, Topics topics, NodeIdentity identity) {
    try {
      KafkaConnectivity.check(cfg.kafkaClientProps(), Duration.ofSeconds(3));
      if (createTopics) {
        try (Admin admin = Admin.create(cfg.kafkaClientProps())) {
          TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(10));
        }
      }
    } catch (BrokerUnreachableException e) {
      log.warn(
          "exporter node {}: {}; starting anyway, records wait in the buffer ({} at most)",
          identity.node(),
          e.getMessage(),
          buffer);
    }
  }

  private MetricsServer startMetrics(
      PrometheusMeterRegistry meters, ExporterService exporter, Duration maxSilence) {
    return metrics.start(
        "exporter",
        MetricsOptions.EXPORTER,
        meters,
        new ProgressCheck(
            "successful dcgm-exporter scrapes",
            () -> exporter.stats().scrapes(),
            maxSilence,
            Clock.systemUTC()),
        line -> {
          spec.commandLine().getOut().println(line);
          spec.commandLine().getOut().flush();
        });
  }

  private void announce(
      NodeIdentity identity, URI url, Duration every, Path kmsgPath, GpuwardConfig cfg) {
    spec.commandLine()
        .getOut()
        .printf(
            "gpuward exporter on %s: scraping %s every %s, kernel log %s, publishing to %s%n",
            identity.node(),
            url,
            Durations.format(every),
            kmsgPath == null ? "off" : kmsgPath,
            cfg.bootstrapServers());
    spec.commandLine().getOut().flush();
  }

  private void printStopped(ExporterService.Stats s) {
    spec.commandLine()
        .getOut()
        .printf(
            "stopped: %d scrapes (%d failed), %d samples, %d XIDs, %d heartbeats; %d records"
                + " dropped, %d still buffered%n",
            s.scrapes(),
            s.scrapeErrors(),
            s.samples(),
            s.xids(),
            s.heartbeats(),
            s.buffer().dropped(),
            s.buffer().buffered());
    spec.commandLine().getOut().flush();
  }

  /** Scrapes may fail for this long before /healthz says so: 3 intervals, at least a minute. */
  static Duration maxSilence(Duration every, Duration timeout) {
    Duration three = every.plus(timeout).multipliedBy(3);
    return three.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : three;
  }

  /**
   * Further publishers on this node, started after the exporter's buffer and closed before it.
   *
   * <p>Integrator: the Kubernetes node and event watcher plugs in here, as a {@link SignalSource}
   * for {@code identity.node()}; it then publishes its NodeEvents and inventory through the
   * exporter's buffer and producer.
   */
  List<SignalSource> signalSources(NodeIdentity identity, MeterRegistry meters) {
    boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    if (kube == KubeMode.off || (kube == KubeMode.auto && !inCluster)) {
      return List.of();
    }
    return List.of(
        new KubeSignalSource(identity.node(), Clock.systemUTC(), meters, imds, inventory));
  }

  /** Whether to watch the node's Kubernetes objects. */
  enum KubeMode {
    auto,
    on,
    off
  }

  @Option(
      names = "--kube",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "Watch this node's Node, Events and Pods and publish NodeEvents and inventory:"
              + " ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE} = when running in a pod).")
  KubeMode kube;

  @Option(
      names = "--inventory",
      negatable = true,
      defaultValue = "false",
      description =
          "Also publish this node's NodeInventory (default: off). Only for clusters without"
              + " `gpuward watch`: every exporter shares one credential, so any node could then"
              + " rewrite any node's inventory; the exporter's Kafka principal needs WRITE on the"
              + " inventory topic for it.")
  boolean inventory;

  @Option(
      names = "--imds",
      negatable = true,
      defaultValue = "true",
      description = "Read EC2 instance metadata (IMDSv2) for --inventory (default: on).")
  boolean imds;

  private Duration duration(String flag, String text) {
    try {
      Duration d = Durations.parse(text);
      if (d.isZero()) {
        throw new IllegalArgumentException("'" + text + "' must be more than 0");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
    }
  }

  /**
   * Registers the exporter's value schemas. A registry that is down at start does not stop the
   * node: the serializers look the subjects up again on the first send of each topic.
   */
  private static void registerSchemas(
      NodeIdentity identity, Topics topics, SchemaRegistry registry) {
    try {
      SchemaRegistration.register(KafkaRole.EXPORTER, topics, registry);
    } catch (SchemaRegistryException e) {
      log.warn(
          "exporter node {}: cannot register value schemas at start ({}); starting anyway",
          identity.node(),
          e.getMessage());
    }
  }
}
