#!/usr/bin/env bash
# Generated from io.gpuward.contract.RoleAcls by KafkaAclFilesTest: do not edit. Regenerate with
#   mvn -o -q test -Dtest=KafkaAclFilesTest -Dgpuward.regenerate=true
#
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
EXPORTER_PRINCIPAL="${EXPORTER_PRINCIPAL:-User:gpuward-exporter}"
SIMULATOR_PRINCIPAL="${SIMULATOR_PRINCIPAL:-User:gpuward-simulator}"
ENGINE_PRINCIPAL="${ENGINE_PRINCIPAL:-User:gpuward-engine}"
REMEDIATOR_PRINCIPAL="${REMEDIATOR_PRINCIPAL:-User:gpuward-remediator}"
CONNECT_PRINCIPAL="${CONNECT_PRINCIPAL:-User:gpuward-connect}"
WATCHER_PRINCIPAL="${WATCHER_PRINCIPAL:-User:gpuward-watcher}"
OPERATORS_PRINCIPAL="${OPERATORS_PRINCIPAL:-User:gpuward-operators}"

acl() {
  "$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" ${COMMAND_CONFIG:+--command-config "$COMMAND_CONFIG"} --add "$@"
}

# exporter
acl --allow-principal "$EXPORTER_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.gpu.v1"
acl --allow-principal "$EXPORTER_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.xid.v1"
acl --allow-principal "$EXPORTER_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.kube.events.v1"

# simulator
acl --allow-principal "$SIMULATOR_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.gpu.v1"
acl --allow-principal "$SIMULATOR_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.xid.v1"
acl --allow-principal "$SIMULATOR_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.kube.events.v1"
acl --allow-principal "$SIMULATOR_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.inventory.nodes.v1"

# engine
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.gpu.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.xid.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.kube.events.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.inventory.nodes.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Read --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.incidents.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.verdicts.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.health.nodes.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.rollup.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.dlq.v1"
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Create --operation Read --operation Write --operation Delete --operation Describe --operation DescribeConfigs --topic "${ENGINE_APPLICATION_ID}" --resource-pattern-type prefixed
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Read --operation Describe --group "${ENGINE_APPLICATION_ID}" --resource-pattern-type prefixed
acl --allow-principal "$ENGINE_PRINCIPAL" --operation Write --operation Describe --transactional-id "${ENGINE_APPLICATION_ID}" --resource-pattern-type prefixed

# remediator
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.verdicts.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.remediation.audit.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.control.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.inventory.nodes.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.remediation.audit.shadow.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.incidents.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.dlq.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Describe --group "${ENGINE_APPLICATION_ID}"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Describe --topic "${ENGINE_APPLICATION_ID}-" --resource-pattern-type prefixed
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.gpu.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.xid.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Describe --topic "${TOPIC_PREFIX}gpuward.kube.events.v1"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --group "${REMEDIATION_GROUP_ID}"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --group "${REMEDIATION_GROUP_ID}-state"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Write --operation Describe --transactional-id "${REMEDIATION_GROUP_ID}-audit"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --group "${REMEDIATION_GROUP_ID}-shadow"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Read --operation Describe --group "${REMEDIATION_GROUP_ID}-shadow-state"
acl --allow-principal "$REMEDIATOR_PRINCIPAL" --operation Write --operation Describe --transactional-id "${REMEDIATION_GROUP_ID}-shadow-audit"

# connect
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.verdicts.v1"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.health.nodes.v1"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.incidents.v1"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.remediation.audit.v1"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.rollup.v1"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Create --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.sink.dlq.v1"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --group "connect-gpuward-sink-" --resource-pattern-type prefixed
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Read --operation Describe --group "${CONNECT_GROUP_ID}"
acl --allow-principal "$CONNECT_PRINCIPAL" --operation Create --operation Read --operation Write --operation Describe --operation DescribeConfigs --topic "${CONNECT_GROUP_ID}-" --resource-pattern-type prefixed

# watcher
acl --allow-principal "$WATCHER_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.inventory.nodes.v1"
acl --allow-principal "$WATCHER_PRINCIPAL" --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.kube.events.v1"

# operators
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.gpu.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.xid.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.kube.events.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.telemetry.rollup.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.inventory.nodes.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.verdicts.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.health.nodes.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.incidents.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.remediation.audit.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.remediation.audit.shadow.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Write --operation Describe --topic "${TOPIC_PREFIX}gpuward.control.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --topic "${TOPIC_PREFIX}gpuward.dlq.v1"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Read --operation Describe --group "gpuward-ops-" --resource-pattern-type prefixed
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Describe --group "${ENGINE_APPLICATION_ID}" --resource-pattern-type prefixed
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Describe --group "${REMEDIATION_GROUP_ID}"
acl --allow-principal "$OPERATORS_PRINCIPAL" --operation Describe --group "${REMEDIATION_GROUP_ID}-shadow"
