package io.gpuward.engine.domain;

import io.gpuward.avro.Evidence;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a verdict is decided: turns signals into verdict lifecycle changes for one node and fault
 * class. Pure: the current verdict in, the verdict to keep and the verdict to emit out.
 *
 * <ul>
 *   <li>OPEN on the first detection; the verdict id is derived from node, class and detection time,
 *       so reprocessing after a crash yields the same id.
 *   <li>UPDATED only when something a consumer acts on changes: higher severity, a new GPU, a
 *       different recommended action. Repeated evidence extends {@code validUntil} silently; it
 *       never moves {@code detectedAt}.
 *   <li>CLEARED on recovery evidence covering all of the verdict's GPUs, or when no new evidence
 *       arrives before {@code validUntil}.
 * </ul>
 */
public final class VerdictDecider {

  /** Evidence entries a verdict keeps (newest last). */
  public static final int MAX_EVIDENCE = 8;

  /**
   * What to do with one node/class slot.
   *
   * @param keep the verdict to keep as open state; empty to forget the slot
   * @param emit the verdict to publish; empty when nothing changed for consumers
   */
  public record Decision(Optional<FaultVerdict> keep, Optional<FaultVerdict> emit) {
    static final Decision NOTHING = new Decision(Optional.empty(), Optional.empty());

    static Decision keepSilently(FaultVerdict v) {
      return new Decision(Optional.of(v), Optional.empty());
    }

    static Decision keepAndEmit(FaultVerdict v) {
      return new Decision(Optional.of(v), Optional.of(v));
    }

    static Decision forgetAndEmit(FaultVerdict v) {
      return new Decision(Optional.empty(), Optional.of(v));
    }
  }

  private final RuleCatalog rules;

  public VerdictDecider(RuleCatalog rules) {
    this.rules = rules;
  }

  /** Applies a detection to the open verdict of its class on its node, if any. */
  public Decision onDetected(Optional<FaultVerdict> current, Signal.Detected d, NodeContext ctx) {
    Instant validUntil =
        d.validUntil() != null ? d.validUntil() : d.eventTime().plus(rules.ttl(d.faultClass()));
    if (current.isEmpty()) {
      FaultVerdict v =
          FaultVerdict.newBuilder()
              .setVerdictId(verdictId(d.node(), d.faultClass().name(), d.eventTime()))
              .setNode(d.node())
              .setNodegroup(ctx.nodegroup())
              .setInstanceId(ctx.instanceId())
              .setZone(ctx.zone())
              .setFaultClass(d.faultClass())
              .setSeverity(d.severity())
              .setState(VerdictState.OPEN)
              .setRecommendedAction(d.action())
              .setGpus(d.gpus())
              .setEvidence(List.of(d.evidence()))
              .setRuleId(d.ruleId())
              .setRuleVersion(rules.version())
              .setDetectedAt(d.eventTime())
              .setUpdatedAt(d.eventTime())
              .setValidUntil(validUntil)
              .setHeld(false)
              .setIncidentId(null)
              .setSummary(d.summary())
              .setFixHint(d.fixHint())
              .setClearReason(null)
              .build();
      return Decision.keepAndEmit(v);
    }
    FaultVerdict cur = current.get();
    List<GpuRef> gpus = mergeGpus(cur.getGpus(), d.gpus());
    List<Evidence> evidence = appendEvidence(cur.getEvidence(), d.evidence());
    boolean newGpu = gpus.size() > cur.getGpus().size();
    Severity severity = d.severity();
    RemediationAction action = d.action();
    String summary = d.summary();
    if (d.faultClass() == FaultClass.APP_XID) {
      int repeats = repeatsOnGpu(evidence, d.evidence(), rules.appRepeat().within());
      if (repeats >= rules.appRepeat().count()) {
        severity = rules.appRepeat().severity();
        action = rules.appRepeat().action();
        summary =
            d.summary()
                + ", "
                + repeats
                + " times on this GPU within "
                + rules.appRepeat().within().toMinutes()
                + " min: no longer just the application";
      }
    }
    boolean worseSeverity = severity.ordinal() > cur.getSeverity().ordinal();
    boolean harderAction = rank(action) > rank(cur.getRecommendedAction());
    Instant latest = later(cur.getValidUntil(), validUntil);
    FaultVerdict.Builder next =
        FaultVerdict.newBuilder(cur)
            .setGpus(gpus)
            .setEvidence(evidence)
            .setValidUntil(latest)
            .setNodegroup(orElse(ctx.nodegroup(), cur.getNodegroup()))
            .setInstanceId(orElse(ctx.instanceId(), cur.getInstanceId()))
            .setZone(orElse(ctx.zone(), cur.getZone()));
    if (!(newGpu || worseSeverity || harderAction)) {
      return Decision.keepSilently(next.build());
    }
    next.setState(VerdictState.UPDATED)
        .setUpdatedAt(later(cur.getUpdatedAt(), d.eventTime()))
        .setSummary(summary);
    if (worseSeverity) {
      next.setSeverity(severity);
    }
    if (harderAction) {
      next.setRecommendedAction(action).setRuleId(d.ruleId());
      if (d.fixHint() != null) {
        next.setFixHint(d.fixHint());
      }
    }
    return Decision.keepAndEmit(next.build());
  }

  /**
   * How far up the ladder an action is: acting on a GPU, then the node, then replacing it; a human
   * (ESCALATE) is the top.
   */
  static int rank(RemediationAction a) {
    return switch (a) {
      case NONE -> 0;
      case NOTIFY -> 1;
      case CORDON, UNCORDON, VALIDATE -> 2;
      case DRAIN -> 3;
      case RESET_GPU -> 4;
      case REBOOT -> 5;
      case REPLACE -> 6;
      case ESCALATE -> 7;
    };
  }

  private static int repeatsOnGpu(List<Evidence> all, Evidence latest, Duration within) {
    String gpu = latest.getGpuUuid();
    Instant since = latest.getEventTime().minus(within);
    int n = 0;
    for (Evidence e : all) {
      if (Objects.equals(gpu, e.getGpuUuid()) && !e.getEventTime().isBefore(since)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether a detection that would open a new verdict only repeats evidence from before the node
   * last recovered from its class ({@code lastRecovered}, whole-node recovery evidence: a reboot,
   * Ready again, the condition gone). A GPU window closes up to a window and its grace after its
   * samples, and a NotReady joins an XID up to the join window later, so their results can arrive
   * after the reboot or the Ready that ended what they saw; such a result opens nothing. The start
   * of a detection's evidence is the earlier of its time and its evidence's time (for the NotReady
   * join: the NotReady).
   */
  public static boolean predates(Signal.Detected d, Instant lastRecovered) {
    if (lastRecovered == null) {
      return false;
    }
    Instant start = d.eventTime();
    Instant evidence = d.evidence() == null ? null : d.evidence().getEventTime();
    if (evidence != null && evidence.isBefore(start)) {
      start = evidence;
    }
    return start.isBefore(lastRecovered);
  }

  /** How long a recovery is remembered for {@link #predates}: the latest a stale result arrives. */
  public Duration recoveryMemory() {
    var w = rules.sampleWindow();
    var n = rules.node();
    Duration window = w.size().plus(w.grace());
    Duration join = n.notReadyJoinWindow().plus(n.notReadyJoinGrace());
    return (window.compareTo(join) > 0 ? window : join).multipliedBy(2);
  }

  /** Applies recovery evidence to an open verdict of one of the signal's classes. */
  public Decision onRecovered(FaultVerdict current, Signal.Recovered r) {
    if (!r.classes().contains(current.getFaultClass())
        || (r.ruleId() != null && !r.ruleId().equals(current.getRuleId()))) {
      return Decision.keepSilently(current);
    }
    if (observedFrom(r).isBefore(current.getDetectedAt())) {
      // Recovery evidence older than the fault says nothing about it (out-of-order input), and a
      // clean window must lie wholly after it: the window that ends as an XID arrives was read
      // before the fault and would clear it at once, when it happens to be decided after the XID.
      return Decision.keepSilently(current);
    }
    List<GpuRef> remaining = new ArrayList<>();
    if (!r.gpuUuids().isEmpty()) {
      for (GpuRef g : current.getGpus()) {
        if (!r.gpuUuids().contains(g.getUuid())) {
          remaining.add(g);
        }
      }
      if (remaining.size() == current.getGpus().size()) {
        return Decision.keepSilently(current);
      }
    }
    List<Evidence> evidence = appendEvidence(current.getEvidence(), r.evidence());
    if (!remaining.isEmpty()) {
      FaultVerdict updated =
          FaultVerdict.newBuilder(current)
              .setGpus(remaining)
              .setEvidence(evidence)
              .setState(VerdictState.UPDATED)
              .setUpdatedAt(later(current.getUpdatedAt(), r.eventTime()))
              .build();
      return Decision.keepAndEmit(updated);
    }
    FaultVerdict cleared =
        FaultVerdict.newBuilder(current)
            .setEvidence(evidence)
            .setState(VerdictState.CLEARED)
            .setUpdatedAt(later(current.getUpdatedAt(), r.eventTime()))
            .setClearReason(r.reason())
            .build();
    return Decision.forgetAndEmit(cleared);
  }

  /** Since when the recovery was observed: a window's start, else the moment of the evidence. */
  private static Instant observedFrom(Signal.Recovered r) {
    Instant start = r.evidence() == null ? null : r.evidence().getWindowStart();
    return start != null ? start : r.eventTime();
  }

  /** Clears an open verdict whose {@code validUntil} has passed at {@code streamTime}. */
  public Decision onTime(FaultVerdict current, Instant streamTime) {
    if (streamTime.isBefore(current.getValidUntil())) {
      return Decision.keepSilently(current);
    }
    FaultVerdict cleared =
        FaultVerdict.newBuilder(current)
            .setState(VerdictState.CLEARED)
            .setUpdatedAt(current.getValidUntil())
            .setClearReason("expired: no new evidence before validUntil " + current.getValidUntil())
            .build();
    return Decision.forgetAndEmit(cleared);
  }

  static String verdictId(String node, String faultClass, Instant detectedAt) {
    String seed = node + '\u0000' + faultClass + '\u0000' + detectedAt.toEpochMilli();
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static List<GpuRef> mergeGpus(List<GpuRef> have, List<GpuRef> add) {
    Map<String, GpuRef> byUuid = new LinkedHashMap<>();
    have.forEach(g -> byUuid.put(g.getUuid(), g));
    // A GPU first named without its pods (an XID before any window attributed it) takes them from
    // a later signal; once known they stay, so a verdict does not churn with every window.
    add.forEach(g -> byUuid.merge(g.getUuid(), g, (was, now) -> GpuPods.filled(was, now)));
    return new ArrayList<>(byUuid.values());
  }

  private static List<Evidence> appendEvidence(List<Evidence> have, Evidence add) {
    List<Evidence> out = new ArrayList<>(have);
    out.add(add);
    while (out.size() > MAX_EVIDENCE) {
      // Keep the first piece (what opened the verdict) and the newest ones.
      out.remove(1);
    }
    return out;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static String orElse(String v, String dflt) {
    return v != null ? v : dflt;
  }
}
