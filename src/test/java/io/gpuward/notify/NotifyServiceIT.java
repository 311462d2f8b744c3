package io.gpuward.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.Outcome;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.TopicAdmin;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.gpuward.embedded.EmbeddedSchemaRegistry;
import io.gpuward.testing.Eventually;
import io.gpuward.testing.SelfSignedTls;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier on the real broker against a local HTTPS webhook that fails its first requests and
 * then recovers: every escalation and new incident arrives, each once per operation, repeats of an
 * audit record and unreadable records included, and a restarted notifier sends nothing again.
 */
class NotifyServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private HttpsServer server;
  private EmbeddedSchemaRegistry registry;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger(3);

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
    if (registry != null) {
      registry.close();
    }
  }

  private URI startWebhook(SelfSignedTls tls) throws Exception {
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
    server.createContext(
        "/hook",
        ex -> {
          try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            boolean fail = failuresLeft.getAndDecrement() > 0;
            if (!fail) {
              received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
            }
            ex.sendResponseHeaders(fail ? 503 : 202, -1);
          }
        });
    server.start();
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Test
  void shouldDeliverEveryPageOnceThroughAFailingWebhook() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    URI url = startWebhook(tls);
    registry = EmbeddedSchemaRegistry.startInMemory();
    String bootstrap = SharedKafka.bootstrapServers();
    Topics topics =
        new Topics(
            TopicCatalog.load(TestNames.unique("notify") + ".").withPartitions(1),
            new AvroSerdes(new RegistryClient(registry.url()), true));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, topics.specs(), Duration.ofSeconds(30));
    }
    publish(bootstrap, topics);

    Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
    Webhook webhook =
        new Webhook(url, Map.of("Authorization", "Bearer t"), tls.client(), Duration.ofSeconds(5));
    var backoff = new NotifyService.Backoff(Duration.ofMillis(50), Duration.ofMillis(200));
    var meters = new SimpleMeterRegistry();
    String group = TestNames.unique("notify-group");
    try (var service = new NotifyService(props, topics, group, webhook, backoff, meters)) {
      Thread t = new Thread(service, "notify-it");
      t.start();
      Eventually.await(Duration.ofSeconds(60), () -> assertThat(received).hasSize(3));
      service.close();
      t.join(10_000);
    }
    assertThat(received)
        .extracting(e -> e.get("id").asText())
        .containsExactlyInAnyOrder("op-a", "op-b", "inc-1/nodegroup:p4d-train/OPEN");
    assertThat(received)
        .allSatisfy(e -> assertThat(e.get("specversion").asText()).isEqualTo("1.0"));
    assertThat(meters.find(NotifyMetrics.RETRIES).counters())
        .as("the three failed attempts")
        .map(c -> c.count())
        .containsAnyOf(3.0)
        .hasSize(1);
    assertThat(meters.counter(NotifyMetrics.REJECTED, "type", "unreadable").count()).isEqualTo(1);

    // Offsets were committed after delivery: a restarted notifier pages only what is new.
    try (var again = new NotifyService(props, topics, group, webhook, backoff, meters)) {
      Thread t = new Thread(again, "notify-it-again");
      t.start();
      publishOne(bootstrap, topics, "op-c");
      Eventually.await(Duration.ofSeconds(60), () -> assertThat(received).hasSize(4));
      again.close();
      t.join(10_000);
    }
    assertThat(received.get(3).get("id").asText()).isEqualTo("op-c");
  }

  private static void publishOne(String bootstrap, Topics topics, String op) {
    String a = topics.audit.name();
    try (var p =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            new ByteArraySerializer())) {
      p.send(
          rec(
              a,
              topics
                  .audit
                  .valueSerde()
                  .serializer()
                  .serialize(a, PagesTest.escalation(op, Outcome.SUCCEEDED, false))));
    }
  }

  private static void publish(String bootstrap, Topics topics) throws Exception {
    var audit = topics.audit.valueSerde().serializer();
    var incidents = topics.incidents.valueSerde().serializer();
    try (var p =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", bootstrap),
            new StringSerializer(),
            new ByteArraySerializer())) {
      String a = topics.audit.name();
      p.send(rec(a, audit.serialize(a, PagesTest.escalation("op-a", Outcome.STARTED, false))));
      p.send(rec(a, audit.serialize(a, PagesTest.escalation("op-a", Outcome.SUCCEEDED, false))));
      p.send(rec(a, "garbage".getBytes(StandardCharsets.UTF_8)));
      p.send(rec(a, audit.serialize(a, PagesTest.escalation("op-a", Outcome.SUCCEEDED, false))));
      p.send(rec(a, audit.serialize(a, PagesTest.escalation("op-b", Outcome.SUCCEEDED, false))));
      String i = topics.incidents.name();
      p.send(rec(i, incidents.serialize(i, PagesTest.incident(IncidentState.OPEN))));
      p.send(rec(i, incidents.serialize(i, PagesTest.incident(IncidentState.UPDATED))));
      p.flush();
    }
  }

  private static ProducerRecord<String, byte[]> rec(String topic, byte[] value) {
    return new ProducerRecord<>(topic, "k", value);
  }
}
