-- gpuward sink tables (issue 6): written by the Debezium JDBC sink connectors in connectors/*.json
-- through gpuward's Avro converter (io.gpuward.connect.GpuwardAvroConverter, field.naming=snake_case,
-- nested records and arrays as JSON). Re-runnable: every statement is IF NOT EXISTS / OR REPLACE.
--
-- Every table is upserted on its natural key, so a re-delivered Kafka record rewrites its own row
-- and never adds one. Times are timestamptz (UTC epoch millis from the Avro timestamp-millis fields).
-- Enums are text holding the Avro symbol (e.g. fault_class = 'GPU_LOST').

-- One row per verdict emission (OPEN, UPDATED, CLEARED) from gpuward.verdicts.v1.
CREATE TABLE IF NOT EXISTS gpu_verdicts (
  verdict_id          text        NOT NULL,
  state               text        NOT NULL,   -- VerdictState: OPEN | UPDATED | CLEARED
  updated_at          timestamptz NOT NULL,   -- event time of this emission
  node                text        NOT NULL,
  nodegroup           text,
  instance_id         text,
  zone                text,
  fault_class         text        NOT NULL,
  severity            text        NOT NULL,
  recommended_action  text        NOT NULL,
  gpus                jsonb       NOT NULL,   -- [{"uuid","index","pciBusId","pods"}], pods: ["namespace/name"], empty when unknown
  evidence            jsonb       NOT NULL,   -- [{"source","signal","eventTime",...}]
  rule_id             text        NOT NULL,
  rule_version        text        NOT NULL,
  detected_at         timestamptz NOT NULL,
  valid_until         timestamptz NOT NULL,
  held                boolean     NOT NULL,
  incident_id         text,
  summary             text        NOT NULL,
  fix_hint            text,
  clear_reason        text,
  PRIMARY KEY (verdict_id, updated_at, state)
);
CREATE INDEX IF NOT EXISTS gpu_verdicts_node_time ON gpu_verdicts (node, updated_at);
CREATE INDEX IF NOT EXISTS gpu_verdicts_time ON gpu_verdicts (updated_at);
CREATE INDEX IF NOT EXISTS gpu_verdicts_class_time ON gpu_verdicts (fault_class, updated_at);

-- The newest emission of each verdict: its current state.
CREATE OR REPLACE VIEW gpu_verdicts_latest AS
  SELECT DISTINCT ON (verdict_id) *
  FROM gpu_verdicts
  ORDER BY verdict_id, updated_at DESC,
           CASE state WHEN 'CLEARED' THEN 2 WHEN 'UPDATED' THEN 1 ELSE 0 END DESC;

-- One row per incident emission from gpuward.incidents.v1.
CREATE TABLE IF NOT EXISTS fleet_incidents (
  incident_id     text        NOT NULL,
  state           text        NOT NULL,   -- IncidentState
  updated_at      timestamptz NOT NULL,
  scope           text        NOT NULL,   -- nodegroup:..., zone:..., image:..., driver:...
  incident_class  text        NOT NULL,
  signature       text        NOT NULL,
  nodes           jsonb       NOT NULL,   -- ["node", ...]
  detected_at     timestamptz NOT NULL,
  fault_class     text,
  summary         text        NOT NULL,
  PRIMARY KEY (incident_id, updated_at, state)
);
CREATE INDEX IF NOT EXISTS fleet_incidents_time ON fleet_incidents (updated_at);
CREATE INDEX IF NOT EXISTS fleet_incidents_scope_time ON fleet_incidents (scope, updated_at);

-- Each node's current health from gpuward.health.nodes.v1 (compacted): one row per node, upserted.
CREATE TABLE IF NOT EXISTS node_health (
  node            text        NOT NULL PRIMARY KEY,
  state           text        NOT NULL,   -- HealthState: HEALTHY | DEGRADED | FAULTY | MISCONFIGURED | UNKNOWN
  open_verdicts   jsonb       NOT NULL,   -- [{"verdictId","faultClass","severity","recommendedAction","held"}]
  nodegroup       text,
  zone            text,
  instance_type   text,
  updated_at      timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS node_health_state ON node_health (state);
CREATE INDEX IF NOT EXISTS node_health_nodegroup ON node_health (nodegroup);

-- Every remediation decision and step from gpuward.remediation.audit.v1.
CREATE TABLE IF NOT EXISTS remediation_audit (
  operation_id    text        NOT NULL,
  outcome         text        NOT NULL,   -- Outcome: PLANNED | SKIPPED | STARTED | SUCCEEDED | VERIFIED | FAILED_* | AMBIGUOUS
  at              timestamptz NOT NULL,
  verdict_id      text        NOT NULL,
  node            text        NOT NULL,
  action          text        NOT NULL,   -- RemediationAction
  reason          text,                   -- SkipReason when SKIPPED
  attempt         integer     NOT NULL,
  policy_version  text        NOT NULL,
  fault_class     text,
  nodegroup       text,
  dry_run         boolean     NOT NULL,
  detail          text,
  PRIMARY KEY (operation_id, outcome, at)
);
CREATE INDEX IF NOT EXISTS remediation_audit_node_time ON remediation_audit (node, at);
CREATE INDEX IF NOT EXISTS remediation_audit_time ON remediation_audit (at);
CREATE INDEX IF NOT EXISTS remediation_audit_action_outcome ON remediation_audit (action, outcome, at);

-- Per-GPU one-minute rollups from gpuward.telemetry.rollup.v1 (emitted once per window close).
CREATE TABLE IF NOT EXISTS gpu_telemetry_rollup (
  uuid                      text             NOT NULL,
  window_start              timestamptz      NOT NULL,
  window_end                timestamptz      NOT NULL,
  node                      text             NOT NULL,
  gpu_index                 integer          NOT NULL,
  model                     text,
  sample_count              integer          NOT NULL,
  avg_temperature_c         double precision,
  max_temperature_c         double precision,
  max_memory_temperature_c  double precision,
  avg_gpu_util_pct          double precision,
  avg_power_w               double precision,
  max_power_w               double precision,
  avg_memory_used_mib       double precision,
  max_memory_used_mib       bigint,
  PRIMARY KEY (uuid, window_start)
);
CREATE INDEX IF NOT EXISTS gpu_telemetry_rollup_node_time ON gpu_telemetry_rollup (node, window_start);
CREATE INDEX IF NOT EXISTS gpu_telemetry_rollup_time ON gpu_telemetry_rollup (window_start);

-- Grafana reads the sink tables as gpuward_grafana: SELECT on these tables and view, nothing else,
-- every transaction read-only. A panel query that a dashboard variable broke out of can then read
-- the tables, and never write, drop or read anything beyond them. The role has no password here;
-- give it one (ALTER ROLE gpuward_grafana PASSWORD '...') where the server does not trust loopback.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'gpuward_grafana') THEN
    CREATE ROLE gpuward_grafana LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
END
$$;
ALTER ROLE gpuward_grafana SET default_transaction_read_only = on;
REVOKE ALL ON gpu_verdicts, gpu_verdicts_latest, fleet_incidents, node_health, remediation_audit,
  gpu_telemetry_rollup FROM gpuward_grafana;
GRANT SELECT ON gpu_verdicts, gpu_verdicts_latest, fleet_incidents, node_health, remediation_audit,
  gpu_telemetry_rollup TO gpuward_grafana;
