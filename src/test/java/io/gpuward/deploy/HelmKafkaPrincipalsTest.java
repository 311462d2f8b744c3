package io.gpuward.deploy;

import static io.gpuward.deploy.HelmChartRenderTest.one;
import static io.gpuward.deploy.HelmChartRenderTest.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.gpuward.config.GpuwardConfig;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The chart signs each role in as its own Kafka principal, and turns auto-registration off. */
class HelmKafkaPrincipalsTest {

  static Map<String, String> scram() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("kafka.securityProtocol", "SASL_PLAINTEXT");
    v.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
    return v;
  }

  static Map<String, String> saslSecretByRole(List<HasMetadata> objects) {
    Map<String, PodSpec> pods =
        Map.of(
            "exporter",
            one(objects, DaemonSet.class, "prod-gpuward-exporter")
                .getSpec()
                .getTemplate()
                .getSpec(),
            "engine",
            one(objects, StatefulSet.class, "prod-gpuward-engine")
                .getSpec()
                .getTemplate()
                .getSpec(),
            "remediator",
            one(objects, Deployment.class, "prod-gpuward-remediator")
                .getSpec()
                .getTemplate()
                .getSpec(),
            "watcher",
            one(objects, Deployment.class, "prod-gpuward-watcher")
                .getSpec()
                .getTemplate()
                .getSpec());
    Map<String, String> out = new LinkedHashMap<>();
    pods.forEach(
        (role, pod) ->
            pod.getVolumes().stream()
                .filter(v -> v.getName().equals("kafka-sasl"))
                .forEach(v -> out.put(role, v.getSecret().getSecretName())));
    return out;
  }

  @Test
  void shouldMountEachRolesOwnSaslSecret() {
    Map<String, String> v = scram();
    v.put("kafka.sasl.secrets.exporter", "kafka-exporter");
    v.put("kafka.sasl.secrets.engine", "kafka-engine");
    v.put("kafka.sasl.secrets.remediator", "kafka-remediator");
    v.put("kafka.sasl.secrets.watcher", "kafka-watcher");
    v.put("kafka.sasl.existingSecret", "shared");
    assertThat(saslSecretByRole(render(v)))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "exporter", "kafka-exporter",
                "engine", "kafka-engine",
                "remediator", "kafka-remediator",
                "watcher", "kafka-watcher"));
  }

  @Test
  void shouldSignEachRoleInAsItsStrimziUser() {
    Map<String, String> v = scram();
    v.put("kafka.acls.strimzi.enabled", "true");
    v.put("kafka.acls.strimzi.cluster", "fleet");
    assertThat(saslSecretByRole(render(v)))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "exporter", "prod-gpuward-exporter",
                "engine", "prod-gpuward-engine",
                "remediator", "prod-gpuward-remediator",
                "watcher", "prod-gpuward-watcher"));
  }

  @Test
  void shouldRefuseSaslWithoutASecretForEveryRole() {
    Map<String, String> v = scram();
    v.put("kafka.sasl.secrets.exporter", "kafka-exporter");
    v.put("kafka.sasl.secrets.remediator", "kafka-remediator");
    v.put("kafka.sasl.secrets.watcher", "kafka-watcher");
    assertThatThrownBy(() -> render(v))
        .hasMessageContaining("kafka.sasl.secrets.engine is required with kafka.sasl.mechanism");
  }

  @Test
  void shouldTurnSchemaAutoRegistrationOffSinceRolesRegisterAtStart() throws IOException {
    ConfigMap cm = one(render(Map.of()), ConfigMap.class, "prod-gpuward");
    Properties p = new Properties();
    p.load(new StringReader(cm.getData().get("gpuward.properties")));
    assertThat(new GpuwardConfig(p).autoRegister()).isFalse();
  }
}
