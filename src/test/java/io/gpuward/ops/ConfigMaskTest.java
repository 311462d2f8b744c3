package io.gpuward.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigMaskTest {

  @Test
  void shouldHideEverySecretValueButKeepReferencesAndPlainSettings() {
    Map<String, String> masked =
        ConfigMask.masked(
            Map.of(
                "bootstrap.servers", "b:9096",
                "kafka.sasl.jaas.config", "ScramLoginModule required password=\"p\";",
                "kafka.ssl.truststore.password", "tp",
                "kafka.ssl.key.password", "kp",
                "kafka.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "kafka.sasl.oauthbearer.client.credentials.client.secret", "cs",
                "schema.registry.basic.auth.user.info", "u:p",
                "kafka.ssl.keystore.password",
                    "${dir:/etc/gpuward/secrets/kafka-tls:keystore.password}",
                "kafka.security.protocol", "SASL_SSL"));
    assertThat(masked)
        .containsEntry("bootstrap.servers", "b:9096")
        .containsEntry("kafka.security.protocol", "SASL_SSL")
        .containsEntry(
            "kafka.ssl.keystore.password",
            "${dir:/etc/gpuward/secrets/kafka-tls:keystore.password}")
        .containsEntry("kafka.sasl.jaas.config", ConfigMask.HIDDEN)
        .containsEntry("kafka.ssl.truststore.password", ConfigMask.HIDDEN)
        .containsEntry("kafka.ssl.key.password", ConfigMask.HIDDEN)
        .containsEntry("kafka.ssl.keystore.key", ConfigMask.HIDDEN)
        .containsEntry("kafka.sasl.oauthbearer.client.credentials.client.secret", ConfigMask.HIDDEN)
        .containsEntry("schema.registry.basic.auth.user.info", ConfigMask.HIDDEN);
    assertThat(masked.toString()).doesNotContain("password=\"p\"", "tp", "u:p", "PRIVATE");
  }
}
