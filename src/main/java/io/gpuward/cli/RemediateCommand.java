package io.gpuward.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.aws.AwsClients;
import io.gpuward.backtest.Shadow;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.KubeIds;
import io.gpuward.kube.LeaseTerms;
import io.gpuward.ops.Health;
import io.gpuward.ops.HealthCheck;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.ops.RoleHealth;
import io.gpuward.ops.StartupTimeline;
import io.gpuward.remediation.ControlCommands;
import io.gpuward.remediation.Planner;
import io.gpuward.remediation.Remediation;
import io.gpuward.remediation.RemediationMetrics;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.remediation.RemediatorService;
import io.gpuward.remediation.aws.AwsCloudActuator;
import io.gpuward.remediation.k8s.DraSettings;
import io.gpuward.remediation.k8s.KubernetesActuatorSettings;
import io.gpuward.remediation.k8s.KubernetesClients;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.k8s.ResetJobSettings;
import io.gpuward.remediation.k8s.Sleeper;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimulatedCluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** {@code gpuward remediate}: the remediation consumer. */
@Command(
    name = "remediate",
    mixinStandardHelpOptions = true,
    description = {
      "Consume verdicts, plan and (with --live) carry out remediation, and write every decision",
      "to the audit topic. Dry run by default. Actuators: 'eks' (Kubernetes through fabric8,",
      "in-cluster or kubeconfig; EC2, Auto Scaling and SSM through the AWS SDK default",
      "credentials) or 'simulated' (a simulated cluster built from --scenario inside this process,",
      "for trying it out). To act on a simulated world faithfully, run 'gpuward simulate --serve",
      "--write-kubeconfig FILE' and point the eks actuator at it (KUBECONFIG=FILE, --aws-endpoint):",
      "the same fabric8 and AWS SDK calls as in production, and the world outlives this process."
    })
final class RemediateCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RemediateCommand.class);

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin KafkaOptions kafka;
  @Mixin ScenarioOptions scenarioOptions;
  @Mixin MetricsOptions metrics;

  @Option(names = "--live", description = "Act (default: dry run, decide and audit only).")
  boolean live;

  @Option(
      names = "--shadow",
      description =
          "Run as a shadow remediator beside the live one: decide with --policy on the same"
              + " verdicts, control and inventory, never act (no cluster or cloud is called, none"
              + " of their credentials is needed), write to the shadow audit topic under group"
              + " <remediation.group.id>-shadow. Compare with `gpuward backtest --shadow`.")
  boolean shadow;

  @Option(
      names = "--actuator",
      paramLabel = "KIND",
      defaultValue = "eks",
      description =
          "Where actions go: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); for a"
              + " simulated world prefer eks against 'gpuward simulate --serve'.")
  Actuator actuator;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "Remediation policy YAML (steps, ladder, budgets, deadlines; the format of the built-in"
              + " streams/remediation.yaml). Validated at start; default: the built-in policy.")
  Path policyFile;

  @Option(
      names = "--aws-region",
      paramLabel = "REGION",
      description = "AWS region for the eks actuator (default: AWS_REGION).")
  String awsRegion;

  @Option(
      names = "--eks-cluster",
      paramLabel = "NAME",
      description =
          "EKS cluster name: node groups are resolved to their Auto Scaling group with"
              + " DescribeNodegroup when the node and the inventory do not name it.")
  String eksCluster;

  @Option(
      names = "--aws-endpoint",
      paramLabel = "URL",
      description = "Override the AWS endpoint (testing against a local stub).")
  URI awsEndpoint;

  enum Actuator {
    eks,
    simulated
  }

  @Override
  public Integer call() throws Exception {
    StartupTimeline.begin("main");
    RemediationPolicy policy = policy(); // a bad policy fails before anything connects
    if (shadow) {
      return shadow(policy);
    }
    var cfg = kafka.config(Map.of(GpuwardConfig.REMEDIATION_DRY_RUN, Boolean.toString(!live)));
    LeaseTerms.Settings lease = leaseSettings(cfg); // null: no election
    if (actuator == Actuator.eks) {
      region(); // fail on a missing region or a bad document before connecting anywhere
      awsSettings(cfg);
    }
    // The actuators' clients (fabric8, AWS SDK) take seconds of class loading to build and are
    // needed only at the first action: they are built while the broker, topic and schema checks
    // wait on the network, which cut a restart's time to the first cordon (see DESIGN.md).
    CompletableFuture<Actuators> building = buildInBackground(cfg);
    Platform platform;
    try {
      platform = Platform.connect(cfg, true);
      platform.registerSchemas(KafkaRole.REMEDIATOR);
    } catch (RuntimeException e) {
      building.thenAccept(Actuators::close);
      throw e;
    }
    Actuators actuators = Actuators.await(building);
    StartupTimeline.mark("actuators-ready");
    Planner planner = new Planner(policy);
    var meters = MetricsOptions.registry("remediate");
    String running =
        String.format(
            "%s, actuator %s, policy %s",
            cfg.dryRun() ? "DRY RUN" : "LIVE", actuator, planner.policy().version());
    try {
      if (lease == null) {
        return serve(
            services(cfg, platform, actuators, planner, meters, cfg.instanceId()), meters, running);
      }
      // One static member id for every replica: the new leader's consumer replaces the dead
      // one's at once instead of waiting for its session to expire.
      Optional<String> member = Optional.of(cfg.remediationGroupId() + "-active");
      return standby(
          services(cfg, platform, actuators, planner, meters, member),
          actuators.kube(),
          lease,
          meters,
          running);
    } finally {
      actuators.close();
    }
  }

  /** Builds a remediator service (not started); each lease term gets a fresh one. */
  private Supplier<RemediatorService> services(
      GpuwardConfig cfg,
      Platform platform,
      Actuators actuators,
      Planner planner,
      MeterRegistry meters,
      Optional<String> member) {
    Clock clock = actuators.clock();
    ClusterPort cluster = actuators.cluster();
    CloudPort cloud = actuators.cloud();
    return () ->
        new RemediatorService(
                cfg.kafkaClientProps(),
                platform.topics(),
                audit ->
                    new Remediation(planner, cluster, cloud, audit, clock, cfg.dryRun(), meters),
                cfg.remediationGroupId(),
                meters,
                new ControlCommands.Limits(
                    cfg.controlMaxExpiry(), ControlCommands.Limits.DEFAULTS.maxSkew()),
                member)
            .followEngine(cfg.engineApplicationId());
  }

  /** Remediates from the start until stopped: no election. */
  private Integer serve(
      Supplier<RemediatorService> services, PrometheusMeterRegistry meters, String running)
      throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    try (RemediatorService service = services.get();
        MetricsServer server = metricsServer(service, meters)) {
      service.start();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "gpuward-remediate-stop"));
      System.out.printf("gpuward remediator running (%s)%n", running);
      stop.await();
    }
    return 0;
  }

  /**
   * Waits warm (policy, actuators, broker and schemas checked) and remediates only while holding
   * the Lease; another replica takes over when this one dies or loses it.
   */
  private Integer standby(
      Supplier<RemediatorService> services,
      KubernetesClient kube,
      LeaseTerms.Settings lease,
      PrometheusMeterRegistry meters,
      String running)
      throws InterruptedException {
    Supplier<RemediatorService> announced =
        () -> {
          RemediatorService s = services.get();
          try {
            s.start();
          } catch (RuntimeException e) {
            s.close();
            throw e;
          }
          System.out.printf(
              "gpuward remediator leading as %s (%s): acting%n", lease.identity(), running);
          return s;
        };
    CountDownLatch stop = new CountDownLatch(1);
    try (LeaseTerms<RemediatorService> terms =
            new LeaseTerms<>(
                kube, lease, announced, Clock.systemUTC(), meters, RemediationMetrics.LEADER);
        MetricsServer server = standbyMetricsServer(terms, meters)) {
      terms.start();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "gpuward-remediate-stop"));
      System.out.printf(
          "gpuward remediator standby as %s (%s): acts once it holds lease %s/%s%n",
          lease.identity(), running, lease.namespace(), lease.name());
      stop.await();
    }
    return 0;
  }

  /** The election's settings, or null without a lease name; a bad combination fails start. */
  private LeaseTerms.Settings leaseSettings(GpuwardConfig cfg) {
    String name = cfg.remediationLeaseName();
    if (name.isEmpty()) {
      return null;
    }
    if (actuator != Actuator.eks) {
      throw new ParameterException(
          spec.commandLine(),
          GpuwardConfig.REMEDIATION_LEASE_NAME
              + " needs --actuator eks: the Lease is held through its Kubernetes client");
    }
    String ns = cfg.remediationLeaseNamespace();
    if (ns.isEmpty()) {
      String pod = System.getenv("POD_NAMESPACE");
      ns = pod != null && !pod.isBlank() ? pod : "default";
    }
    return new LeaseTerms.Settings(
        "remediate", name, ns, identity(), cfg.remediationLeaseDuration());
  }

  /** This replica's name in the Lease: the pod name, else the host name. */
  private String identity() {
    String id = System.getenv("POD_NAME");
    if (id == null || id.isBlank()) {
      try {
        id = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        throw new ParameterException(
            spec.commandLine(), "no host name for the lease: set POD_NAME");
      }
    }
    if (!KubeIds.isNodeName(id.toLowerCase(Locale.ROOT))) {
      throw new ParameterException(spec.commandLine(), "POD_NAME '" + id + "' is not a name");
    }
    return id;
  }

  /** Runs a shadow remediator until stopped: the real planning, a world that never acts. */
  private Integer shadow(RemediationPolicy policy) throws InterruptedException {
    if (live) {
      throw new ParameterException(spec.commandLine(), "--shadow never acts: drop --live");
    }
    var cfg = kafka.config(Map.of(GpuwardConfig.REMEDIATION_DRY_RUN, "true"));
    if (!cfg.remediationLeaseName().isEmpty()) {
      // A shadow never acts and reads with its own group: any number may run beside the leader.
      System.err.printf(
          "gpuward remediate --shadow: %s ignored (a shadow never acts, so it takes no Lease)%n",
          GpuwardConfig.REMEDIATION_LEASE_NAME);
    }
    Platform platform = Platform.connect(cfg, true);
    platform.registerSchemas(KafkaRole.REMEDIATOR);
    var meters = MetricsOptions.registry("remediate");
    CountDownLatch stop = new CountDownLatch(1);
    try (RemediatorService service =
            Shadow.service(
                cfg.kafkaClientProps(),
                platform.topics(),
                new Planner(policy),
                Clock.systemUTC(),
                cfg.remediationGroupId(),
                meters,
                new ControlCommands.Limits(
                    cfg.controlMaxExpiry(), ControlCommands.Limits.DEFAULTS.maxSkew()),
                cfg.instanceId());
        MetricsServer server = metricsServer(service, meters)) {
      service.followEngine(cfg.engineApplicationId()).start();
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "gpuward-shadow-stop"));
      System.out.printf(
          "gpuward shadow remediator running (policy %s, group %s, audit %s): it never acts%n",
          policy.version(),
          Shadow.groupId(cfg.remediationGroupId()),
          platform.topics().auditShadow.name());
      stop.await();
    }
    return 0;
  }

  private MetricsServer metricsServer(RemediatorService service, PrometheusMeterRegistry meters) {
    return metrics.start(
        "remediate", MetricsOptions.REMEDIATE, meters, checks(service), System.out::println);
  }

  /**
   * A standby is up; a leader is up while its service polls and reads state, and down when its
   * service failed to start (a restart hands the lease on).
   */
  private MetricsServer standbyMetricsServer(
      LeaseTerms<RemediatorService> terms, PrometheusMeterRegistry meters) {
    TermChecks checks = new TermChecks();
    return metrics.start(
        "remediate",
        MetricsOptions.REMEDIATE,
        meters,
        () -> {
          if (terms.termFailed()) {
            return Health.down("leader whose remediator failed to start");
          }
          RemediatorService s = terms.term();
          return s == null ? Health.UP : checks.of(s).check();
        },
        System.out::println);
  }

  /** The current term's checks, made once per term: a term's progress starts with it. */
  private static final class TermChecks {
    private RemediatorService service;
    private HealthCheck check;

    synchronized HealthCheck of(RemediatorService s) {
      if (s != service) {
        service = s;
        check = checks(s);
      }
      return check;
    }
  }

  private static HealthCheck checks(RemediatorService service) {
    return HealthCheck.all(
        Map.of(
            "verdicts",
            new ProgressCheck(
                "verdict polls", service::polls, Duration.ofSeconds(60), Clock.systemUTC()),
            "control",
            RoleHealth.alive("control and inventory reader", service::stateReaderAlive)));
  }

  private RemediationPolicy policy() {
    return PolicyFile.load(spec, policyFile);
  }

  /**
   * The clock and ports remediation acts through, the Kubernetes client (null when simulated), and
   * the clients to close at the end.
   */
  private record Actuators(
      Clock clock,
      ClusterPort cluster,
      CloudPort cloud,
      KubernetesClient kube,
      List<AutoCloseable> resources) {

    /** Waits for {@code building}; a failure is rethrown as it was thrown there. */
    static Actuators await(CompletableFuture<Actuators> building) throws InterruptedException {
      try {
        return building.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException("building the actuators failed", e.getCause());
      }
    }

    void close() {
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          log.warn("closing {} failed: {}", r, e.toString());
        }
      }
    }
  }

  private CompletableFuture<Actuators> buildInBackground(GpuwardConfig cfg) {
    CompletableFuture<Actuators> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(actuator == Actuator.simulated ? simulated() : eks(cfg));
              } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
              }
            },
            "gpuward-actuators");
    t.setDaemon(true);
    t.start();
    return f;
  }

  private Actuators simulated() {
    InstanceTypeCatalog types = InstanceTypeCatalog.load();
    SimClock sim =
        new SimClock(Instant.now().truncatedTo(ChronoUnit.SECONDS), scenarioOptions.speed());
    SimulatedCluster simulated = new SimulatedCluster(sim);
    // Populate the simulated cluster with the scenario's nodes (no telemetry leaves here).
    new FleetSimulator(
            scenarioOptions.scenario(types), types, simulated, TelemetrySink.NONE, sim.start())
        .advanceTo(sim.start());
    return new Actuators(sim, simulated, simulated, null, List.of());
  }

  private Actuators eks(GpuwardConfig cfg) {
    Clock clock = Clock.systemUTC();
    var kube = KubernetesClients.create();
    var aws =
        AwsClients.create(
            Region.of(region()), awsEndpoint, DefaultCredentialsProvider.builder().build());
    // One real sleeper serves both actuators; each declares its own Sleeper type.
    Sleeper sleeper = Sleeper.system();
    var cluster =
        new KubernetesClusterActuator(
            kube, clock, sleeper, KubernetesActuatorSettings.defaults(), resetJob(cfg), dra(cfg));
    var cloud = new AwsCloudActuator(aws, awsSettings(cfg), clock, sleeper::sleep, eksCluster);
    return new Actuators(clock, cluster, cloud, kube, List.of(kube, aws));
  }

  /** The GPU reset Job's settings; a bad value fails start naming its key. */
  private ResetJobSettings resetJob(GpuwardConfig cfg) {
    try {
      return ResetJobSettings.defaults()
          .with(cfg.resetJobNamespace(), cfg.resetJobImage(), cfg.resetJobRuntimeClass());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), GpuwardConfig.REMEDIATION_RESET_JOB_IMAGE + ": " + e.getMessage());
    }
  }

  /** Which DRA driver's devices a per-GPU repair taints; a bad value fails start naming its key. */
  private DraSettings dra(GpuwardConfig cfg) {
    DraSettings driver;
    try {
      driver = DraSettings.defaults().with(cfg.draDriver(), null);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), GpuwardConfig.REMEDIATION_DRA_DRIVER + ": " + e.getMessage());
    }
    try {
      return driver.with(null, cfg.draTaintRuleApiVersion());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          GpuwardConfig.REMEDIATION_DRA_TAINT_RULE_API_VERSION + ": " + e.getMessage());
    }
  }

  /** The AWS actuator's settings; a bad SSM document fails start naming its key. */
  private AwsCloudActuator.Settings awsSettings(GpuwardConfig cfg) {
    AwsCloudActuator.Settings s;
    try {
      s = AwsCloudActuator.Settings.DEFAULTS.withSsmDocument(cfg.ssmDocument());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), GpuwardConfig.REMEDIATION_SSM_DOCUMENT + ": " + e.getMessage());
    }
    try {
      return s.withDiagDocument(cfg.ssmDiagDocument());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), GpuwardConfig.REMEDIATION_SSM_DIAG_DOCUMENT + ": " + e.getMessage());
    }
  }

  private String region() {
    String region = awsRegion != null ? awsRegion : System.getenv("AWS_REGION");
    if (region == null || region.isBlank()) {
      throw new ParameterException(
          spec.commandLine(), "--actuator eks needs --aws-region or AWS_REGION");
    }
    return region;
  }
}
