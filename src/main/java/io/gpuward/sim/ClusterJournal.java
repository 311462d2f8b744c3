package io.gpuward.sim;

import io.gpuward.remediation.port.ActuatorException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the simulated cluster was asked and what it did: every actuator call with its outcome, the
 * Kubernetes Events recorded on nodes, and the counts behind {@link ClusterStats}. Tests and the
 * demo's summary read the world's side of a remediation here, apart from the state the calls
 * changed. Not thread-safe: the facade's lock guards every access.
 */
final class ClusterJournal {

  private static final Logger log = LoggerFactory.getLogger(ClusterJournal.class);

  private final List<ClusterAction> actions = new ArrayList<>();
  private final Map<String, ClusterEvent> events = new LinkedHashMap<>();
  private int cordons;
  private int uncordons;
  private int evictions;
  private int blockedEvictions;
  private int gpuResets;
  private int reboots;
  private int replacements;
  private int rejected;

  /** Keeps one actuator call and its outcome ({@code ACCEPTED}, {@code NOOP}, ...). */
  void record(Instant at, String action, String target, String op, String outcome, String detail) {
    actions.add(new ClusterAction(at, action, target, op, outcome, detail));
  }

  /** Records a refused call and returns the exception to throw for it. */
  ActuatorException reject(
      Instant now,
      String action,
      String target,
      String op,
      ActuatorException.Kind kind,
      String reason) {
    rejected++;
    record(now, action, target, op, "REJECTED", reason);
    log.warn("cluster: {} {} rejected ({}): {}", action, target, kind, reason);
    return new ActuatorException(kind, reason);
  }

  /** Counts a refusal recorded by the caller itself. */
  void rejected() {
    rejected++;
  }

  void cordoned() {
    cordons++;
  }

  void uncordoned() {
    uncordons++;
  }

  void evicted(int pods) {
    evictions += pods;
  }

  void blocked(int pods) {
    blockedEvictions += pods;
  }

  void gpuReset() {
    gpuResets++;
  }

  void rebooted() {
    reboots++;
  }

  void replaced() {
    replacements++;
  }

  /** Keeps the first Event under {@code key} (operation id and reason); later ones are dropped. */
  void event(String key, ClusterEvent event) {
    events.putIfAbsent(key, event);
  }

  List<ClusterEvent> events() {
    return List.copyOf(events.values());
  }

  List<ClusterAction> actions() {
    return List.copyOf(actions);
  }

  ClusterStats stats() {
    return new ClusterStats(
        cordons,
        uncordons,
        evictions,
        blockedEvictions,
        gpuResets,
        reboots,
        replacements,
        rejected);
  }
}
