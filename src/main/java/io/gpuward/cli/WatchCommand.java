package io.gpuward.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.aws.AwsClients;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.KafkaRole;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.KubeIds;
import io.gpuward.ops.MetricsServer;
import io.gpuward.remediation.k8s.KubernetesClients;
import io.gpuward.watch.AwsCloud;
import io.gpuward.watch.CloudPort;
import io.gpuward.watch.KafkaWatchSink;
import io.gpuward.watch.WatchService;
import io.gpuward.watch.WatchSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * {@code gpuward watch}: the cluster watcher, one leader per cluster (a Deployment of two). The
 * trusted writer of inventory, from every Node and from the cloud's view of the cluster's
 * instances, and of node state as the control plane sees it.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description =
        "Run the cluster watcher: elect one leader per cluster on a Lease; the leader publishes"
            + " every Node's NodeInventory and condition changes, registered=false inventory for"
            + " running instances that never became a Node, and tombstones for instances that are"
            + " gone. Settings: watch.* (see README). Runs until stopped.")
final class WatchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Mixin MetricsOptions metrics;

  enum Cloud {
    aws,
    none
  }

  @Option(
      names = "--cloud",
      paramLabel = "CLOUD",
      defaultValue = "aws",
      description =
          "Where instances are read: ${COMPLETION-CANDIDATES} (none: Kubernetes only; nothing is"
              + " known of instances that never registered) (default: ${DEFAULT-VALUE}).")
  Cloud cloud;

  @Option(
      names = "--aws-region",
      paramLabel = "REGION",
      description = "AWS region (default: AWS_REGION).")
  String awsRegion;

  @Option(
      names = "--aws-endpoint",
      paramLabel = "URL",
      description = "Override the AWS endpoint (testing against a local stub).")
  URI awsEndpoint;

  @Option(
      names = "--identity",
      paramLabel = "NAME",
      description = "This replica's name in the Lease (default: $POD_NAME, else the host name).")
  String identity;

  @Override
  public Integer call() throws Exception {
    GpuwardConfig cfg = kafka.config(Map.of());
    WatchSettings settings = settings(cfg);
    String region = cloud == Cloud.aws ? region() : null;
    Platform platform = Platform.connect(cfg, false);
    platform.registerSchemas(KafkaRole.WATCHER);
    var meters = MetricsOptions.registry("watch");
    CountDownLatch stop = new CountDownLatch(1);
    try (KubernetesClient kube = KubernetesClients.create();
        CloudPort aws = cloud(region, settings.cluster());
        KafkaWatchSink sink =
            new KafkaWatchSink(
                cfg.kafkaClientProps(), platform.topics(), "gpuward-watch-" + settings.identity());
        WatchService watch =
            new WatchService(
                kube, aws, sink, Clock.systemUTC(), settings, InstanceTypeCatalog.load(), meters);
        MetricsServer server =
            metrics.start("watch", MetricsOptions.WATCH, meters, watch.health(), this::say)) {
      watch.start();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "gpuward-watch-stop"));
      say(
          String.format(
              "gpuward watch running as %s (cluster %s, cloud %s, lease %s/%s)",
              settings.identity(),
              settings.cluster().isEmpty() ? "-" : settings.cluster(),
              cloud,
              settings.leaseNamespace(),
              settings.leaseName()));
      stop.await();
    }
    return 0;
  }

  private WatchSettings settings(GpuwardConfig cfg) {
    if (cloud == Cloud.aws && cfg.watchClusterName().isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          GpuwardConfig.WATCH_CLUSTER_NAME
              + " is required with --cloud aws (-D "
              + GpuwardConfig.WATCH_CLUSTER_NAME
              + "=NAME)");
    }
    String ns = cfg.watchLeaseNamespace();
    if (ns.isEmpty()) {
      String pod = System.getenv("POD_NAMESPACE");
      ns = pod != null && !pod.isBlank() ? pod : "default";
    }
    return new WatchSettings(
        cfg.watchClusterName(),
        cfg.watchPollInterval(),
        cfg.watchRepublishInterval(),
        cfg.watchUnregisteredGrace(),
        cfg.watchLeaseName(),
        ns,
        identity(),
        cfg.watchLeaseDuration(),
        cfg.watchOperandNamespace());
  }

  private String identity() {
    String id = identity != null ? identity : System.getenv("POD_NAME");
    if (id == null || id.isBlank()) {
      try {
        id = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        throw new ParameterException(spec.commandLine(), "--identity: no host name; set it");
      }
    }
    if (!KubeIds.isNodeName(id.toLowerCase(Locale.ROOT))) {
      throw new ParameterException(spec.commandLine(), "--identity '" + id + "' is not a name");
    }
    return id;
  }

  private CloudPort cloud(String region, String cluster) {
    if (cloud == Cloud.none) {
      return null;
    }
    AwsClients clients =
        AwsClients.create(
            Region.of(region), awsEndpoint, DefaultCredentialsProvider.builder().build());
    return new AwsCloud(clients, cluster);
  }

  private String region() {
    String region = awsRegion != null ? awsRegion : System.getenv("AWS_REGION");
    if (region == null || region.isBlank()) {
      throw new ParameterException(
          spec.commandLine(), "--cloud aws needs --aws-region or AWS_REGION");
    }
    return region;
  }

  private void say(String line) {
    spec.commandLine().getOut().println(line);
    spec.commandLine().getOut().flush();
  }
}
