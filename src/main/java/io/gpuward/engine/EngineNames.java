package io.gpuward.engine;

/**
 * Stable names of every source, processor, store, branch and sink of the verdict topology. They are
 * an upgrade contract: renaming a store or repartition loses its state. {@code VerdictTopologyTest}
 * asserts them over {@code topology.describe()}.
 */
public final class EngineNames {
  private EngineNames() {}

  public static final String XID_SOURCE = "xid-source";
  public static final String GPU_SOURCE = "gpu-source";
  public static final String EVENTS_SOURCE = "kube-events-source";
  public static final String INVENTORY_SOURCE = "inventory-source";

  public static final String INVENTORY_CHECK = "inventory-check";
  public static final String INVENTORY_BRANCH = "inventory-branch-";
  public static final String INVENTORY_TABLE = "inventory-table";
  public static final String XID_CHECK = "xid-check";
  public static final String XID_BRANCH = "xid-branch-";
  public static final String GPU_CHECK = "gpu-check";
  public static final String GPU_BRANCH = "gpu-branch-";
  public static final String EVENTS_CHECK = "kube-events-check";
  public static final String EVENTS_BRANCH = "kube-events-branch-";
  public static final String BRANCH_VALID = "valid";
  public static final String BRANCH_INVALID = "invalid";

  public static final String XID_SIGNALS = "xid-signals";
  public static final String INVENTORY_SIGNALS = "inventory-signals";
  public static final String INVENTORY_TO_STREAM = "inventory-changes";
  public static final String INVENTORY_AS_INPUT = "inventory-as-node-input";
  public static final String EVENTS_AS_INPUT = "kube-events-as-node-input";
  public static final String NODE_INPUTS = "node-inputs";
  public static final String NODE_STATE = "node-state";

  public static final String GPU_WINDOW = "gpu-window";
  public static final String GPU_WINDOW_SIGNALS = "gpu-window-signals";

  public static final String NOT_READY_EVENTS = "not-ready-events";
  public static final String GPU_FAULT_XIDS = "gpu-fault-xids";
  public static final String NOT_READY_JOIN = "not-ready-gpu-join";

  public static final String SIGNALS_MERGE_1 = "signals-merge-xid-window";
  public static final String SIGNALS_MERGE_2 = "signals-merge-node";
  public static final String SIGNALS_MERGE_3 = "signals-merge-inventory";
  public static final String SIGNALS_MERGE_4 = "signals-merge-not-ready";
  public static final String VERDICT_DECIDER = "verdict-decider";
  public static final String OUTPUT_BRANCH = "engine-output-";
  public static final String OUTPUT_VERDICTS = "verdicts";
  public static final String OUTPUT_HEALTH = "health";

  public static final String CORRELATION_KEYS = "correlation-keys";
  public static final String CORRELATION_INPUTS = "correlation-inputs";
  public static final String CORRELATION_REPARTITION = "correlation-fleet";
  public static final String FLEET_CORRELATOR = "fleet-correlator";
  public static final String INCIDENTS_SINK = "incidents-sink";
  public static final String INCIDENTS_SOURCE = "incidents-global-source";
  public static final String VERDICTS_AS_INPUT = "verdicts-as-correlation-input";
  public static final String INVENTORY_AS_MEMBERSHIP = "inventory-as-correlation-input";

  public static final String VERDICTS_SINK = "verdicts-sink";
  public static final String HEALTH_SINK = "health-sink";
  public static final String DLQ_SINK_PREFIX = "dlq-sink-";

  public static final String INVENTORY_STORE = "inventory-store";
  public static final String GPU_WINDOW_STORE = "gpu-open-windows-store";
  public static final String COUNTER_CARRY_STORE = "gpu-counter-carry-store";
  public static final String PRESENCE_STORE = "gpu-presence-store";
  public static final String NODE_STATE_STORE = "node-state-store";
  public static final String UNKNOWN_NODES_STORE = "unknown-nodes-store";
  public static final String NOT_READY_JOIN_STORE = "not-ready-gpu-join-store";
  public static final String VERDICT_STORE = "verdict-store";
  public static final String RECOVERED_STORE = "verdict-recovered-store";
  public static final String CORRELATION_STORE = "correlation-signatures-store";
  public static final String CORRELATION_MEMBERS_STORE = "correlation-members-store";
  public static final String INCIDENTS_STORE = "incidents-global-store";
}
