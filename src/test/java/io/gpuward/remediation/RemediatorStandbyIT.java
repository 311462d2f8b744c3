package io.gpuward.remediation;

import static io.gpuward.remediation.RemediatorServiceIT.T0;
import static io.gpuward.remediation.RemediatorServiceIT.readAudit;
import static io.gpuward.remediation.RemediatorServiceIT.verdict;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.exporter.kube.KubeMock;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.kube.LeaseTerms;
import io.gpuward.sim.ManualClock;
import io.gpuward.sim.SimulatedCluster;
import io.gpuward.testing.DefaultFleet;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two remediators competing for one Lease (fabric8's mock API server) over the real broker and one
 * simulated cluster: only the leader acts; killed without releasing the Lease, its warm standby
 * takes over after the lease expires and acts on a verdict that arrived meanwhile, exactly once.
 * The takeover times are printed, not asserted.
 */
class RemediatorStandbyIT {
  static final Duration LEASE = Duration.ofSeconds(2);
  static final Duration WAIT = Duration.ofSeconds(45);

  KubeMock kube;
  final List<AutoCloseable> closing = new ArrayList<>();
  final ManualClock clock = new ManualClock(T0);
  final SimulatedCluster cluster = new SimulatedCluster(clock);
  final Planner planner = new Planner(RemediationPolicy.load());
  Topics topics;
  String group;
  Map<String, Object> props;

  @BeforeEach
  void setUp() throws Exception {
    kube = new KubeMock();
    props = Map.of("bootstrap.servers", SharedKafka.bootstrapServers());
    topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("standby") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(props)) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    var types = InstanceTypeCatalog.load();
    DefaultFleet.populate(cluster, types, T0);
    group = TestNames.unique("remediator-standby");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    kube.close();
  }

  record Replica(LeaseTerms<RemediatorService> terms, KubernetesClient client) {}

  /** One remediator process: its own Kubernetes client and meters, the shared static member id. */
  Replica replica(String identity) {
    KubernetesClient client = kube.newClient();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    LeaseTerms<RemediatorService> terms =
        new LeaseTerms<>(
            client,
            new LeaseTerms.Settings("remediate", "gpuward-remediate", "gpuward", identity, LEASE),
            () -> {
              var s =
                  new RemediatorService(
                      props,
                      topics,
                      a -> new Remediation(planner, cluster, cluster, a, clock, false, meters),
                      group,
                      meters,
                      ControlCommands.Limits.DEFAULTS,
                      Optional.of(group + "-active"));
              s.start();
              return s;
            },
            Clock.systemUTC(),
            meters,
            RemediationMetrics.LEADER);
    closing.add(client);
    closing.add(terms);
    terms.start();
    return new Replica(terms, client);
  }

  boolean cordoned(String node) {
    return cluster.node(node).orElseThrow().unschedulable();
  }

  @Test
  void shouldLetTheStandbyActOnceTheKilledLeadersLeaseExpired() throws Exception {
    Replica a = replica("remediate-0");
    Eventually.await(WAIT, () -> assertThat(a.terms().term()).isNotNull());
    Replica b = replica("remediate-1");
    Eventually.await(WAIT, () -> assertThat(b.terms().leader()).isEqualTo("remediate-0"));
    assertThat(b.terms().term()).isNull();

    try (var producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.verdicts.valueSerde().serializer())) {
      FaultVerdict first = verdict("p5-train-5", FaultClass.GPU_THERMAL, RemediationAction.CORDON);
      producer.send(new ProducerRecord<>(topics.verdicts.name(), first.getNode(), first)).get();
      Eventually.await(WAIT, () -> assertThat(cordoned("p5-train-5")).isTrue());
      RemediatorService leader = a.terms().term();
      Eventually.await(WAIT, () -> assertThat(leader.idle()).isTrue());
      assertThat(b.terms().term()).as("the standby never ran a service").isNull();

      // kill -9: nothing more written, no lease released
      Instant killed = Instant.now();
      leader.halt();
      a.client().close();
      a.terms().close();
      FaultVerdict second = verdict("p5-train-6", FaultClass.GPU_THERMAL, RemediationAction.CORDON);
      producer.send(new ProducerRecord<>(topics.verdicts.name(), second.getNode(), second)).get();

      Eventually.await(WAIT, () -> assertThat(cordoned("p5-train-6")).isTrue());
      Instant acted = Instant.now();
      assertThat(b.terms().leadingSince()).isAfter(killed);
      assertThat(b.terms().termStartedAt()).isBefore(acted);
      System.out.printf(
          "standby takeover (lease %d ms): kill -> leading %d ms, -> service started %d ms,"
              + " -> waiting verdict's cordon %d ms%n",
          LEASE.toMillis(),
          Duration.between(killed, b.terms().leadingSince()).toMillis(),
          Duration.between(killed, b.terms().termStartedAt()).toMillis(),
          Duration.between(killed, acted).toMillis());
      Eventually.await(WAIT, () -> assertThat(b.terms().term().idle()).isTrue());
    }
    List<RemediationRecord> audit =
        readAudit(
            (String) props.get("bootstrap.servers"),
            topics,
            r ->
                r.getNode().equals("p5-train-6")
                    && r.getAction() == RemediationAction.CORDON
                    && r.getOutcome() == Outcome.SUCCEEDED);
    for (String node : List.of("p5-train-5", "p5-train-6")) {
      assertThat(audit)
          .as(node)
          .filteredOn(r -> r.getNode().equals(node) && r.getAction() == RemediationAction.CORDON)
          .extracting(RemediationRecord::getOutcome)
          .containsExactly(Outcome.PLANNED, Outcome.STARTED, Outcome.SUCCEEDED);
    }
  }
}
