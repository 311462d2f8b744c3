package io.gpuward.deploy;

import io.gpuward.contract.KafkaRole;
import io.gpuward.contract.RoleAcls;
import io.gpuward.contract.TopicCatalog;
import io.gpuward.sink.SinkTables;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Renders the shipped ACL files from {@link RoleAcls}: {@code deploy/kafka/acls.sh} (kafka-acls.sh
 * commands) and the Helm chart's {@code files/kafka-acls.yaml} (read by its Strimzi KafkaUser
 * template). Names that depend on the deployment are placeholders the script and the chart fill in.
 */
final class KafkaAclFiles {
  static final Path SCRIPT = Path.of("deploy", "kafka", "acls.sh");
  static final Path CHART_ACLS = Path.of("deploy", "helm", "gpuward", "files", "kafka-acls.yaml");

  static final String TOPIC_PREFIX = "${TOPIC_PREFIX}";
  static final String ENGINE_APPLICATION_ID = "${ENGINE_APPLICATION_ID}";
  static final String REMEDIATION_GROUP_ID = "${REMEDIATION_GROUP_ID}";
  static final String CONNECT_GROUP_ID = "${CONNECT_GROUP_ID}";

  private static final String GENERATED =
      "Generated from io.gpuward.contract.RoleAcls by KafkaAclFilesTest: do not edit. Regenerate"
          + " with\n#   mvn -o -q test -Dtest=KafkaAclFilesTest -Dgpuward.regenerate=true";

  private KafkaAclFiles() {}

  /** The grants' names with the deployment-dependent parts left as placeholders. */
  static RoleAcls.Names placeholders() {
    return new RoleAcls.Names(
        TopicCatalog.load(TOPIC_PREFIX),
        ENGINE_APPLICATION_ID,
        REMEDIATION_GROUP_ID,
        CONNECT_GROUP_ID,
        TOPIC_PREFIX + SinkTables.DLQ_TOPIC);
  }

  static String principalVariable(KafkaRole role) {
    return role.name() + "_PRINCIPAL";
  }

  static String script() {
    StringBuilder s = new StringBuilder();
    s.append("#!/usr/bin/env bash\n# ").append(GENERATED).append("\n#\n");
    s.append(
        """
        # Grants every gpuward role its Kafka ACLs with kafka-acls.sh, one principal per role. Run it
        # as a principal allowed to alter ACLs, after the topics exist:
        #   BOOTSTRAP=broker:9092 COMMAND_CONFIG=admin.properties deploy/kafka/acls.sh
        # Every name below can be changed through the environment; the defaults are gpuward's.
        set -euo pipefail
        : "${BOOTSTRAP:?set BOOTSTRAP to host:port of a broker}"
        KAFKA_ACLS="${KAFKA_ACLS:-kafka-acls.sh}"
        TOPIC_PREFIX="${TOPIC_PREFIX:-}"
        ENGINE_APPLICATION_ID="${ENGINE_APPLICATION_ID:-gpuward-engine}"
        REMEDIATION_GROUP_ID="${REMEDIATION_GROUP_ID:-gpuward-remediator}"
        CONNECT_GROUP_ID="${CONNECT_GROUP_ID:-gpuward-connect}"
        """);
    for (KafkaRole role : KafkaRole.values()) {
      String v = principalVariable(role);
      s.append(v).append("=\"${").append(v).append(":-").append(role.defaultPrincipal());
      s.append("}\"\n");
    }
    s.append(
        """

        acl() {
          "$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" ${COMMAND_CONFIG:+--command-config "$COMMAND_CONFIG"} --add "$@"
        }
        """);
    for (KafkaRole role : KafkaRole.values()) {
      s.append("\n# ").append(role.id()).append('\n');
      for (RoleAcls.Grant g : RoleAcls.grants(role, placeholders())) {
        s.append("acl --allow-principal \"$").append(principalVariable(role)).append('"');
        for (AclOperation op : g.operations()) {
          s.append(" --operation ").append(camel(op));
        }
        s.append(" --").append(option(g.resource())).append(" \"").append(g.name()).append('"');
        if (g.pattern() == PatternType.PREFIXED) {
          s.append(" --resource-pattern-type prefixed");
        }
        s.append('\n');
      }
    }
    return s.toString();
  }

  static String chartAcls() {
    StringBuilder s = new StringBuilder("# ").append(GENERATED).append('\n');
    s.append(
        """
        # The Kafka ACLs of each role, for the chart's Strimzi KafkaUsers (templates/kafka-users.yaml).
        """);
    for (KafkaRole role : KafkaRole.values()) {
      s.append(role.id()).append(":\n");
      for (RoleAcls.Grant g : RoleAcls.grants(role, placeholders())) {
        s.append("  - {type: ")
            .append(strimziType(g.resource()))
            .append(", name: \"")
            .append(g.name())
            .append("\", patternType: ")
            .append(g.pattern() == PatternType.PREFIXED ? "prefix" : "literal")
            .append(", operations: [")
            .append(
                g.operations().stream().map(KafkaAclFiles::camel).collect(Collectors.joining(", ")))
            .append("]}\n");
      }
    }
    return s.toString();
  }

  /** {@code DESCRIBE_CONFIGS} as kafka-acls.sh and Strimzi spell it: {@code DescribeConfigs}. */
  static String camel(AclOperation op) {
    return List.of(op.name().split("_")).stream()
        .map(w -> w.charAt(0) + w.substring(1).toLowerCase(Locale.ROOT))
        .collect(Collectors.joining());
  }

  private static String option(ResourceType type) {
    return type == ResourceType.TRANSACTIONAL_ID
        ? "transactional-id"
        : type.name().toLowerCase(Locale.ROOT);
  }

  static String strimziType(ResourceType type) {
    return type == ResourceType.TRANSACTIONAL_ID
        ? "transactionalId"
        : type.name().toLowerCase(Locale.ROOT);
  }
}
