package io.gpuward.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one term of a role at a time, and only while this process holds a coordination.k8s.io Lease:
 * the replicas of a role compete for the lease with fabric8's {@link LeaderElector}; the winner
 * builds a fresh term from its factory (a term is not restartable), a replica that loses the lease
 * closes its term at once, and {@link #close()} releases the lease so a standby takes over without
 * waiting for it to expire.
 *
 * <p>Terms are built on a thread of their own, so the elector keeps renewing while one starts. A
 * term that fails to start is logged and the replica stays a leader without a term: its health
 * ({@link #termFailed()}) tells the orchestrator to restart it, which hands the lease on.
 *
 * @param <T> the term (closed when leadership ends)
 */
public final class LeaseTerms<T extends AutoCloseable> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaseTerms.class);

  /**
   * Where and how long the lease is held.
   *
   * @param role the role's name in log lines ("remediate", "watch")
   * @param name the Lease's name
   * @param namespace the Lease's namespace
   * @param identity this replica's name in the Lease (the pod name)
   * @param duration how long a lease lasts without renewal: a dead leader is replaced after it
   */
  public record Settings(
      String role, String name, String namespace, String identity, Duration duration) {
    public Settings {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(identity, "identity");
      if (duration == null || duration.isZero() || duration.isNegative()) {
        throw new IllegalArgumentException("lease duration must be positive, was " + duration);
      }
    }

    /**
     * Renewals must succeed within two thirds of the lease, as client-go's defaults (15 s / 10 s).
     */
    public Duration renewDeadline() {
      return duration.multipliedBy(2).dividedBy(3);
    }

    /** Time between tries to take or renew the lease. */
    public Duration retryPeriod() {
      return duration.dividedBy(7);
    }
  }

  private final KubernetesClient client;
  private final Settings settings;
  private final Supplier<T> factory;
  private final Clock clock;
  private final AtomicInteger leaderGauge;
  private final Object lock = new Object();
  private volatile T term;
  private volatile boolean leading;
  private volatile Instant leadingSince;
  private volatile Instant termStartedAt;
  private volatile boolean failed;
  private volatile String leader;
  private final ExecutorService builder;
  private CompletableFuture<?> election;
  private long terms;
  private boolean closed;

  /**
   * @param client the Kubernetes client (not closed here)
   * @param factory builds and starts a term; called once per won election
   * @param leaderGauge the name of the 1/0 gauge registered on {@code meters}
   */
  public LeaseTerms(
      KubernetesClient client,
      Settings settings,
      Supplier<T> factory,
      Clock clock,
      MeterRegistry meters,
      String leaderGauge) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.factory = Objects.requireNonNull(factory, "factory");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.leaderGauge = meters.gauge(leaderGauge, new AtomicInteger());
    this.builder =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "gpuward-" + settings.role() + "-term");
              t.setDaemon(true);
              return t;
            });
  }

  /** Joins the election; returns at once. */
  public void start() {
    join();
    log.info(
        "{}: {} competing for lease {}/{} (duration {})",
        settings.role(),
        settings.identity(),
        settings.namespace(),
        settings.name(),
        settings.duration());
  }

  /**
   * Starts an elector. fabric8's elector ends for good once its leader fails to renew; a replica
   * that lost the lease then joins again with a new one, so it stays a standby.
   */
  private void join() {
    LeaderElectionConfig config =
        new LeaderElectionConfig(
            new LeaseLock(settings.namespace(), settings.name(), settings.identity()),
            settings.duration(),
            settings.renewDeadline(),
            settings.retryPeriod(),
            new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader),
            true,
            settings.name());
    LeaderElector elector = client.leaderElector().withConfig(config).build();
    synchronized (lock) {
      if (closed) {
        return;
      }
      CompletableFuture<?> e = elector.start();
      election = e;
      e.whenComplete((ok, failure) -> ended(e, failure));
    }
  }

  private void ended(CompletableFuture<?> e, Throwable failure) {
    synchronized (lock) {
      if (closed || e != election) {
        return;
      }
    }
    log.info(
        "{}: {} election ended ({}); joining again",
        settings.role(),
        settings.identity(),
        failure == null ? "lease lost" : failure.toString());
    CompletableFuture.delayedExecutor(settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
        .execute(this::join);
  }

  private void startLeading() {
    long generation;
    synchronized (lock) {
      if (closed || leading) {
        return;
      }
      leading = true;
      generation = ++terms;
      failed = false;
      leadingSince = clock.instant();
      leaderGauge.set(1);
    }
    log.info("{}: {} leads; starting a term", settings.role(), settings.identity());
    // Built off the elector's thread: a term may take seconds to start (Kafka clients,
    // transactions), and the elector must keep renewing the lease meanwhile.
    builder.execute(() -> build(generation));
  }

  private void build(long generation) {
    T t;
    try {
      t = factory.get();
    } catch (RuntimeException e) {
      log.error(
          "{}: {} leads but its term failed to start", settings.role(), settings.identity(), e);
      synchronized (lock) {
        failed = generation == terms;
      }
      return;
    }
    synchronized (lock) {
      if (leading && generation == terms && !closed) {
        term = t;
        termStartedAt = clock.instant();
        log.info("{}: {} term started", settings.role(), settings.identity());
        return;
      }
    }
    // leadership ended while the term was starting
    closeTerm(t);
  }

  private void stopLeading() {
    T t;
    boolean leaving;
    synchronized (lock) {
      t = term;
      term = null;
      leaving = closed;
      boolean wasLeading = leading;
      leading = false;
      leaderGauge.set(0);
      if (!wasLeading) {
        return;
      }
    }
    closeTerm(t);
    if (leaving) {
      log.info("{}: {} stopped; lease released", settings.role(), settings.identity());
    } else {
      log.warn(
          "{}: {} lost the lease to {}; its term stopped",
          settings.role(),
          settings.identity(),
          leader);
    }
  }

  private void closeTerm(T t) {
    if (t == null) {
      return;
    }
    try {
      t.close();
    } catch (Exception e) {
      log.warn("{}: {} closing its term failed", settings.role(), settings.identity(), e);
    }
  }

  private void newLeader(String who) {
    leader = who;
    log.info("{}: leader of lease {} is {}", settings.role(), settings.name(), who);
  }

  /** Whether this replica holds the lease now. */
  public boolean isLeader() {
    return leading;
  }

  /** Whether this replica holds the lease but its term failed to start. */
  public boolean termFailed() {
    return leading && failed;
  }

  /** The running term, or null on a standby. */
  public T term() {
    return term;
  }

  /** The current leader's identity as last announced, or null. */
  public String leader() {
    return leader;
  }

  /** When this replica last became the leader, or null if it never was. */
  public Instant leadingSince() {
    return leadingSince;
  }

  /** When this replica's last term was built and started, or null if none was. */
  public Instant termStartedAt() {
    return termStartedAt;
  }

  /** The lease settings. */
  public Settings settings() {
    return settings;
  }

  /** Leaves the election (releasing the lease while the client still works) and ends the term. */
  @Override
  public void close() {
    CompletableFuture<?> e;
    synchronized (lock) {
      closed = true;
      e = election;
    }
    if (e != null) {
      e.cancel(true);
    }
    stopLeading();
    builder.shutdown();
    try {
      if (!builder.awaitTermination(1, TimeUnit.MINUTES)) {
        log.warn("{}: {} a term is still starting", settings.role(), settings.identity());
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }
}
