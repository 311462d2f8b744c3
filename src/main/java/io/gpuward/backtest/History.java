package io.gpuward.backtest;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the topics held over a period: every verdict version, fleet incident, inventory record,
 * operator command, and the audit the live remediator wrote. Each list in the order it was read.
 */
public record History(
    List<FaultVerdict> verdicts,
    List<FleetIncident> incidents,
    List<NodeInventory> inventory,
    List<ControlCommand> control,
    List<RemediationRecord> audit) {

  public History {
    verdicts = List.copyOf(verdicts);
    incidents = List.copyOf(incidents);
    inventory = List.copyOf(inventory);
    control = List.copyOf(control);
    audit = List.copyOf(audit);
  }

  /**
   * The part between {@code from} and {@code to} (both inclusive, either may be null for open):
   * verdicts, incidents and audit by their time. The inventory and the commands are kept up to
   * {@code to} whole: what was known of the fleet before the period still places its nodes, and a
   * pause issued before it is still in force.
   */
  public History within(Instant from, Instant to) {
    return new History(
        keep(verdicts, FaultVerdict::getUpdatedAt, from, to),
        keep(incidents, FleetIncident::getUpdatedAt, from, to),
        keep(inventory, NodeInventory::getUpdatedAt, null, to),
        keep(control, ControlCommand::getIssuedAt, null, to),
        keep(audit, RemediationRecord::getAt, from, to));
  }

  private static <T> List<T> keep(
      List<T> records, Function<T, Instant> time, Instant from, Instant to) {
    return records.stream()
        .filter(r -> from == null || !time.apply(r).isBefore(from))
        .filter(r -> to == null || !time.apply(r).isAfter(to))
        .toList();
  }

  /** The first moment of the history: its earliest verdict, command or audit record. */
  public Optional<Instant> start() {
    return times().min(Instant::compareTo);
  }

  /** The last moment of the history: its latest verdict, command or audit record. */
  public Optional<Instant> end() {
    return times().max(Instant::compareTo);
  }

  private Stream<Instant> times() {
    return Stream.of(
            verdicts.stream().map(FaultVerdict::getUpdatedAt),
            control.stream().map(ControlCommand::getIssuedAt),
            audit.stream().map(RemediationRecord::getAt))
        .flatMap(s -> s);
  }
}
