package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class RoleAclsTest {
  static final TopicCatalog CATALOG = TopicCatalog.load("");
  static final RoleAcls.Names NAMES =
      new RoleAcls.Names(
          CATALOG,
          "gpuward-engine",
          "gpuward-remediator",
          "gpuward-connect",
          "gpuward.sink.dlq.v1");

  static List<KafkaRole> writersOf(String topicId) {
    return Arrays.stream(KafkaRole.values())
        .filter(r -> RoleAcls.writes(r).contains(topicId))
        .toList();
  }

  @Test
  void shouldLetOnlyTheEngineWriteVerdictsHealthAndIncidents() {
    for (String id : List.of("verdicts", "health", "incidents", "rollup")) {
      assertThat(writersOf(id)).as(id).containsExactly(KafkaRole.ENGINE);
    }
  }

  @Test
  void shouldLetOnlyOperatorsWriteControlAndOnlyTheRemediatorWriteAudit() {
    assertThat(writersOf("control")).containsExactly(KafkaRole.OPERATORS);
    assertThat(writersOf("audit")).containsExactly(KafkaRole.REMEDIATOR);
  }

  @Test
  void shouldLetTheExporterWriteOnlyItsNodesTelemetryAndReadNothing() {
    assertThat(RoleAcls.writes(KafkaRole.EXPORTER)).containsExactly("gpu", "xid", "kubeEvents");
    assertThat(RoleAcls.reads(KafkaRole.EXPORTER, CATALOG)).isEmpty();
    assertThat(RoleAcls.writes(KafkaRole.SIMULATOR))
        .containsExactly("gpu", "xid", "kubeEvents", "inventory");
    assertThat(RoleAcls.reads(KafkaRole.SIMULATOR, CATALOG)).isEmpty();
  }

  @Test
  void shouldLetOnlyTheWatcherWriteInventoryInProduction() {
    assertThat(writersOf("inventory"))
        .containsExactlyInAnyOrder(KafkaRole.WATCHER, KafkaRole.SIMULATOR);
    assertThat(RoleAcls.writes(KafkaRole.WATCHER)).containsExactly("inventory", "kubeEvents");
    assertThat(RoleAcls.reads(KafkaRole.WATCHER, CATALOG)).isEmpty();
    assertThat(RoleAcls.registers(KafkaRole.WATCHER)).containsExactly("inventory", "kubeEvents");
  }

  @Test
  void shouldGiveConnectNoWriteOnAnyContractTopic() {
    Set<String> names = Set.copyOf(CATALOG.all().stream().map(TopicSpec::name).toList());
    assertThat(RoleAcls.bindings(KafkaRole.CONNECT, "User:c", NAMES))
        .filteredOn(b -> names.contains(b.pattern().name()))
        .allSatisfy(
            b -> assertThat(b.entry().operation()).isIn(AclOperation.READ, AclOperation.DESCRIBE));
  }

  @Test
  void shouldGrantNoRoleCreateOrDeleteOnAContractTopicNorAnyClusterRight() {
    Set<String> names = Set.copyOf(CATALOG.all().stream().map(TopicSpec::name).toList());
    for (KafkaRole role : KafkaRole.values()) {
      for (AclBinding b : RoleAcls.bindings(role, role.defaultPrincipal(), NAMES)) {
        assertThat(b.pattern().resourceType()).isNotEqualTo(ResourceType.CLUSTER);
        assertThat(b.entry().operation()).isNotEqualTo(AclOperation.ALL);
        if (names.contains(b.pattern().name())) {
          assertThat(b.entry().operation())
              .as(role + " on " + b.pattern().name())
              .isIn(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
      }
    }
  }

  @Test
  void shouldCoverTheEnginesInternalTopicsGroupAndTransactionsWithItsApplicationId() {
    assertThat(RoleAcls.grants(KafkaRole.ENGINE, NAMES))
        .filteredOn(g -> g.pattern() == PatternType.PREFIXED)
        .extracting(RoleAcls.Grant::resource, RoleAcls.Grant::name)
        .containsExactlyInAnyOrder(
            tuple(ResourceType.TOPIC, "gpuward-engine"),
            tuple(ResourceType.GROUP, "gpuward-engine"),
            tuple(ResourceType.TRANSACTIONAL_ID, "gpuward-engine"));
  }

  @Test
  void shouldRegisterTheControlSchemaWithTheRemediatorSinceOperatorsToolsDoNot() {
    assertThat(RoleAcls.registers(KafkaRole.REMEDIATOR))
        .containsExactly("audit", "dlq", "auditShadow", "control");
    assertThat(RoleAcls.registers(KafkaRole.ENGINE)).isEqualTo(RoleAcls.writes(KafkaRole.ENGINE));
  }

  @Test
  void shouldGiveTheShadowRemediatorGroupsAndATransactionalIdOfItsOwn() {
    assertThat(RoleAcls.grants(KafkaRole.REMEDIATOR, NAMES))
        .filteredOn(g -> g.resource() != ResourceType.TOPIC)
        .extracting(RoleAcls.Grant::resource, RoleAcls.Grant::name)
        .contains(
            tuple(ResourceType.GROUP, "gpuward-remediator-shadow"),
            tuple(ResourceType.GROUP, "gpuward-remediator-shadow-state"),
            tuple(ResourceType.TRANSACTIONAL_ID, "gpuward-remediator-shadow-audit"));
    assertThat(writersOf("auditShadow")).containsExactly(KafkaRole.REMEDIATOR);
  }

  @Test
  void shouldListEveryTopicOnceInARolesGrants() {
    List<String> topics =
        RoleAcls.grants(KafkaRole.ENGINE, NAMES).stream()
            .filter(g -> g.resource() == ResourceType.TOPIC)
            .map(RoleAcls.Grant::name)
            .toList();
    assertThat(topics).doesNotHaveDuplicates().contains("gpuward.incidents.v1");
  }

  @Test
  void shouldLetTheRemediatorSeeHowFarTheEngineGotButNotReadItsInputs() {
    List<RoleAcls.Grant> grants = RoleAcls.grants(KafkaRole.REMEDIATOR, NAMES);
    assertThat(grants)
        .extracting(RoleAcls.Grant::resource, RoleAcls.Grant::name, RoleAcls.Grant::operations)
        .contains(
            tuple(ResourceType.GROUP, "gpuward-engine", List.of(AclOperation.DESCRIBE)),
            tuple(ResourceType.TOPIC, "gpuward-engine-", List.of(AclOperation.DESCRIBE)),
            tuple(ResourceType.TOPIC, CATALOG.spec("gpu").name(), List.of(AclOperation.DESCRIBE)));
    assertThat(grants)
        .filteredOn(g -> g.name().equals(CATALOG.spec("incidents").name()))
        .flatExtracting(RoleAcls.Grant::operations)
        .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
  }
}
