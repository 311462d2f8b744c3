package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.RemediationRecord;

/**
 * What {@link TopicTail} hands decoded records to, per topic, in each partition's order. A model
 * ignores the topics it does not need.
 */
interface ReadModel {
  default void verdict(Read<FaultVerdict> r) {}

  /** {@code r.value()} is null for a tombstone. */
  default void health(Read<NodeHealth> r) {}

  default void incident(FleetIncident i) {}

  default void audit(RemediationRecord r) {}

  /** {@code r.value()} is null for a tombstone. */
  default void control(Read<ControlCommand> r) {}

  default void deadLetter(DeadLetter d) {}

  /** A record that could not be decoded. */
  default void unreadable() {}
}
