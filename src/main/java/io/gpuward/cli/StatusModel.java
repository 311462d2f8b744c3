package io.gpuward.cli;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.FleetIncident;
import io.gpuward.avro.IncidentState;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.VerdictRef;
import io.gpuward.avro.VerdictState;
import io.gpuward.cli.StatusView.OpenVerdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read model of {@code gpuward status}: records in, in each topic's order, a {@link StatusView}
 * out. It keeps only the newest state per verdict, node, incident, scope and budget, so memory
 * follows the size of the fleet, not the number of records read. Pure: no Kafka, no clock.
 */
final class StatusModel implements ReadModel {
  /** Distinct dead-letter reasons kept; more are counted under one "other reasons" row. */
  static final int MAX_DEAD_LETTER_ROWS = 50;

  static final String OTHER_REASONS = "(other reasons)";

  private record Placed<V>(int partition, long offset, V value) {}

  private record DlqKey(String topic, String kind, String reason) {}

  private final String controlTopic;
  private final NextStep next;
  private final Map<String, FaultVerdict> verdicts = new HashMap<>();
  private final Map<String, NodeHealth> health = new HashMap<>();
  private final Map<String, FleetIncident> incidents = new LinkedHashMap<>();
  private final Map<String, Trail> trails = new HashMap<>();
  private final Map<String, StatusView.Budget> budgets = new LinkedHashMap<>();
  private final Map<String, Placed<ControlCommand>> controls = new LinkedHashMap<>();
  private final Set<String> audited = new HashSet<>();
  private final Set<String> refusedControls = new HashSet<>();
  private final Map<DlqKey, Long> deadLetters = new LinkedHashMap<>();
  private StatusView.ObserveOnly observeOnly = new StatusView.ObserveOnly(false, null, null);
  private long unreadable;

  StatusModel(String controlTopic, NextStep next) {
    this.controlTopic = controlTopic;
    this.next = next;
  }

  @Override
  public void verdict(Read<FaultVerdict> r) {
    verdicts.put(r.value().getVerdictId(), r.value());
  }

  @Override
  public void health(Read<NodeHealth> r) {
    if (r.value() == null) {
      health.remove(r.key());
    } else {
      health.put(r.key(), r.value());
    }
  }

  /** An incident that moves scope is CLEARED on the old one: the newest per id and scope counts. */
  @Override
  public void incident(FleetIncident i) {
    incidents.put(i.getIncidentId() + "@" + i.getScope(), i);
  }

  @Override
  public void audit(RemediationRecord r) {
    if (r.getOperationId().startsWith("ctl-")) {
      announcement(r);
      return;
    }
    trails.computeIfAbsent(r.getVerdictId(), k -> new Trail()).add(r);
    AuditDetails.budget(r.getDetail())
        .ifPresent(
            u ->
                budgets.put(
                    u.scope() + "/" + u.budget(),
                    new StatusView.Budget(
                        u.scope(), u.budget(), u.used(), u.limit(), u.freesAt(), r.getAt())));
  }

  @Override
  public void control(Read<ControlCommand> c) {
    if (c.value() == null) {
      controls.remove(c.key());
    } else {
      controls.put(c.key(), new Placed<>(c.partition(), c.offset(), c.value()));
    }
  }

  @Override
  public void deadLetter(DeadLetter d) {
    if (d.getOriginalTopic().equals(controlTopic)) {
      refusedControls.add(d.getOriginalPartition() + "@" + d.getOriginalOffset());
    }
    DlqKey key = new DlqKey(d.getOriginalTopic(), d.getKind().name(), d.getReason());
    if (!deadLetters.containsKey(key) && deadLetters.size() >= MAX_DEAD_LETTER_ROWS) {
      key = new DlqKey(d.getOriginalTopic(), d.getKind().name(), OTHER_REASONS);
    }
    deadLetters.merge(key, 1L, Long::sum);
  }

  /** Unknown schema, garbage: counted, not shown. */
  @Override
  public void unreadable() {
    unreadable++;
  }

  private void announcement(RemediationRecord r) {
    String detail = r.getDetail() == null ? "" : r.getDetail();
    if (r.getVerdictId().startsWith("observe-only-")) {
      boolean on = detail.startsWith("observe-only: ");
      observeOnly =
          new StatusView.ObserveOnly(
              on, on ? detail.substring("observe-only: ".length()) : detail, r.getAt());
    } else {
      audited.add(r.getVerdictId());
    }
  }

  StatusView view(Instant now, Instant since) {
    List<OpenVerdict> open = openVerdicts();
    List<StatusView.Incident> incidentRows = incidents(open);
    List<StatusView.Remediation> inFlight = remediations(open, now);
    List<StatusView.Control> controlRows = controls(now);
    long dlq = deadLetters.values().stream().mapToLong(Long::longValue).sum();
    var summary =
        new StatusView.Summary(
            (int) open.stream().map(OpenVerdict::node).distinct().count(),
            open.size(),
            (int) open.stream().filter(OpenVerdict::held).count(),
            incidentRows.size(),
            inFlight.size(),
            controlRows.size(),
            observeOnly.on(),
            dlq,
            unreadable);
    return new StatusView(
        now,
        since,
        summary,
        open,
        incidentRows,
        inFlight,
        List.copyOf(budgets.values()),
        controlRows,
        observeOnly,
        deadLetterRows());
  }

  /**
   * Open: listed by the node's health (compacted, so complete however old) or open in the verdicts
   * read, and not CLEARED in the verdicts read (a verdict id never opens again).
   */
  private List<OpenVerdict> openVerdicts() {
    Map<String, OpenVerdict> out = new LinkedHashMap<>();
    for (NodeHealth h : health.values()) {
      for (VerdictRef ref : h.getOpenVerdicts()) {
        FaultVerdict v = verdicts.get(ref.getVerdictId());
        if (v == null) {
          out.put(ref.getVerdictId(), fromHealth(h.getNode(), ref));
        } else if (v.getState() != VerdictState.CLEARED) {
          out.put(v.getVerdictId(), fromVerdict(v));
        }
      }
    }
    for (FaultVerdict v : verdicts.values()) {
      if (v.getState() != VerdictState.CLEARED) {
        out.putIfAbsent(v.getVerdictId(), fromVerdict(v));
      }
    }
    List<OpenVerdict> rows = new ArrayList<>(out.values());
    rows.sort(
        Comparator.comparing(OpenVerdict::node)
            .thenComparing(OpenVerdict::faultClass)
            .thenComparing(OpenVerdict::verdictId));
    return rows;
  }

  private static OpenVerdict fromHealth(String node, VerdictRef r) {
    return new OpenVerdict(
        node,
        r.getVerdictId(),
        r.getFaultClass().name(),
        r.getSeverity().name(),
        r.getRecommendedAction().name(),
        r.getHeld(),
        null,
        null,
        null,
        null);
  }

  private static OpenVerdict fromVerdict(FaultVerdict v) {
    return new OpenVerdict(
        v.getNode(),
        v.getVerdictId(),
        v.getFaultClass().name(),
        v.getSeverity().name(),
        v.getRecommendedAction().name(),
        v.getHeld(),
        v.getIncidentId(),
        v.getDetectedAt(),
        v.getValidUntil(),
        v.getSummary());
  }

  private List<StatusView.Incident> incidents(List<OpenVerdict> open) {
    List<StatusView.Incident> out = new ArrayList<>();
    for (FleetIncident i : incidents.values()) {
      if (i.getState() == IncidentState.CLEARED) {
        continue;
      }
      int held =
          (int)
              open.stream()
                  .filter(v -> v.held() && i.getIncidentId().equals(v.incidentId()))
                  .count();
      out.add(
          new StatusView.Incident(
              i.getIncidentId(),
              i.getScope(),
              i.getState().name(),
              i.getFaultClass() == null ? null : i.getFaultClass().name(),
              List.copyOf(i.getNodes()),
              held,
              i.getDetectedAt(),
              i.getUpdatedAt(),
              i.getSummary()));
    }
    return out;
  }

  private List<StatusView.Remediation> remediations(List<OpenVerdict> open, Instant now) {
    List<StatusView.Remediation> out = new ArrayList<>();
    for (OpenVerdict o : open) {
      Trail t = trails.get(o.verdictId());
      if (t == null) {
        continue;
      }
      RemediationRecord r = t.latest();
      NextStep.Waiting w = next.of(verdicts.get(o.verdictId()), t, now);
      out.add(
          new StatusView.Remediation(
              r.getNode(),
              r.getVerdictId(),
              r.getFaultClass() == null ? o.faultClass() : r.getFaultClass().name(),
              r.getAction().name(),
              r.getAttempt(),
              r.getOutcome().name(),
              r.getReason() == null ? null : r.getReason().name(),
              r.getAt(),
              r.getPolicyVersion(),
              r.getDryRun(),
              w.what(),
              w.until(),
              w.then()));
    }
    return out;
  }

  private List<StatusView.Control> controls(Instant now) {
    List<StatusView.Control> out = new ArrayList<>();
    for (Placed<ControlCommand> p : controls.values()) {
      ControlCommand c = p.value();
      boolean stopping = c.getKind() == ControlKind.PAUSE || c.getKind() == ControlKind.VETO;
      boolean expired = c.getExpiresAt() != null && !now.isBefore(c.getExpiresAt());
      if (!stopping || expired) {
        continue;
      }
      out.add(
          new StatusView.Control(
              c.getScope(),
              c.getKind().name(),
              c.getOperator(),
              c.getReason(),
              c.getIssuedAt(),
              c.getExpiresAt(),
              c.getCommandId(),
              audited.contains(c.getCommandId()),
              refusedControls.contains(p.partition() + "@" + p.offset())));
    }
    out.sort(Comparator.comparing(StatusView.Control::scope));
    return out;
  }

  private List<StatusView.DeadLetters> deadLetterRows() {
    List<StatusView.DeadLetters> out = new ArrayList<>();
    deadLetters.forEach(
        (k, n) -> out.add(new StatusView.DeadLetters(k.topic(), k.kind(), k.reason(), n)));
    out.sort(Comparator.comparing(StatusView.DeadLetters::count).reversed());
    return out;
  }
}
