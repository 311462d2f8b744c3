package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.testing.SharedKafka;
import io.gpuward.testing.TestNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TopicAdminIT {

  private Admin admin;

  @BeforeEach
  void connect() {
    admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()));
  }

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void shouldCreateCatalogTopicsWithPartitionsAndCleanupPolicy() throws Exception {
    TopicCatalog catalog = TopicCatalog.load(TestNames.unique("cat") + ".");

    TopicAdmin.ensureTopics(admin, catalog.all(), Duration.ofSeconds(30));

    List<String> names = catalog.all().stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources(names)).all().get();
    for (TopicSpec spec : catalog.all()) {
      assertThat(described.get(spec.name()).partitions())
          .as(spec.name())
          .hasSize(spec.partitions());
      String policy = configs.get(resource(spec.name())).get("cleanup.policy").value();
      assertThat(policy)
          .as(spec.name())
          .isEqualTo(spec.kind() == TopicKind.COMPACTED ? "compact" : "delete");
    }
    assertThat(configs.get(resource(catalog.spec("gpu").name())).get("retention.ms").value())
        .isEqualTo("86400000");
  }

  @Test
  void shouldBeIdempotentAndSafeForConcurrentCallers() throws Exception {
    TopicCatalog catalog = TopicCatalog.load(TestNames.unique("idem") + ".").withPartitions(2);

    List<CompletableFuture<Void>> callers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      callers.add(
          CompletableFuture.runAsync(
              () -> TopicAdmin.ensureTopics(admin, catalog.all(), Duration.ofSeconds(30))));
    }
    CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get();
    TopicAdmin.ensureTopics(admin, catalog.all(), Duration.ofSeconds(30));

    var existing = admin.listTopics().names().get();
    assertThat(existing).containsAll(catalog.all().stream().map(TopicSpec::name).toList());
  }

  @Test
  void shouldKeepExistingTopicWhoseSettingsDiffer() throws Exception {
    String prefix = TestNames.unique("drift") + ".";
    TopicAdmin.ensureTopics(
        admin, TopicCatalog.load(prefix).withPartitions(2).all(), Duration.ofSeconds(30));

    TopicAdmin.ensureTopics(
        admin, TopicCatalog.load(prefix).withPartitions(4).all(), Duration.ofSeconds(30));

    String gpu = TopicCatalog.load(prefix).spec("gpu").name();
    assertThat(admin.describeTopics(List.of(gpu)).allTopicNames().get().get(gpu).partitions())
        .hasSize(2);
  }

  private static List<ConfigResource> resources(List<String> names) {
    return names.stream().map(TopicAdminIT::resource).collect(Collectors.toList());
  }

  private static ConfigResource resource(String name) {
    return new ConfigResource(ConfigResource.Type.TOPIC, name);
  }
}
