package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo's catalog keeps every record of a run; the production catalog keeps its retention. */
class TopicCatalogRetentionTest {

  @Test
  void shouldLiftTheTimeLimitOfEveryStreamTopicOnly() {
    TopicCatalog production = TopicCatalog.load("");
    TopicCatalog demo = production.withPartitions(3).withUnlimitedRetention();

    assertThat(production.spec("gpu").configs()).containsEntry("retention.ms", "86400000");
    for (TopicSpec s : demo.all()) {
      if (s.kind() == TopicKind.STREAM) {
        assertThat(s.creationConfigs()).as(s.name()).containsEntry("retention.ms", "-1");
      } else {
        assertThat(s.creationConfigs()).as(s.name()).containsEntry("cleanup.policy", "compact");
      }
      assertThat(s.partitions()).isEqualTo(3);
    }
  }
}
