package io.gpuward.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.RegistryClient;
import io.gpuward.contract.SchemaRegistry;
import io.gpuward.testing.ProbeSchemas;
import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class EmbeddedSchemaRegistryIT {

  private final String bootstrap = SharedKafka.bootstrapServers();

  @Test
  void shouldKeepIdsVersionsAndConfigAcrossRestart() throws Exception {
    String topic = TestNames.unique("_schemas");
    int verdictId;
    int gpuId;
    int probeV1;
    int probeV2;
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startOnKafka(bootstrap, topic)) {
      SchemaRegistry client = new RegistryClient(registry.url());
      verdictId = client.register("verdicts-value", FaultVerdict.getClassSchema());
      gpuId = client.register("gpu-value", GpuSample.getClassSchema());
      probeV1 = client.register("probe-value", ProbeSchemas.V1);
      probeV2 = client.register("probe-value", ProbeSchemas.V2_OPTIONAL);
      client.setCompatibility("probe-value", "FULL");
    }

    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startOnKafka(bootstrap, topic)) {
      SchemaRegistry client = new RegistryClient(registry.url());

      assertThat(client.subjects()).containsExactly("gpu-value", "probe-value", "verdicts-value");
      assertThat(client.schemaById(verdictId)).isEqualTo(FaultVerdict.getClassSchema());
      assertThat(client.register("verdicts-value", FaultVerdict.getClassSchema()))
          .isEqualTo(verdictId);
      assertThat(client.register("gpu-value", GpuSample.getClassSchema())).isEqualTo(gpuId);
      assertThat(client.lookup("probe-value", ProbeSchemas.V1).orElseThrow().version())
          .isEqualTo(1);
      assertThat(client.lookup("probe-value", ProbeSchemas.V2_OPTIONAL).orElseThrow())
          .satisfies(r -> assertThat(r.id()).isEqualTo(probeV2))
          .satisfies(r -> assertThat(r.version()).isEqualTo(2));
      assertThat(client.compatibility("probe-value")).isEqualTo("FULL");

      int xidId = client.register("xid-value", XidEvent.getClassSchema());
      assertThat(xidId).isNotIn(verdictId, gpuId, probeV1, probeV2);
      assertThat(xidId).isGreaterThan(Math.max(Math.max(verdictId, gpuId), probeV2));
      assertThat(client.schemaById(xidId)).isEqualTo(XidEvent.getClassSchema());
    }
  }

  @Test
  void shouldKeepDeletesConfigAndModeAcrossRestart() throws Exception {
    String topic = TestNames.unique("_schemas");
    int dropped;
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startOnKafka(bootstrap, topic)) {
      SchemaRegistry client = new RegistryClient(registry.url());
      client.register("keep-value", ProbeSchemas.V1);
      dropped = client.register("drop-value", XidEvent.getClassSchema());
      client.setCompatibility("keep-value", "FULL");
      assertThat(http(registry, "DELETE", "/subjects/keep-value", null)).isEqualTo("[1]");
      http(registry, "DELETE", "/subjects/drop-value", null);
      http(registry, "DELETE", "/subjects/drop-value?permanent=true", null);
      http(registry, "PUT", "/mode/keep-value", "{\"mode\":\"READONLY\"}");
      http(registry, "DELETE", "/config/keep-value", null);
    }

    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startOnKafka(bootstrap, topic)) {
      SchemaRegistry client = new RegistryClient(registry.url());

      assertThat(client.subjects()).isEmpty();
      assertThat(http(registry, "GET", "/subjects?deleted=true", null))
          .isEqualTo("[\"keep-value\"]");
      assertThat(http(registry, "GET", "/mode/keep-value", null)).contains("READONLY");
      assertThat(http(registry, "GET", "/config/keep-value", null)).contains("40408");
      assertThat(http(registry, "GET", "/schemas/ids/" + dropped, null)).contains("40403");
      assertThat(client.register("new-value", GpuSample.getClassSchema())).isGreaterThan(dropped);
    }
  }

  private static String http(
      EmbeddedSchemaRegistry registry, String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(registry.url() + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void shouldKeepItsTopicCompacted() throws Exception {
    String topic = TestNames.unique("_schemas");
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startOnKafka(bootstrap, topic);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      new RegistryClient(registry.url()).register("probe-value", ProbeSchemas.V1);

      ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      var config = admin.describeConfigs(java.util.List.of(res)).all().get().get(res);
      var partitions =
          admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic);

      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(partitions.partitions()).hasSize(1);
    }
  }

  @Test
  void shouldStartQuicklyOnAnExistingBroker() {
    long t0 = System.nanoTime();
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.startOnKafka(bootstrap, TestNames.unique("_schemas"))) {
      assertThat(new RegistryClient(registry.url()).subjects()).isEmpty();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }
}
