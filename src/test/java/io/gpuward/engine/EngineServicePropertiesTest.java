package io.gpuward.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.config.GpuwardConfig;
import io.gpuward.contract.AvroSerdes;
import io.gpuward.contract.InMemorySchemaRegistry;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.contract.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The engine's tuned client settings are defaults a kafka.* setting still overrides. */
class EngineServicePropertiesTest {
  private static Properties props(Map<String, String> settings) {
    var all = new java.util.HashMap<String, Object>(settings);
    all.put(GpuwardConfig.BOOTSTRAP_SERVERS, "localhost:9092");
    return EngineService.properties(
        new GpuwardConfig(all),
        new Topics(TopicCatalog.load("t."), new AvroSerdes(new InMemorySchemaRegistry(), true)),
        new SimpleMeterRegistry(),
        Clock.systemUTC());
  }

  @Test
  void shouldPollAndFetchInBigBatchesAndLingerBriefly() {
    Properties p = props(Map.of());
    assertThat(p.get("main.consumer.max.poll.records")).isEqualTo(EngineService.MAX_POLL_RECORDS);
    assertThat(p.get("main.consumer.max.partition.fetch.bytes"))
        .isEqualTo(EngineService.MAX_PARTITION_FETCH_BYTES);
    assertThat(p.get("main.consumer.fetch.max.bytes")).isEqualTo(EngineService.FETCH_MAX_BYTES);
    assertThat(p.get("producer.linger.ms")).isEqualTo(5);
  }

  @Test
  void shouldLetKafkaSettingsOverrideTheTunedDefaults() {
    Properties p =
        props(
            Map.of(
                "kafka.main.consumer.max.poll.records", "100", "kafka.producer.linger.ms", "20"));
    assertThat(p.get("main.consumer.max.poll.records")).isEqualTo("100");
    assertThat(p.get("producer.linger.ms")).isEqualTo("20");
  }

  @Test
  void shouldBeAStaticGroupMemberWhenGivenAnInstanceId() {
    Properties p = props(Map.of(GpuwardConfig.INSTANCE_ID, "gpuward-engine-0"));
    assertThat(p.get("main.consumer.group.instance.id")).isEqualTo("gpuward-engine-0");
    assertThat(p.get("main.consumer.session.timeout.ms"))
        .isEqualTo(EngineService.STATIC_SESSION_TIMEOUT_MS);
    assertThat(props(Map.of())).doesNotContainKey("main.consumer.group.instance.id");
  }

  @Test
  void shouldDeadLetterRecordsWhoseProcessingFailsAndKeepCrossTopicOrderOnABacklog() {
    Properties p = props(Map.of());
    assertThat(p.get("processing.exception.handler")).isEqualTo(DeadLetterHandler.class.getName());
    assertThat(p.get("max.task.idle.ms")).isEqualTo(0L);
  }

  @Test
  void shouldKeepNoStandbyReplicaUnlessConfigured() {
    assertThat(props(Map.of()).get("num.standby.replicas")).isEqualTo(0);
    assertThat(
            props(Map.of(GpuwardConfig.ENGINE_STANDBY_REPLICAS, "1")).get("num.standby.replicas"))
        .isEqualTo(1);
  }

  @Test
  void shouldRefuseANegativeStandbyCountNamingTheKey() {
    assertThatThrownBy(() -> props(Map.of(GpuwardConfig.ENGINE_STANDBY_REPLICAS, "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(GpuwardConfig.ENGINE_STANDBY_REPLICAS);
  }
}
