package io.gpuward.contract;

import java.util.Locale;

/**
 * A Kafka identity of gpuward: every role runs under a principal of its own, so a credential taken
 * from one role (the exporter's is on every GPU node) can write only that role's topics. What each
 * role may do is {@link RoleAcls}.
 */
public enum KafkaRole {
  /**
   * The node exporter DaemonSet: publishes GPU telemetry and its own node's events; never
   * inventory, which would let one node move another's fleet-correlation scopes.
   */
  EXPORTER,
  /** The fleet simulator (tests and demos): publishes what the exporter publishes. */
  SIMULATOR,
  /** The verdict engine and the telemetry rollup (Kafka Streams, exactly-once). */
  ENGINE,
  /** The remediation consumer: reads verdicts, control and inventory, writes the audit stream. */
  REMEDIATOR,
  /** The Kafka Connect JDBC sink worker: reads the tables' topics. */
  CONNECT,
  /**
   * The cluster watcher (one leader per cluster): the trusted writer of inventory and of node state
   * as the control plane and the cloud see it.
   */
  WATCHER,
  /** People and their tools: read everything, write the control topic. */
  OPERATORS;

  /** Lower-case name used in principals, secrets and files ({@code exporter}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The principal the shipped ACLs name by default: {@code User:gpuward-<role>}. */
  public String defaultPrincipal() {
    return "User:gpuward-" + id();
  }
}
