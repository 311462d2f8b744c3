package io.gpuward.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.exporter.kube.KubeMock;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas competing for one Lease on fabric8's mock API server: one term at a time, a standby
 * that takes over once a dead leader's lease expires, and a leader that stops its term when it
 * loses the lease. No timed assertions: the takeover times are printed, order is asserted.
 */
class LeaseTermsTest {
  static final Duration LEASE = Duration.ofSeconds(2);
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String NS = "gpuward";
  static final String NAME = "gpuward-remediate";

  KubeMock kube;
  final List<AutoCloseable> closing = new ArrayList<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostRunning = new AtomicInteger();

  @BeforeEach
  void start() {
    kube = new KubeMock();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    kube.close();
  }

  /** A term that records its start and close, and how many terms ran at once. */
  final class Term implements AutoCloseable {
    final String owner;

    Term(String owner) {
      this.owner = owner;
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      events.add(owner + " start");
    }

    @Override
    public void close() {
      events.add(owner + " close");
      running.decrementAndGet();
    }
  }

  record Replica(LeaseTerms<Term> terms, KubernetesClient client, SimpleMeterRegistry meters) {}

  Replica replica(String identity) {
    KubernetesClient client = kube.newClient();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    LeaseTerms<Term> terms =
        new LeaseTerms<>(
            client,
            new LeaseTerms.Settings("remediate", NAME, NS, identity, LEASE),
            () -> new Term(identity),
            Clock.systemUTC(),
            meters,
            "gpuward.test.leader");
    closing.add(client);
    closing.add(terms);
    terms.start();
    return new Replica(terms, client, meters);
  }

  static double gauge(Replica r) {
    return r.meters().get("gpuward.test.leader").gauge().value();
  }

  Lease lease() {
    return kube.client().leases().inNamespace(NS).withName(NAME).get();
  }

  @Test
  void shouldRunExactlyOneTermWhileTwoReplicasCompete() {
    Replica a = replica("remediate-0");
    Replica b = replica("remediate-1");

    Eventually.await(WAIT, () -> assertThat(events).hasSize(1));
    Replica leader = a.terms().isLeader() ? a : b;
    Replica standby = leader == a ? b : a;
    assertThat(leader.terms().term()).isNotNull();
    assertThat(standby.terms().isLeader()).isFalse();
    assertThat(standby.terms().term()).isNull();
    assertThat(gauge(leader)).isEqualTo(1.0);
    assertThat(gauge(standby)).isZero();
    assertThat(lease().getSpec().getHolderIdentity())
        .isEqualTo(leader.terms().settings().identity());
    assertThat(mostRunning.get()).isEqualTo(1);
  }

  @Test
  void shouldTakeOverAfterAKilledLeadersLeaseExpires() {
    Replica a = replica("remediate-0");
    Eventually.await(WAIT, () -> assertThat(a.terms().term()).isNotNull());
    Replica b = replica("remediate-1");
    Eventually.await(
        WAIT, () -> assertThat(b.terms().leader()).isEqualTo("remediate-0")); // b saw the lease

    // kill -9: the process vanishes; nobody releases its Lease
    Instant killed = Instant.now();
    a.client().close();
    a.terms().close();
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("remediate-0");

    Eventually.await(WAIT, () -> assertThat(b.terms().term()).isNotNull());
    assertThat(events)
        .containsExactly("remediate-0 start", "remediate-0 close", "remediate-1 start");
    assertThat(b.terms().leadingSince()).isAfter(killed);
    assertThat(mostRunning.get()).isEqualTo(1);
    System.out.printf(
        "takeover with a %d ms lease: kill -> standby leading %d ms, -> its term started %d ms%n",
        LEASE.toMillis(),
        Duration.between(killed, b.terms().leadingSince()).toMillis(),
        Duration.between(killed, b.terms().termStartedAt()).toMillis());
  }

  @Test
  void shouldCloseTheTermAtOnceWhenTheLeaseIsLostAndCompeteAgain() {
    Replica a = replica("remediate-0");
    Eventually.await(WAIT, () -> assertThat(a.terms().term()).isNotNull());

    // another holder takes the Lease over (as after a pause longer than the lease)
    Lease taken =
        new LeaseBuilder(lease())
            .editSpec()
            .withHolderIdentity("intruder")
            .withLeaseDurationSeconds(60)
            .withRenewTime(ZonedDateTime.now())
            .withAcquireTime(ZonedDateTime.now())
            .endSpec()
            .build();
    kube.client().leases().inNamespace(NS).resource(taken).update();

    Eventually.await(WAIT, () -> assertThat(a.terms().isLeader()).isFalse());
    assertThat(a.terms().term()).isNull();
    assertThat(events).containsExactly("remediate-0 start", "remediate-0 close");
    assertThat(gauge(a)).isZero();
    assertThat(a.terms().leader()).isEqualTo("intruder");

    // the intruder dies too: the replica, back in the election, leads with a fresh term
    Lease expired =
        new LeaseBuilder(lease())
            .editSpec()
            .withRenewTime(ZonedDateTime.now().minusMinutes(5))
            .endSpec()
            .build();
    kube.client().leases().inNamespace(NS).resource(expired).update();
    Eventually.await(WAIT, () -> assertThat(a.terms().term()).isNotNull());
    assertThat(events)
        .containsExactly("remediate-0 start", "remediate-0 close", "remediate-0 start");
  }
}
