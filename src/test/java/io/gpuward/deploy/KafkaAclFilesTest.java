package io.gpuward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.RoleAcls;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.sink.SinkTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped ACLs are {@link RoleAcls}, nothing else: the files match what {@link KafkaAclFiles}
 * renders, the script, when run, grants exactly the bindings of the data, and so do the chart's
 * Strimzi KafkaUsers. With {@code -Dgpuward.regenerate=true} the files are rewritten instead.
 */
class KafkaAclFilesTest {
  static final String PREFIX = "staging.";

  @TempDir Path dir;

  static RoleAcls.Names names(String prefix, String app, String group, String connect) {
    return new RoleAcls.Names(
        TopicCatalog.load(prefix), app, group, connect, prefix + SinkTables.DLQ_TOPIC);
  }

  @Test
  void shouldShipTheAclFilesRenderedFromRoleAcls() throws IOException {
    Map<Path, String> files =
        Map.of(
            KafkaAclFiles.SCRIPT, KafkaAclFiles.script(),
            KafkaAclFiles.CHART_ACLS, KafkaAclFiles.chartAcls());
    if (Boolean.getBoolean("gpuward.regenerate")) {
      for (var f : files.entrySet()) {
        Files.createDirectories(f.getKey().getParent());
        Files.writeString(f.getKey(), f.getValue());
      }
      KafkaAclFiles.SCRIPT.toFile().setExecutable(true);
    }
    for (var f : files.entrySet()) {
      assertThat(Files.readString(f.getKey()))
          .as(f.getKey() + " is stale: regenerate it (see its first lines)")
          .isEqualTo(f.getValue());
    }
  }

  @Test
  void shouldGrantExactlyTheBindingsOfRoleAclsWhenTheScriptRuns() throws Exception {
    Path stub = dir.resolve("kafka-acls.sh");
    Files.writeString(
        stub, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\necho ---\n");
    Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));
    ProcessBuilder pb =
        new ProcessBuilder("bash", KafkaAclFiles.SCRIPT.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile());
    pb.environment()
        .putAll(
            Map.of(
                "KAFKA_ACLS",
                stub.toString(),
                "BOOTSTRAP",
                "broker:9092",
                "TOPIC_PREFIX",
                PREFIX,
                "ENGINE_PRINCIPAL",
                "User:engine-of-staging"));
    Process run = pb.start();
    assertThat(run.waitFor()).as(Files.readString(dir.resolve("out.txt"))).isZero();

    Set<AclBinding> expected = new HashSet<>();
    var n = names(PREFIX, "gpuward-engine", "gpuward-remediator", "gpuward-connect");
    for (KafkaRole role : KafkaRole.values()) {
      String principal =
          role == KafkaRole.ENGINE ? "User:engine-of-staging" : role.defaultPrincipal();
      expected.addAll(RoleAcls.bindings(role, principal, n));
    }
    assertThat(parse(Files.readAllLines(dir.resolve("out.txt"))))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void shouldGiveConnectTheTopicsOfTheShippedSinkConnectors() throws IOException {
    Set<String> topics = new TreeSet<>();
    String dlq = null;
    try (Stream<Path> files = Files.list(Path.of("connectors"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("sink-")).toList()) {
        JsonNode config = new ObjectMapper().readTree(f.toFile()).path("config");
        topics.add(config.path("topics").asText());
        dlq = config.path("errors.deadletterqueue.topic.name").asText();
      }
    }
    TopicCatalog catalog = TopicCatalog.load("");
    assertThat(
            RoleAcls.reads(KafkaRole.CONNECT, catalog).stream()
                .map(id -> catalog.spec(id).name())
                .toList())
        .containsExactlyInAnyOrderElementsOf(topics);
    assertThat(dlq).isEqualTo(SinkTables.DLQ_TOPIC);
  }

  @Test
  void shouldRenderOneStrimziUserPerRoleWithTheAclsOfRoleAcls() {
    List<HasMetadata> objects =
        HelmChartRenderTest.render(
            Map.of(
                "kafka.acls.strimzi.enabled", "true",
                "kafka.acls.strimzi.cluster", "fleet",
                "kafka.topicPrefix", PREFIX,
                "engine.applicationId", "engine-a",
                "settings.remediation\\.group\\.id", "remediator-a"));
    var n = names(PREFIX, "engine-a", "remediator-a", "gpuward-connect");
    for (KafkaRole role : KafkaRole.values()) {
      GenericKubernetesResource user =
          HelmChartRenderTest.one(
              objects, GenericKubernetesResource.class, "prod-gpuward-" + role.id());
      assertThat(user.getKind()).isEqualTo("KafkaUser");
      assertThat(user.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "fleet");
      String principal = "User:" + user.getMetadata().getName();
      assertThat(strimziBindings(user, principal))
          .as(role.id())
          .containsExactlyInAnyOrderElementsOf(RoleAcls.bindings(role, principal, n));
    }
  }

  /** The bindings of a KafkaUser's {@code spec.authorization.acls}. */
  static List<AclBinding> strimziBindings(GenericKubernetesResource user, String principal) {
    JsonNode acls =
        new ObjectMapper()
            .valueToTree(user.getAdditionalProperties().get("spec"))
            .path("authorization")
            .path("acls");
    List<AclBinding> out = new ArrayList<>();
    for (JsonNode acl : acls) {
      JsonNode r = acl.path("resource");
      ResourceType type =
          r.path("type").asText().equals("transactionalId")
              ? ResourceType.TRANSACTIONAL_ID
              : ResourceType.fromString(r.path("type").asText());
      PatternType pattern =
          r.path("patternType").asText().equals("prefix")
              ? PatternType.PREFIXED
              : PatternType.LITERAL;
      for (JsonNode op : acl.path("operations")) {
        out.add(binding(type, r.path("name").asText(), pattern, op.asText(), principal));
      }
    }
    return out;
  }

  /** The bindings of the stub's output: each call's arguments, one a line, then {@code ---}. */
  static List<AclBinding> parse(List<String> lines) {
    List<AclBinding> out = new ArrayList<>();
    List<String> call = new ArrayList<>();
    for (String line : lines) {
      if (!line.equals("---")) {
        call.add(line);
        continue;
      }
      String principal = null;
      String name = null;
      ResourceType type = null;
      PatternType pattern = PatternType.LITERAL;
      List<String> ops = new ArrayList<>();
      for (int i = 0; i < call.size() - 1; i++) {
        String next = call.get(i + 1);
        switch (call.get(i)) {
          case "--allow-principal" -> principal = next;
          case "--operation" -> ops.add(next);
          case "--topic" -> {
            type = ResourceType.TOPIC;
            name = next;
          }
          case "--group" -> {
            type = ResourceType.GROUP;
            name = next;
          }
          case "--transactional-id" -> {
            type = ResourceType.TRANSACTIONAL_ID;
            name = next;
          }
          case "--resource-pattern-type" ->
              pattern = PatternType.fromString(next.toUpperCase(Locale.ROOT));
          default -> {}
        }
      }
      assertThat(call).contains("--add", "--bootstrap-server", "broker:9092");
      for (String op : ops) {
        out.add(binding(type, name, pattern, op, principal));
      }
      call.clear();
    }
    return out;
  }

  static AclBinding binding(
      ResourceType type, String name, PatternType pattern, String camelOp, String principal) {
    AclOperation op = AclOperation.fromString(camelOp.replaceAll("([a-z])([A-Z])", "$1_$2"));
    assertThat(op).as(camelOp).isNotEqualTo(AclOperation.UNKNOWN);
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
