package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KubernetesActuatorSettingsTest {

  @Test
  void shouldRejectBadValuesNamingTheField() {
    assertThatThrownBy(
            () ->
                new KubernetesActuatorSettings(
                    Duration.ZERO, Duration.ofSeconds(10), Duration.ofSeconds(2), 3, 10, "k"))
        .hasMessageContaining("initialBackoff");
    assertThatThrownBy(
            () ->
                new KubernetesActuatorSettings(
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    3,
                    10,
                    "k"))
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(
            () ->
                new KubernetesActuatorSettings(
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    0,
                    10,
                    "k"))
        .hasMessageContaining("conflictRetries");
  }

  @Test
  void shouldTurnOffFabric8RetriesInTheClientConfig() {
    Config base = new ConfigBuilder(Config.empty()).withMasterUrl("https://10.100.0.1").build();
    Config c = KubernetesClients.actuatorConfig(base, Duration.ofSeconds(3), Duration.ofSeconds(7));
    assertThat(c.getRequestRetryBackoffLimit()).isZero();
    assertThat(c.getConnectionTimeout()).isEqualTo(3000);
    assertThat(c.getRequestTimeout()).isEqualTo(7000);
    assertThat(c.getMasterUrl()).startsWith("https://10.100.0.1");
  }
}
