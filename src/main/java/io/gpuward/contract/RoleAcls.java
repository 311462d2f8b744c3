package io.gpuward.contract;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each {@link KafkaRole} may do on Kafka, written down once: the topics it reads and writes
 * (catalog ids of {@code streams/topics.yaml}), its consumer groups, transactional ids and internal
 * topics. The shipped {@code deploy/kafka/} script, the chart's Strimzi users and the tests' broker
 * all take their ACLs from here. Nothing grants CREATE on a contract topic: the topics are created
 * once by an administrator, and a role that finds them missing fails instead of creating them with
 * its own guesses.
 */
public final class RoleAcls {

  /** Prefix of the consumer groups of operators' tools. */
  public static final String OPERATOR_GROUP_PREFIX = "gpuward-ops-";

  /** Prefix of the consumer groups Kafka Connect gives the gpuward sink connectors. */
  public static final String SINK_CONNECTOR_GROUP_PREFIX = "connect-gpuward-sink-";

  /**
   * What a shadow remediator's group id adds to {@code remediation.group.id}: its verdict group,
   * its state group and its transactional id are the live ones' with this inserted, so the two
   * never share offsets and neither fences the other.
   */
  public static final String SHADOW_GROUP_SUFFIX = "-shadow";

  private static final List<String> TELEMETRY = List.of("gpu", "xid", "kubeEvents", "inventory");

  /**
   * What a node's own exporter writes: not inventory. Every exporter holds the same credential, so
   * a compromised node could otherwise rewrite any node's node group or zone and release the
   * engine's fleet holds; inventory comes from the watcher, which reads the control plane and the
   * cloud.
   */
  private static final List<String> NODE_TELEMETRY = List.of("gpu", "xid", "kubeEvents");

  /** The engine's inputs the remediator does not read: it only asks for their ends. */
  private static final List<String> ENGINE_ONLY_INPUTS = List.of("gpu", "xid", "kubeEvents");

  private static final Map<KafkaRole, List<String>> WRITES = new EnumMap<>(KafkaRole.class);
  private static final Map<KafkaRole, List<String>> READS = new EnumMap<>(KafkaRole.class);

  static {
    WRITES.put(KafkaRole.EXPORTER, NODE_TELEMETRY);
    WRITES.put(KafkaRole.SIMULATOR, TELEMETRY);
    WRITES.put(KafkaRole.ENGINE, List.of("verdicts", "health", "incidents", "rollup", "dlq"));
    // The remediator dead-letters control and inventory records it cannot use. Its shadow
    // (remediate --shadow, same principal) writes only the shadow audit.
    WRITES.put(KafkaRole.REMEDIATOR, List.of("audit", "dlq", "auditShadow"));
    WRITES.put(KafkaRole.CONNECT, List.of());
    WRITES.put(KafkaRole.OPERATORS, List.of("control"));
    WRITES.put(KafkaRole.WATCHER, List.of("inventory", "kubeEvents"));

    READS.put(KafkaRole.EXPORTER, List.of());
    READS.put(KafkaRole.SIMULATOR, List.of());
    // incidents: the engine's own output, read back into a global store for fleet holds.
    READS.put(KafkaRole.ENGINE, List.of("gpu", "xid", "kubeEvents", "inventory", "incidents"));
    // audit: the ledger is rebuilt from it at start (a shadow's from the shadow audit);
    // incidents: a disruptive step checks the holds itself once the engine correlated.
    READS.put(
        KafkaRole.REMEDIATOR,
        List.of("verdicts", "audit", "control", "inventory", "auditShadow", "incidents"));
    // The topics of connectors/sink-*.json.
    READS.put(KafkaRole.CONNECT, List.of("verdicts", "health", "incidents", "audit", "rollup"));
    READS.put(KafkaRole.OPERATORS, null); // every topic of the catalog
    READS.put(KafkaRole.WATCHER, List.of());
  }

  private RoleAcls() {}

  /**
   * The names the grants depend on, as the roles are configured.
   *
   * @param catalog the topic catalog with the deployment's prefix applied
   * @param engineApplicationId {@code engine.application.id}: the engine's and rollup's group,
   *     transactional ids and internal topics all start with it
   * @param remediatorGroupId {@code remediation.group.id}
   * @param connectGroupId the Connect worker's {@code group.id}; its config, offset and status
   *     topics start with it and a dash
   * @param sinkDlqTopic the sink connectors' dead-letter topic (prefix applied)
   */
  public record Names(
      TopicCatalog catalog,
      String engineApplicationId,
      String remediatorGroupId,
      String connectGroupId,
      String sinkDlqTopic) {
    public Names {
      Objects.requireNonNull(catalog, "catalog");
      Objects.requireNonNull(engineApplicationId, "engineApplicationId");
      Objects.requireNonNull(remediatorGroupId, "remediatorGroupId");
      Objects.requireNonNull(connectGroupId, "connectGroupId");
      Objects.requireNonNull(sinkDlqTopic, "sinkDlqTopic");
    }
  }

  /**
   * One permission: operations allowed on a resource pattern.
   *
   * @param resource topic, group or transactional id
   * @param name the resource name, or its prefix when {@code pattern} is PREFIXED
   * @param pattern LITERAL or PREFIXED
   * @param operations what is allowed
   */
  public record Grant(
      ResourceType resource, String name, PatternType pattern, List<AclOperation> operations) {
    public Grant {
      operations = List.copyOf(operations);
    }

    /** This grant as Kafka ACL bindings for {@code principal}, from any host. */
    public List<AclBinding> bindings(String principal) {
      ResourcePattern where = new ResourcePattern(resource, name, pattern);
      return operations.stream()
          .map(
              op ->
                  new AclBinding(
                      where, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)))
          .toList();
    }
  }

  /** Catalog ids of the topics {@code role} writes. */
  public static List<String> writes(KafkaRole role) {
    return WRITES.get(role);
  }

  /** Catalog ids of the topics {@code role} reads. */
  public static List<String> reads(KafkaRole role, TopicCatalog catalog) {
    List<String> ids = READS.get(role);
    return ids != null ? ids : catalog.all().stream().map(TopicSpec::id).toList();
  }

  /**
   * Catalog ids whose value schemas {@code role} registers at start: the topics it writes, and for
   * the remediator the control topic too, whose writers (operators' tools) do not register.
   */
  public static List<String> registers(KafkaRole role) {
    if (role != KafkaRole.REMEDIATOR) {
      return writes(role);
    }
    List<String> out = new ArrayList<>(writes(role));
    out.add("control");
    return out;
  }

  /** Every grant of {@code role}. */
  public static List<Grant> grants(KafkaRole role, Names names) {
    // One grant per topic, so a topic read and written (the engine's incidents) is listed once.
    Map<String, Set<AclOperation>> topics = new LinkedHashMap<>();
    for (String id : reads(role, names.catalog())) {
      topics.computeIfAbsent(names.catalog().spec(id).name(), n -> new LinkedHashSet<>()).add(READ);
    }
    for (String id : writes(role)) {
      topics
          .computeIfAbsent(names.catalog().spec(id).name(), n -> new LinkedHashSet<>())
          .add(WRITE);
    }
    List<Grant> out = new ArrayList<>();
    topics.forEach(
        (name, ops) -> {
          ops.add(DESCRIBE);
          out.add(new Grant(TOPIC, name, LITERAL, List.copyOf(ops)));
        });
    out.addAll(ownResources(role, names));
    return out;
  }

  /** Every grant of {@code role} as ACL bindings for {@code principal}. */
  public static List<AclBinding> bindings(KafkaRole role, String principal, Names names) {
    return grants(role, names).stream().flatMap(g -> g.bindings(principal).stream()).toList();
  }

  private static List<Grant> ownResources(KafkaRole role, Names n) {
    String app = n.engineApplicationId();
    String group = n.remediatorGroupId();
    return switch (role) {
      case EXPORTER, SIMULATOR, WATCHER -> List.of();
      // Streams: changelog and repartition topics (created by the app, repartition records
      // purged with DeleteRecords), the group and EOS-v2 transactional ids, all named after the
      // application id; the rollup's id extends the engine's, so one prefix covers both.
      case ENGINE ->
          List.of(
              new Grant(
                  TOPIC,
                  app,
                  PREFIXED,
                  List.of(CREATE, READ, WRITE, DELETE, DESCRIBE, DESCRIBE_CONFIGS)),
              new Grant(GROUP, app, PREFIXED, List.of(READ, DESCRIBE)),
              new Grant(TRANSACTIONAL_ID, app, PREFIXED, List.of(WRITE, DESCRIBE)));
      // The verdict consumer's group, and "<group>-state" where the control and inventory
      // reader commits its progress inside the audit transactions; the same for the shadow.
      case REMEDIATOR -> remediatorResources(n, group, group + SHADOW_GROUP_SUFFIX);
      case CONNECT ->
          List.of(
              new Grant(TOPIC, n.sinkDlqTopic(), LITERAL, List.of(CREATE, WRITE, DESCRIBE)),
              new Grant(GROUP, SINK_CONNECTOR_GROUP_PREFIX, PREFIXED, List.of(READ, DESCRIBE)),
              new Grant(GROUP, n.connectGroupId(), LITERAL, List.of(READ, DESCRIBE)),
              new Grant(
                  TOPIC,
                  n.connectGroupId() + "-",
                  PREFIXED,
                  List.of(CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS)));
      // Lag of the engine and the remediator (and its shadow), and groups of their own for reading.
      case OPERATORS ->
          List.of(
              new Grant(GROUP, OPERATOR_GROUP_PREFIX, PREFIXED, List.of(READ, DESCRIBE)),
              new Grant(GROUP, app, PREFIXED, List.of(DESCRIBE)),
              new Grant(GROUP, group, LITERAL, List.of(DESCRIBE)),
              new Grant(GROUP, group + SHADOW_GROUP_SUFFIX, LITERAL, List.of(DESCRIBE)));
    };
  }

  /**
   * The remediator's groups and transactional ids; and what it needs to see how far the engine got
   * (EngineProgressBarrier): the engine group's committed offsets, which the broker reports only
   * for topics the reader may describe (the engine's inputs and its repartition topics), and those
   * topics' ends.
   */
  private static List<Grant> remediatorResources(Names n, String... groups) {
    String app = n.engineApplicationId();
    List<Grant> out = new ArrayList<>();
    out.add(new Grant(GROUP, app, LITERAL, List.of(DESCRIBE)));
    out.add(new Grant(TOPIC, app + "-", PREFIXED, List.of(DESCRIBE)));
    for (String id : ENGINE_ONLY_INPUTS) {
      out.add(new Grant(TOPIC, n.catalog().spec(id).name(), LITERAL, List.of(DESCRIBE)));
    }
    for (String g : groups) {
      out.add(new Grant(GROUP, g, LITERAL, List.of(READ, DESCRIBE)));
      out.add(new Grant(GROUP, g + "-state", LITERAL, List.of(READ, DESCRIBE)));
      out.add(new Grant(TRANSACTIONAL_ID, g + "-audit", LITERAL, List.of(WRITE, DESCRIBE)));
    }
    return out;
  }
}
