package io.gpuward.cli;

import io.gpuward.config.Durations;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.TelemetryPublisher;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.ops.MetricsServer;
import io.gpuward.ops.ProgressCheck;
import io.gpuward.sim.FleetSimulator;
import io.gpuward.sim.Scenario;
import io.gpuward.sim.SimClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.sim.SimulationRunner;
import io.gpuward.sim.WorldActionsServer;
import io.gpuward.sim.aws.AwsWorldServer;
import io.gpuward.sim.kube.KubeWorldServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code gpuward simulate --serve}: the simulated world in a process of its own. The fleet
 * simulator and its cluster model run behind the Kubernetes API ({@link KubeWorldServer}), the AWS
 * APIs ({@link AwsWorldServer}) and the world's action log ({@link WorldActionsServer}), so that
 * the remediator, the watcher and the exporter run as separate processes with their production
 * actuators and clients, and can be killed without killing the world.
 */
final class WorldServe {
  private static final Logger log = LoggerFactory.getLogger(WorldServe.class);

  /** Wall time between progress lines. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  /**
   * What to serve and where.
   *
   * @param kubePort the Kubernetes API's port on 127.0.0.1, 0 for a free one
   * @param awsPort the AWS endpoint's port
   * @param worldPort the action log's port
   * @param kubeconfig where to write a kubeconfig for the Kubernetes API, null for nowhere
   * @param publish whether the fleet's telemetry goes to Kafka
   * @param inventory whether the simulator's own inventory records go too (off when {@code gpuward
   *     watch} publishes it from the served APIs)
   */
  record Options(
      int kubePort,
      int awsPort,
      int worldPort,
      Path kubeconfig,
      boolean publish,
      boolean inventory) {}

  /** A run's fixed inputs. */
  record Run(
      Scenario scenario,
      InstanceTypeCatalog types,
      double speed,
      Instant start,
      Duration runFor,
      boolean untilStopped) {}

  private final Options options;
  private final Run run;
  private final PrintStream out;
  private final CountDownLatch finished = new CountDownLatch(1);

  WorldServe(Options options, Run run, PrintStream out) {
    this.options = options;
    this.run = run;
    this.out = out;
  }

  /** Serves the world until the run's end or a stop (Ctrl-C); {@code platform} when publishing. */
  int serve(Supplier<Platform> platform, MetricsOptions metrics) throws Exception {
    SimClock clock = SimClock.notAfter(run.start(), run.speed(), Clock.systemUTC());
    SimulatedCluster cluster = new SimulatedCluster(clock);
    try {
      if (!options.publish()) {
        return serve(clock, cluster, TelemetrySink.NONE, "not published (add --publish)", metrics);
      }
      Platform p = platform.get();
      p.registerSchemas(KafkaRole.SIMULATOR);
      try (TelemetryPublisher publisher =
          new TelemetryPublisher(p.config().kafkaClientProps(), p.topics(), "gpuward-world")) {
        TelemetrySink sink =
            options.inventory() ? publisher : WorldOnly.withoutInventory(publisher);
        String where =
            "published to "
                + p.config().bootstrapServers()
                + (options.inventory() ? " (with the simulator's inventory)" : " (no inventory)");
        int rc = serve(clock, cluster, sink, where, metrics);
        publisher.flush();
        out.printf("published %,d records, %,d failed%n", publisher.sent(), publisher.failed());
        return rc;
      }
    } finally {
      finished.countDown();
    }
  }

  private int serve(
      SimClock clock,
      SimulatedCluster cluster,
      TelemetrySink sink,
      String telemetry,
      MetricsOptions metrics)
      throws Exception {
    var meters = MetricsOptions.registry("simulate");
    try (KubeWorldServer kube = KubeWorldServer.start(cluster, options.kubePort());
        AwsWorldServer aws = AwsWorldServer.start(cluster, awsSettings());
        WorldActionsServer actions = WorldActionsServer.start(cluster, options.worldPort())) {
      FleetSimulator sim =
          new FleetSimulator(
              run.scenario(), run.types(), cluster, kube.kubeletFeed(sink), clock.start());
      writeKubeconfig(kube);
      announce(kube, aws, actions, telemetry);
      try (MetricsServer server =
              metrics.start(
                  "simulate",
                  MetricsOptions.SIMULATE,
                  meters,
                  new ProgressCheck(
                      "simulator ticks", sim::ticks, Duration.ofSeconds(60), Clock.systemUTC()),
                  out::println);
          SimulationRunner runner = SimulationRunner.realTime(sim, clock, run.runFor())) {
        return runUntilDone(runner, cluster);
      }
    }
  }

  private AwsWorldServer.Settings awsSettings() {
    AwsWorldServer.Settings d = AwsWorldServer.Settings.DEFAULTS;
    return new AwsWorldServer.Settings(
        options.awsPort(),
        d.clusterName(),
        d.region(),
        d.maxPage(),
        d.ssmDocument(),
        d.diagDocument());
  }

  private void writeKubeconfig(KubeWorldServer kube) throws IOException {
    if (options.kubeconfig() == null) {
      return;
    }
    // Written whole, then moved: a client started as soon as the file appears reads all of it.
    Path file = options.kubeconfig().toAbsolutePath();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, kube.kubeconfig());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void announce(
      KubeWorldServer kube, AwsWorldServer aws, WorldActionsServer actions, String telemetry) {
    Scenario s = run.scenario();
    out.printf(
        "serving the simulated world '%s': %d nodes, at %sx from %s, %s%n",
        s.name(),
        s.nodeCount(),
        run.speed(),
        run.start(),
        run.untilStopped() ? "until stopped (Ctrl-C)" : "for " + Durations.format(run.runFor()));
    String kubeconfig = options.kubeconfig() == null ? null : options.kubeconfig().toString();
    out.printf(
        "  kubernetes: %s%s%n",
        kube.url(),
        kubeconfig == null
            ? " (--write-kubeconfig FILE for a kubeconfig)"
            : " kubeconfig " + kubeconfig);
    AwsWorldServer.Settings a = aws.settings();
    out.printf(
        "  aws: %s (EC2, Auto Scaling, SSM, EKS; region %s, EKS cluster %s)%n",
        aws.endpoint(), a.region(), a.clusterName());
    out.printf("  world actions: %s%n", actions.actionsUrl());
    out.printf("  telemetry: %s%n", telemetry);
    out.printf(
        "  remediate with: KUBECONFIG=%s gpuward remediate --live --actuator eks --aws-endpoint %s"
            + " --aws-region %s --eks-cluster %s%n",
        kubeconfig == null ? "FILE" : kubeconfig, aws.endpoint(), a.region(), a.clusterName());
  }

  /**
   * Prints progress until the run ends or a stop arrives. The stop hook waits (bounded) for this
   * method's caller to close the servers and flush the publisher.
   */
  private int runUntilDone(SimulationRunner runner, SimulatedCluster cluster)
      throws InterruptedException {
    Thread hook = new Thread(() -> stopAndWait(runner), "gpuward-world-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    runner.start();
    while (!runner.awaitCompletion(PROGRESS_EVERY)) {
      var p = runner.progress();
      out.printf(
          "  [%s] %,d records, %d actions on the world (%d reboots, %d replacements, %d GPU"
              + " resets)%n",
          Durations.format(p.simulatedElapsed()),
          p.records().total(),
          cluster.actions().size(),
          cluster.reboots(),
          cluster.replacements(),
          cluster.gpuResets());
    }
    var p = runner.progress();
    if (p.failure().isPresent()) {
      throw new IllegalStateException("simulation failed", p.failure().get());
    }
    out.printf(
        "world stopped after %s: %d actions on it%n",
        Durations.format(p.simulatedElapsed()), cluster.actions().size());
    return 0;
  }

  private void stopAndWait(SimulationRunner runner) {
    runner.stop();
    try {
      if (!finished.await(10, TimeUnit.SECONDS)) {
        log.warn("the world did not close within 10 s of the stop; exiting anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
