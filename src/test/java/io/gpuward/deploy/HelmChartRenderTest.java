package io.gpuward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gpuward.config.GpuwardConfig;
import io.gpuward.remediation.RemediationPolicy;
import io.gpuward.testing.Promtool;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders {@code deploy/helm/gpuward} with Helm's own template engine (helm-java, JNI; no helm
 * binary), parses the output into fabric8's typed objects and checks what matters: kinds,
 * selectors, security contexts, RBAC (identical to {@code deploy/rbac}), dry run by default, IRSA,
 * probes on /healthz, ports, TLS/SASL secrets as file references, and the alert rules.
 */
class HelmChartRenderTest {
  static final Path CHART = Path.of("deploy", "helm", "gpuward");
  static final String NS = "gpuward";

  @TempDir Path dir;

  static List<HasMetadata> render(Map<String, String> values) {
    TemplateCommand t = new Helm(CHART).template().withName("prod").withNamespace(NS);
    values.forEach(t::set);
    return parse(t.call());
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
        continue;
      }
      Object parsed = Serialization.unmarshal(doc);
      if (parsed instanceof KubernetesList l) {
        out.addAll(l.getItems());
      } else {
        out.add((HasMetadata) parsed);
      }
    }
    return out;
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found =
        all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
    assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
    return found.get(0);
  }

  static Map<String, String> liveTls() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("remediator.live", "true");
    v.put("remediator.aws.region", "us-west-2");
    v.put("remediator.aws.roleArn", "arn:aws:iam::123456789012:role/gpuward-remediator");
    v.put("kafka.bootstrapServers", "b-1.msk.example:9096");
    v.put("kafka.securityProtocol", "SASL_SSL");
    v.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
    v.put("kafka.sasl.existingSecret", "gpuward-kafka-sasl");
    v.put("kafka.tls.existingSecret", "gpuward-kafka-tls");
    v.put("kafka.tls.mutual", "true");
    v.put("exporter.kmsg.dmesgRestrict", "false");
    v.put("schemaRegistry.url", "https://registry.example:8081");
    v.put("schemaRegistry.basicAuthSecret", "gpuward-registry-auth");
    v.put("schemaRegistry.tlsSecret", "gpuward-registry-tls");
    v.put("metrics.serviceMonitor.enabled", "true");
    v.put("metrics.prometheusRule.enabled", "true");
    return v;
  }

  @Test
  void shouldLintCleanly() {
    var lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @Test
  void shouldRenderTheThreeRolesWithLeastPrivilegeByDefault() throws Exception {
    List<HasMetadata> objects = render(Map.of());
    assertThat(objects.stream().map(HasMetadata::getKind).distinct())
        .containsExactlyInAnyOrder(
            "ConfigMap",
            "DaemonSet",
            "StatefulSet",
            "Deployment",
            "Service",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding");

    // exporter: GPU nodes only, kmsg through a device plugin, no privileged, only CAP_SYSLOG
    DaemonSet ds = one(objects, DaemonSet.class, "prod-gpuward-exporter");
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());
    assertThat(ds.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/component", "exporter");
    PodSpec exporterPod = ds.getSpec().getTemplate().getSpec();
    assertThat(exporterPod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
    assertThat(exporterPod.getTolerations())
        .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    assertThat(exporterPod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(exporterPod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(exporterPod.getVolumes()).noneMatch(v -> v.getHostPath() != null);
    Container exporter = exporterPod.getContainers().get(0);
    SecurityContext sc = exporter.getSecurityContext();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd())
        .as("dmesg_restrict=1 needs CAP_SYSLOG only")
        .containsExactly("SYSLOG");
    assertThat(sc.getRunAsUser()).as("CAP_SYSLOG is effective for uid 0 only").isZero();
    assertThat(exporter.getResources().getLimits())
        .containsEntry("smarter-devices/kmsg", new Quantity("1"));
    assertThat(exporter.getArgs())
        .contains("exporter", "--kmsg=/dev/kmsg", "--metrics-port=9303", "--kube=on");
    assertThat(exporter.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("NODE_NAME");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
            });
    assertMetricsPortAndProbes(exporter, 9303);
    assertThat(exporterPod.getServiceAccountName()).isEqualTo("prod-gpuward-exporter");

    // engine: StatefulSet, state stores on a PVC, no API token, non-root
    StatefulSet sts = one(objects, StatefulSet.class, "prod-gpuward-engine");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
    assertThat(sts.getSpec().getServiceName()).isEqualTo("prod-gpuward-engine");
    assertThat(sts.getSpec().getVolumeClaimTemplates())
        .singleElement()
        .satisfies(
            pvc -> {
              assertThat(pvc.getMetadata().getName()).isEqualTo("state");
              assertThat(pvc.getSpec().getResources().getRequests())
                  .containsEntry("storage", new Quantity("10Gi"));
            });
    PodSpec enginePod = sts.getSpec().getTemplate().getSpec();
    assertThat(enginePod.getAutomountServiceAccountToken()).isFalse();
    Container engine = enginePod.getContainers().get(0);
    assertThat(engine.getArgs()).contains("streams", "--state-dir=/var/lib/gpuward/streams");
    assertThat(engine.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("state");
              assertThat(m.getMountPath()).isEqualTo("/var/lib/gpuward/streams");
            });
    assertNonRoot(engine.getSecurityContext());
    assertMetricsPortAndProbes(engine, 9301);

    // remediator: dry run unless asked, no IRSA annotation without a role
    Deployment dep = one(objects, Deployment.class, "prod-gpuward-remediator");
    assertThat(dep.getSpec().getReplicas()).isEqualTo(1);
    assertThat(dep.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(dep.getSpec().getSelector().getMatchLabels());
    Container remediator = dep.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(remediator.getArgs())
        .contains("remediate", "--actuator=eks")
        .doesNotContain("--live");
    assertNonRoot(remediator.getSecurityContext());
    assertMetricsPortAndProbes(remediator, 9302);
    assertThat(
            one(objects, ServiceAccount.class, "prod-gpuward-remediator")
                .getMetadata()
                .getAnnotations())
        .isNullOrEmpty();

    // every resource request and memory limit set
    for (Container c : List.of(exporter, engine, remediator)) {
      assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).containsKey("memory");
      assertThat(c.getImage()).isEqualTo("ghcr.io/gpuward/gpuward:0.1.0");
    }

    Properties props = properties(objects);
    assertThat(props.getProperty("kafka.security.protocol")).isEqualTo("PLAINTEXT");
    assertThat(props.stringPropertyNames()).noneMatch(k -> k.startsWith("kafka.sasl"));
    assertThat(new GpuwardConfig(props).bootstrapServers())
        .isEqualTo("kafka-bootstrap.kafka.svc:9092");
  }

  /** The objects of {@code deploy/rbac/<role>.yaml}, the reviewed least-privilege RBAC. */
  private static List<HasMetadata> reviewed(String role) throws Exception {
    Object reviewed =
        Serialization.unmarshal(Files.readString(Path.of("deploy", "rbac", role + ".yaml")));
    List<HasMetadata> out = new ArrayList<>();
    if (reviewed instanceof KubernetesList l) {
      out.addAll(l.getItems());
    } else if (reviewed instanceof List<?> l) {
      l.forEach(o -> out.add((HasMetadata) o));
    } else {
      out.add((HasMetadata) reviewed);
    }
    return out;
  }

  @Test
  void shouldRenderAPolicyFromValuesThatTheRemediatorLoads() throws Exception {
    String builtIn;
    try (var in = RemediationPolicy.class.getResourceAsStream(RemediationPolicy.RESOURCE)) {
      builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String tighter = builtIn.replaceFirst("(?m)^version:.*$", "version: site-7");
    Path values = dir.resolve("values.yaml");
    Files.writeString(
        values, "remediator:\n  policy: |\n" + tighter.replaceAll("(?m)^", "    ") + "\n");
    List<HasMetadata> objects =
        parse(
            new Helm(CHART)
                .template()
                .withName("prod")
                .withNamespace(NS)
                .withValuesFile(values)
                .call());
    ConfigMap cm = one(objects, ConfigMap.class, "prod-gpuward");
    Path rendered = dir.resolve("remediation.yaml");
    Files.writeString(rendered, cm.getData().get("remediation.yaml"));
    assertThat(RemediationPolicy.load(rendered).version()).isEqualTo("site-7");
    assertThat(
            one(objects, Deployment.class, "prod-gpuward-remediator")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .contains("--policy=/etc/gpuward/config/remediation.yaml");
    assertThat(
            one(render(Map.of()), Deployment.class, "prod-gpuward-remediator")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .noneMatch(a -> a.startsWith("--policy"));
  }

  @Test
  void shouldMakeTheEngineAndTheRemediatorStaticGroupMembersNamedAfterTheirPod() {
    List<HasMetadata> objects = render(Map.of());
    List<Container> containers =
        List.of(
            one(objects, StatefulSet.class, "prod-gpuward-engine")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0),
            one(objects, Deployment.class, "prod-gpuward-remediator")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0));
    for (Container c : containers) {
      assertThat(c.getArgs()).as(c.getName()).containsSubsequence("-D", "instance.id=$(POD_NAME)");
      assertThat(c.getEnv())
          .as(c.getName())
          .anySatisfy(
              e -> {
                assertThat(e.getName()).isEqualTo("POD_NAME");
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                    .isEqualTo("metadata.name");
              });
    }
  }

  @Test
  void shouldGrantExactlyTheRulesOfDeployRbac() throws Exception {
    List<HasMetadata> objects = render(Map.of());
    for (String role : List.of("exporter", "remediator", "watcher")) {
      List<HasMetadata> reviewedObjects = reviewed(role);
      ClusterRole expected = all(reviewedObjects, ClusterRole.class).get(0);
      ClusterRole rendered = one(objects, ClusterRole.class, "prod-gpuward-" + role);
      assertThat(rendered.getRules()).as(role).isEqualTo(expected.getRules());
      ClusterRoleBinding binding = one(objects, ClusterRoleBinding.class, "prod-gpuward-" + role);
      assertThat(binding.getRoleRef().getName()).isEqualTo("prod-gpuward-" + role);
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo("prod-gpuward-" + role);
                assertThat(s.getNamespace()).isEqualTo(NS);
              });
    }
    assertThat(all(objects, ClusterRole.class)).hasSize(3); // the engine gets none
    Role lease = one(objects, Role.class, "prod-gpuward-watcher-lease");
    assertThat(lease.getRules()).isEqualTo(all(reviewed("watcher"), Role.class).get(0).getRules());
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NS);
    Deployment watcher = one(objects, Deployment.class, "prod-gpuward-watcher");
    assertThat(watcher.getSpec().getReplicas()).isEqualTo(2);
    assertThat(watcher.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("watch", "--cloud=none");
    Role events = one(objects, Role.class, "prod-gpuward-remediator-events");
    Role reviewedEvents = one(reviewed("remediator"), Role.class, "gpuward-remediator-events");
    assertThat(events.getRules()).isEqualTo(reviewedEvents.getRules());
    assertThat(events.getMetadata().getNamespace())
        .isEqualTo(reviewedEvents.getMetadata().getNamespace());
    RoleBinding eventsBinding = one(objects, RoleBinding.class, "prod-gpuward-remediator-events");
    assertThat(eventsBinding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("prod-gpuward-remediator"));
    Role jobs = one(objects, Role.class, "prod-gpuward-remediator-reset-jobs");
    Role reviewedJobs = one(reviewed("remediator"), Role.class, "gpuward-remediator-reset-jobs");
    assertThat(jobs.getRules()).isEqualTo(reviewedJobs.getRules());
    assertThat(jobs.getMetadata().getNamespace()).isEqualTo(NS);
    RoleBinding jobsBinding = one(objects, RoleBinding.class, "prod-gpuward-remediator-reset-jobs");
    assertThat(jobsBinding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("prod-gpuward-remediator"));
    assertThat(
            one(objects, Deployment.class, "prod-gpuward-remediator")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getArgs())
        .as("the Jobs go where the Role lets them")
        .contains(
            "remediation.reset.job.namespace=" + NS,
            "remediation.dra.driver=gpu.nvidia.com",
            "remediation.dra.taint.rule.api.version=resource.k8s.io/v1beta2");
  }

  @Test
  void shouldRunAWarmStandbyRemediatorOnALeaseOnlyWhenAskedForTwoReplicas() throws Exception {
    Deployment single = one(render(Map.of()), Deployment.class, "prod-gpuward-remediator");
    assertThat(single.getSpec().getReplicas()).isEqualTo(1);
    assertThat(single.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(single.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .noneMatch(a -> a.startsWith("remediation.lease."));
    assertThat(all(render(Map.of()), Role.class))
        .noneMatch(r -> r.getMetadata().getName().equals("prod-gpuward-remediator-lease"));

    List<HasMetadata> objects = render(Map.of("remediator.replicas", "2"));
    Deployment pair = one(objects, Deployment.class, "prod-gpuward-remediator");
    assertThat(pair.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pair.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    Container c = pair.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getArgs())
        .contains(
            "remediation.lease.name=prod-gpuward-remediator",
            "remediation.lease.duration.ms=15000");
    assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("POD_NAMESPACE"));
    Role lease = one(objects, Role.class, "prod-gpuward-remediator-lease");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(lease.getRules())
        .isEqualTo(one(reviewed("remediator"), Role.class, "gpuward-remediator-lease").getRules());
    RoleBinding binding = one(objects, RoleBinding.class, "prod-gpuward-remediator-lease");
    assertThat(binding.getRoleRef().getName()).isEqualTo("prod-gpuward-remediator-lease");
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("prod-gpuward-remediator"));
  }

  @Test
  void shouldGoLiveWithIrsaAndReadKafkaSecretsFromMountedFiles() throws Exception {
    List<HasMetadata> objects = render(liveTls());

    Deployment dep = one(objects, Deployment.class, "prod-gpuward-remediator");
    Container remediator = dep.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(remediator.getArgs()).contains("--live", "--aws-region=us-west-2");
    assertThat(
            one(objects, ServiceAccount.class, "prod-gpuward-remediator")
                .getMetadata()
                .getAnnotations())
        .containsEntry(
            "eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/gpuward-remediator");

    // secrets: mounted read-only in every role, referenced by path in the config, never inline
    for (PodSpec pod :
        List.of(
            dep.getSpec().getTemplate().getSpec(),
            one(objects, StatefulSet.class, "prod-gpuward-engine")
                .getSpec()
                .getTemplate()
                .getSpec(),
            one(objects, DaemonSet.class, "prod-gpuward-exporter")
                .getSpec()
                .getTemplate()
                .getSpec())) {
      Map<String, String> secretVolumes =
          pod.getVolumes().stream()
              .filter(v -> v.getSecret() != null)
              .collect(Collectors.toMap(Volume::getName, v -> v.getSecret().getSecretName()));
      assertThat(secretVolumes)
          .containsEntry("kafka-sasl", "gpuward-kafka-sasl")
          .containsEntry("kafka-tls", "gpuward-kafka-tls")
          .containsEntry("registry-auth", "gpuward-registry-auth")
          .containsEntry("registry-tls", "gpuward-registry-tls");
      assertThat(pod.getContainers().get(0).getVolumeMounts())
          .filteredOn(m -> m.getName().startsWith("kafka-") || m.getName().startsWith("registry-"))
          .hasSize(4)
          .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue());
      assertThat(pod.getContainers().get(0).getEnv())
          .noneMatch(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null);
    }

    Properties props = properties(objects);
    assertThat(props.getProperty("kafka.security.protocol")).isEqualTo("SASL_SSL");
    assertThat(props.getProperty("kafka.sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
    assertThat(props.getProperty("kafka.sasl.jaas.config"))
        .isEqualTo("${dir:/etc/gpuward/secrets/kafka-sasl:sasl.jaas.config}");
    assertThat(props.getProperty("kafka.ssl.keystore.location"))
        .isEqualTo("/etc/gpuward/secrets/kafka-tls/keystore.p12");

    // the rendered config, with the Secrets' files where the pod would mount them, gives every
    // Kafka client the secret values (DirectoryConfigProvider), and they never sit in the ConfigMap
    Path sasl = Files.createDirectories(dir.resolve("kafka-sasl"));
    Path tls = Files.createDirectories(dir.resolve("kafka-tls"));
    String jaas =
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"gw\""
            + " password=\"s3cret\";";
    Files.writeString(sasl.resolve("sasl.jaas.config"), jaas);
    Files.writeString(tls.resolve("truststore.password"), "trust-pw");
    Files.writeString(tls.resolve("keystore.password"), "key-pw");
    Files.writeString(tls.resolve("key.password"), "key-pw2");
    Path registryAuth = Files.createDirectories(dir.resolve("registry-auth"));
    Files.writeString(registryAuth.resolve("user.info"), "gw:reg-pw");
    Properties local = new Properties();
    props.forEach(
        (k, v) -> local.put(k, v.toString().replace("/etc/gpuward/secrets", dir.toString())));
    GpuwardConfig resolved = new GpuwardConfig(local);
    assertThat(resolved.registryBasicAuth()).isEqualTo("gw:reg-pw");
    assertThat(resolved.registryTruststore()).endsWith("registry-tls/truststore.p12");
    Map<String, Object> client = resolved.kafkaClientProps();
    assertThat(client)
        .containsEntry("sasl.jaas.config", jaas)
        .containsEntry("ssl.truststore.password", "trust-pw")
        .containsEntry("ssl.keystore.password", "key-pw")
        .containsEntry("ssl.key.password", "key-pw2")
        .containsEntry("bootstrap.servers", "b-1.msk.example:9096");
    String configMapText = one(objects, ConfigMap.class, "prod-gpuward").getData().toString();
    assertThat(configMapText).doesNotContain("s3cret", "trust-pw");

    // exporter on a node with dmesg_restrict=0: non-root, no capabilities at all
    Container exporter =
        one(objects, DaemonSet.class, "prod-gpuward-exporter")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertNonRoot(exporter.getSecurityContext());
  }

  @Test
  void shouldPassOauthbearerSettingsAndAllowTheTokenEndpoint() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("kafka.securityProtocol", "SASL_SSL");
    v.put("kafka.sasl.mechanism", "OAUTHBEARER");
    v.put("kafka.sasl.existingSecret", "oidc");
    v.put("kafka.tls.existingSecret", "tls");
    v.put("kafka.sasl.oauthbearer.tokenEndpointUrl", "https://idp.example/oauth2/token");
    List<HasMetadata> objects = render(v);
    Properties props = properties(objects);
    assertThat(props.getProperty("kafka.sasl.login.callback.handler.class"))
        .isEqualTo("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
    assertThat(props.getProperty("kafka.sasl.oauthbearer.token.endpoint.url"))
        .isEqualTo("https://idp.example/oauth2/token");
    Container engine =
        one(objects, StatefulSet.class, "prod-gpuward-engine")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(engine.getEnv())
        .anySatisfy(
            e ->
                assertThat(e.getValue())
                    .contains(
                        "-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls="
                            + "https://idp.example/oauth2/token"));
  }

  @Test
  void shouldSignInWithMskIamWithoutAnySecret() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("kafka.securityProtocol", "SASL_SSL");
    v.put("kafka.sasl.mechanism", "AWS_MSK_IAM");
    v.put("kafka.tls.useJvmTrustStore", "true");
    List<HasMetadata> objects = render(v);
    Properties props = properties(objects);
    assertThat(props.getProperty("kafka.sasl.mechanism")).isEqualTo("AWS_MSK_IAM");
    assertThat(props.getProperty("kafka.sasl.jaas.config"))
        .isEqualTo("software.amazon.msk.auth.iam.IAMLoginModule required;");
    assertThat(props.getProperty("kafka.sasl.client.callback.handler.class"))
        .isEqualTo("software.amazon.msk.auth.iam.IAMClientCallbackHandler");
    assertThat(props.stringPropertyNames()).noneMatch(k -> k.startsWith("kafka.ssl.truststore"));
    PodSpec engine =
        one(objects, StatefulSet.class, "prod-gpuward-engine").getSpec().getTemplate().getSpec();
    assertThat(engine.getVolumes())
        .noneMatch(vol -> vol.getName().equals("kafka-sasl") || vol.getName().equals("kafka-tls"));
  }

  @Test
  void shouldUsePrivilegedOnlyWhenAskedForTheHostPathDevice() {
    List<HasMetadata> objects = render(Map.of("exporter.kmsg.deviceAccess", "privileged"));
    PodSpec pod =
        one(objects, DaemonSet.class, "prod-gpuward-exporter").getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(vol -> vol.getHostPath() != null)
        .singleElement()
        .satisfies(
            vol -> {
              assertThat(vol.getHostPath().getPath()).isEqualTo("/dev/kmsg");
              assertThat(vol.getHostPath().getType()).isEqualTo("CharDevice");
            });
    Container c = pod.getContainers().get(0);
    assertThat(c.getSecurityContext().getPrivileged()).isTrue();
    assertThat(c.getResources().getLimits()).doesNotContainKey("smarter-devices/kmsg");

    List<HasMetadata> off = render(Map.of("exporter.kmsg.enabled", "false"));
    Container noKmsg =
        one(off, DaemonSet.class, "prod-gpuward-exporter")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(noKmsg.getArgs()).contains("--kmsg=none");
    assertNonRoot(noKmsg.getSecurityContext());
  }

  @Test
  void shouldRenderServiceMonitorAndAlertRulesThatPromtoolAccepts() throws Exception {
    List<HasMetadata> objects = render(liveTls());
    List<GenericKubernetesResource> crs = all(objects, GenericKubernetesResource.class);
    assertThat(crs.stream().map(HasMetadata::getKind))
        .containsExactlyInAnyOrder("ServiceMonitor", "PrometheusRule");
    GenericKubernetesResource sm =
        crs.stream().filter(c -> c.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    List<Map<String, Object>> endpoints = sm.get("spec", "endpoints");
    assertThat(endpoints)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e).containsEntry("port", "metrics").containsEntry("path", "/metrics");
            });

    GenericKubernetesResource rule =
        crs.stream().filter(c -> c.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
    Map<String, Object> spec = rule.get("spec");
    List<Map<String, Object>> groups = (List<Map<String, Object>>) spec.get("groups");
    List<String> alerts =
        groups.stream()
            .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
            .map(r -> (String) r.get("alert"))
            .toList();
    assertThat(alerts)
        .containsExactlyInAnyOrder(
            "GpuwardEngineConsumerLag",
            "GpuwardDeadLetters",
            "GpuwardRemediatorLag",
            "GpuwardRemediatorObserveOnly",
            "GpuwardEscalation",
            "GpuwardFleetIncidentHold",
            "GpuwardRepairsWaitingForEngine",
            "GpuwardExporterSilent",
            "GpuwardExporterDown");

    Path rules = dir.resolve("rendered-rules.yaml");
    new ObjectMapper(new YAMLFactory()).writeValue(rules.toFile(), spec);
    var promtool = Promtool.find();
    if (promtool.isPresent()) {
      var check = Promtool.run(promtool.get(), null, "check", "rules", rules.toString());
      assertThat(check.exitCode()).as(check.output()).isZero();
      assertThat(check.output()).contains("SUCCESS: 9 rules found");
    }
  }

  private static void assertMetricsPortAndProbes(Container c, int port) {
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("metrics");
              assertThat(p.getContainerPort()).isEqualTo(port);
            });
    assertThat(c.getArgs()).contains("--metrics-port=" + port);
    for (Probe p : List.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
      assertThat(p.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    }
  }

  private static void assertNonRoot(SecurityContext sc) {
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getRunAsUser()).isEqualTo(10001L);
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
  }

  private static Properties properties(List<HasMetadata> objects) {
    ConfigMap cm = one(objects, ConfigMap.class, "prod-gpuward");
    Properties p = new Properties();
    try {
      p.load(new StringReader(cm.getData().get("gpuward.properties")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p;
  }
}
