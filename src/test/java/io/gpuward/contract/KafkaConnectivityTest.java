package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaConnectivityTest {

  @Test
  void shouldFailQuicklyWithOneReadableLineWhenNoBrokerListens() {
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> KafkaConnectivity.check("127.0.0.1:1", Duration.ofSeconds(2)))
        .asInstanceOf(type(BrokerUnreachableException.class))
        .satisfies(
            e -> {
              assertThat(e.getMessage())
                  .startsWith("cannot reach Kafka at 127.0.0.1:1 within 2s: ");
              assertThat(e.getMessage()).doesNotContain("\n");
              assertThat(e.bootstrapServers()).isEqualTo("127.0.0.1:1");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void shouldNameUnresolvableHost() {
    assertThatThrownBy(
            () -> KafkaConnectivity.check("no-such-host.invalid:9092", Duration.ofMillis(1500)))
        .isInstanceOf(BrokerUnreachableException.class)
        .hasMessageStartingWith("cannot reach Kafka at no-such-host.invalid:9092 within 1500ms: ")
        .hasMessageContaining("resolvable");
  }
}
