package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.cli.Explanation.Chain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The read model of {@code gpuward explain}: keeps every verdict emission and audit record of one
 * node or one verdict (a node's history in the period, bounded by what happened to it), and the
 * newest incident per id and command per scope; then builds an {@link Explanation}. Pure.
 */
final class ExplainModel implements ReadModel {
  private final String target;
  private final NextStep next;
  private final Map<String, List<Read<FaultVerdict>>> emissions = new LinkedHashMap<>();
  private final Map<String, List<RemediationRecord>> audit = new LinkedHashMap<>();
  private final Map<String, FleetIncident> incidents = new HashMap<>();
  private final Map<String, ControlCommand> controls = new HashMap<>();

  ExplainModel(String target, NextStep next) {
    this.target = target;
    this.next = next;
  }

  @Override
  public void verdict(Read<FaultVerdict> r) {
    FaultVerdict v = r.value();
    if (v.getNode().equals(target) || v.getVerdictId().equals(target)) {
      emissions.computeIfAbsent(v.getVerdictId(), k -> new ArrayList<>()).add(r);
    }
  }

  @Override
  public void audit(RemediationRecord r) {
    boolean operatorCommand = r.getOperationId().startsWith("ctl-");
    if (!operatorCommand && (r.getNode().equals(target) || r.getVerdictId().equals(target))) {
      audit.computeIfAbsent(r.getVerdictId(), k -> new ArrayList<>()).add(r);
    }
  }

  @Override
  public void incident(FleetIncident i) {
    String key = i.getIncidentId() + "@" + i.getScope();
    FleetIncident before = incidents.get(key);
    if (before == null || !before.getUpdatedAt().isAfter(i.getUpdatedAt())) {
      incidents.put(key, i);
    }
  }

  @Override
  public void control(Read<ControlCommand> c) {
    if (c.value() == null) {
      controls.remove(c.key());
    } else {
      controls.put(c.key(), c.value());
    }
  }

  /** Empty when the period holds neither a verdict nor an audit record of the target. */
  Optional<Explanation> explain(Instant now, Instant since) {
    if (emissions.isEmpty() && audit.isEmpty()) {
      return Optional.empty();
    }
    boolean isVerdict = emissions.containsKey(target) || audit.containsKey(target);
    List<String> ids = new ArrayList<>(emissions.keySet());
    audit.keySet().stream().filter(id -> !ids.contains(id)).forEach(ids::add);
    List<Chain> chains = new ArrayList<>();
    for (String id : ids) {
      chains.add(chain(id, now));
    }
    chains.sort(
        Comparator.comparing(
            c -> c.detectedAt() != null ? c.detectedAt() : firstAt(c), Comparator.naturalOrder()));
    return Optional.of(new Explanation(target, isVerdict ? "verdict" : "node", now, since, chains));
  }

  private static Instant firstAt(Chain c) {
    return c.remediation().isEmpty() ? Instant.MAX : c.remediation().get(0).at();
  }

  private Chain chain(String id, Instant now) {
    List<Read<FaultVerdict>> es = emissions.getOrDefault(id, List.of());
    List<RemediationRecord> rs = audit.getOrDefault(id, List.of());
    FaultVerdict v = es.isEmpty() ? null : es.get(es.size() - 1).value();
    Trail trail = null;
    if (!rs.isEmpty()) {
      trail = new Trail();
      rs.forEach(trail::add);
    }
    NextStep.Waiting w = next.of(v, trail, now);
    Explanation.Next n = new Explanation.Next(w.what(), w.until(), w.then());
    List<Explanation.Step> steps = rs.stream().map(ExplainModel::step).toList();
    return v == null ? auditOnly(id, rs.get(0), steps, n) : fromVerdict(v, es, steps, n);
  }

  /** A verdict the period holds audit records of but no emission: its own fields are absent. */
  private Chain auditOnly(
      String id, RemediationRecord r, List<Explanation.Step> steps, Explanation.Next n) {
    String cls = r.getFaultClass() == null ? null : r.getFaultClass().name();
    return new Chain(
        id,
        r.getNode(),
        r.getNodegroup(),
        null,
        null,
        cls,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        List.of(),
        List.of(),
        null,
        steps,
        commands(r.getNode(), id, r.getNodegroup(), null),
        n);
  }

  private Chain fromVerdict(
      FaultVerdict v,
      List<Read<FaultVerdict>> es,
      List<Explanation.Step> steps,
      Explanation.Next n) {
    return new Chain(
        v.getVerdictId(),
        v.getNode(),
        v.getNodegroup(),
        v.getZone(),
        v.getInstanceId(),
        v.getFaultClass().name(),
        v.getSeverity().name(),
        v.getState().name(),
        v.getRecommendedAction().name(),
        v.getRuleId(),
        v.getRuleVersion(),
        v.getDetectedAt(),
        v.getValidUntil(),
        v.getSummary(),
        v.getFixHint(),
        v.getGpus().stream().map(ExplainModel::gpu).toList(),
        v.getEvidence().stream().map(ExplainModel::evidence).toList(),
        es.stream().map(ExplainModel::emission).toList(),
        incident(es),
        steps,
        commands(v.getNode(), v.getVerdictId(), v.getNodegroup(), v.getZone()),
        n);
  }

  /** The incident the verdict last named, newest of its scopes. */
  private Explanation.Incident incident(List<Read<FaultVerdict>> es) {
    String id = null;
    for (Read<FaultVerdict> e : es) {
      if (e.value().getIncidentId() != null) {
        id = e.value().getIncidentId();
      }
    }
    if (id == null) {
      return null;
    }
    String wanted = id;
    return incidents.values().stream()
        .filter(i -> i.getIncidentId().equals(wanted))
        .max(Comparator.comparing(FleetIncident::getUpdatedAt))
        .map(
            i ->
                new Explanation.Incident(
                    i.getIncidentId(),
                    i.getScope(),
                    i.getState().name(),
                    List.copyOf(i.getNodes()),
                    i.getDetectedAt(),
                    i.getUpdatedAt(),
                    i.getSummary()))
        .orElse(new Explanation.Incident(id, null, null, List.of(), null, null, null));
  }

  private List<Explanation.Command> commands(
      String node, String verdictId, String nodegroup, String zone) {
    Set<String> scopes = new LinkedHashSet<>();
    scopes.add("global");
    if (nodegroup != null) {
      scopes.add("nodegroup:" + nodegroup);
    }
    if (zone != null) {
      scopes.add("zone:" + zone);
    }
    scopes.add("node:" + node);
    scopes.add("verdict:" + verdictId);
    List<Explanation.Command> out = new ArrayList<>();
    for (String s : scopes) {
      ControlCommand c = controls.get(s);
      if (c != null) {
        out.add(
            new Explanation.Command(
                c.getScope(),
                c.getKind().name(),
                c.getOperator(),
                c.getReason(),
                c.getIssuedAt(),
                c.getExpiresAt(),
                c.getCommandId()));
      }
    }
    return out;
  }

  private static Explanation.Step step(RemediationRecord r) {
    return new Explanation.Step(
        r.getAt(),
        r.getOperationId(),
        r.getAction().name(),
        r.getAttempt(),
        r.getOutcome().name(),
        r.getReason() == null ? null : r.getReason().name(),
        r.getPolicyVersion(),
        r.getDryRun(),
        AuditDetails.budget(r.getDetail()).map(AuditDetails.BudgetUse::text).orElse(null),
        AuditDetails.operator(r.getDetail()).orElse(null),
        r.getDetail());
  }

  private static Explanation.Emission emission(Read<FaultVerdict> r) {
    FaultVerdict v = r.value();
    return new Explanation.Emission(
        v.getState().name(),
        v.getUpdatedAt(),
        v.getSeverity().name(),
        v.getHeld(),
        v.getIncidentId(),
        v.getClearReason(),
        r.partition(),
        r.offset());
  }

  private static Explanation.Gpu gpu(GpuRef g) {
    return new Explanation.Gpu(
        g.getUuid(),
        g.getIndex(),
        g.getPciBusId(),
        g.getPods() == null ? List.of() : List.copyOf(g.getPods()));
  }

  private static Explanation.Evidence evidence(Evidence e) {
    return new Explanation.Evidence(
        e.getSource(),
        e.getPartition(),
        e.getOffset(),
        e.getEventId(),
        e.getEventTime(),
        e.getSignal(),
        e.getValue(),
        e.getWindowStart(),
        e.getWindowEnd(),
        e.getGpuUuid(),
        e.getDetail());
  }
}
