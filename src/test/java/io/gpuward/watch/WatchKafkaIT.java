package io.gpuward.watch;

import static io.gpuward.watch.WatchObjects.P5_ID;
import static io.gpuward.watch.WatchObjects.P5_NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.exporter.kube.KubeMock;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.Readers;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The watcher on the real broker: what it publishes for a Node's life reads back through the
 * topics' own Avro serdes, keyed by node, with the removal as a tombstone on the compacted topic.
 */
class WatchKafkaIT {

  @Test
  void shouldPublishReadableInventoryAndEventsAndATombstoneWhenTheNodeGoes() throws Exception {
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("watch") + ".").withPartitions(2),
            new AvroSerdes(new InMemorySchemaRegistry(), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    try (KubeMock kube = new KubeMock();
        KafkaWatchSink sink =
            new KafkaWatchSink(Map.of("bootstrap.servers", bootstrap), topics, "watch-it");
        WatchService watcher = watcher(kube, sink);
        KafkaConsumer<String, byte[]> reader = Readers.committed(bootstrap)) {
      reader.subscribe(List.of(topics.inventory.name(), topics.kubeEvents.name()));
      watcher.start();
      kube.client().nodes().resource(WatchObjects.p5Node("True", "KubeletReady")).create();
      awaitInventory(reader, seen, topics, true);
      kube.client().nodes().withName(P5_NODE).delete();
      awaitInventory(reader, seen, topics, false);
    }

    NodeInventory first = inventory(seen, topics).get(0);
    assertThat(first.getRegistered()).isTrue();
    assertThat(first.getInstanceId()).isEqualTo(P5_ID);
    assertThat(first.getNodegroup()).isEqualTo("p5-train");
    assertThat(first.getExpectedGpus()).isEqualTo(8);
    assertThat(seen).allSatisfy(r -> assertThat(r.key()).isEqualTo(P5_NODE));
    assertThat(events(seen, topics))
        .extracting(NodeEvent::getKind)
        .contains(NodeEventKind.NODE_REGISTERED, NodeEventKind.NODE_REMOVED);
  }

  private static WatchService watcher(KubeMock kube, KafkaWatchSink sink) {
    return new WatchService(
        kube.client(),
        null,
        sink,
        Clock.systemUTC(),
        WatchServiceTest.settings("watch-it-0", Duration.ZERO),
        InstanceTypeCatalog.load(),
        new SimpleMeterRegistry());
  }

  /** Polls until the newest inventory record is a value ({@code present}) or a tombstone. */
  private static void awaitInventory(
      KafkaConsumer<String, byte[]> reader,
      List<ConsumerRecord<String, byte[]>> seen,
      Topics topics,
      boolean present) {
    Eventually.await(
        Duration.ofSeconds(30),
        () -> {
          reader.poll(Duration.ofMillis(200)).forEach(seen::add);
          ConsumerRecord<String, byte[]> last =
              seen.stream()
                  .filter(r -> r.topic().equals(topics.inventory.name()))
                  .reduce((a, b) -> b)
                  .orElse(null);
          assertThat(last).as("an inventory record").isNotNull();
          assertThat(last.value() != null).isEqualTo(present);
        });
  }

  private static List<NodeInventory> inventory(
      List<ConsumerRecord<String, byte[]>> seen, Topics topics) {
    String t = topics.inventory.name();
    return seen.stream()
        .filter(r -> r.topic().equals(t) && r.value() != null)
        .map(r -> topics.inventory.valueSerde().deserializer().deserialize(t, r.value()))
        .toList();
  }

  private static List<NodeEvent> events(List<ConsumerRecord<String, byte[]>> seen, Topics topics) {
    String t = topics.kubeEvents.name();
    return seen.stream()
        .filter(r -> r.topic().equals(t))
        .map(r -> topics.kubeEvents.valueSerde().deserializer().deserialize(t, r.value()))
        .toList();
  }
}
