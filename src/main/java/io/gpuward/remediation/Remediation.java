package io.gpuward.remediation;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.contract.FaultClasses;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.HealthMark;
import io.gpuward.remediation.port.LiveNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an action is taken. For each verdict the loop observes (the live node, the verdict's
 * trusted placement), decides (the pure {@link Planner}), applies (the steps, through {@link
 * ApplyGates}, budgets and {@link Actuation}) and reports ({@link AuditReport}); then {@link
 * Requeue} says when to look again.
 */
public final class Remediation {
  private static final Logger log = LoggerFactory.getLogger(Remediation.class);

  /** How often a settled disruptive step looks again whether the remediator read far enough. */
  static final Duration READ_BARRIER_RECHECK = Duration.ofMillis(500);

  /** How long a configuration verdict waits for the inventory that places its node. */
  static final Duration PLACEMENT_WAIT = Duration.ofSeconds(30);

  private final Planner planner;
  private final Clock clock;
  private final boolean dryRun;
  private final MeterRegistry meters;
  private final Ledger ledger = new Ledger();
  private final ControlState controls = new ControlState();
  private final FleetView fleet = new FleetView();
  private final Budgets budgets;
  private final CordonCeiling cordons;
  private final Actuation actuation;
  private final AuditReport reporter;
  private final Requeue requeue;
  private final Wakeups wakeups;
  private final ApplyGates.CorrelationSettle settle;
  private final ApplyGates.SettledHold settledHold = new ApplyGates.SettledHold();
  private final ApplyGates.StillCordoning stillCordoning = new ApplyGates.StillCordoning();
  private final Map<String, FaultVerdict> waitingForCordon = new ConcurrentHashMap<>();
  private final Map<String, FaultVerdict> open = new ConcurrentHashMap<>();
  private final OpenIncidents incidents = new OpenIncidents();
  private final Map<String, FaultVerdict> latest = new ConcurrentHashMap<>();
  private final Map<String, FaultVerdict> waitingForBudget = new ConcurrentHashMap<>();

  /**
   * Cleared verdicts whose node has not returned to service yet: diagnostics running, or a failed
   * validation climbing the ladder. Planned again by their wakeups like open ones.
   */
  private final Map<String, FaultVerdict> validating = new ConcurrentHashMap<>();

  /**
   * When the remediator first read each open verdict. A remediator running behind the verdict topic
   * reads a verdict late and the engine's hold for it is still further down the topic: correlation
   * settles from the later of detection and first read (a storm's first members were drained when
   * the remediator read them 20 s late and acted on the version it had).
   */
  private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

  /** Operations being carried out right now, on any lane: one operation id is never run twice. */
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

  private volatile Consumer<FaultVerdict> replan = v -> {};
  private volatile String observeOnly;
  private volatile Consumer<Step> intent = s -> {};
  private volatile ReadBarrier readBarrier = ReadBarrier.NONE;

  public Remediation(
      Planner planner,
      ClusterPort cluster,
      CloudPort cloud,
      Consumer<RemediationRecord> audit,
      Clock clock,
      boolean dryRun,
      MeterRegistry meters) {
    this(planner, cluster, cloud, audit, clock, dryRun, meters, WakeupMode.TIMER);
  }

  /** How deferred verdicts are planned again. */
  public enum WakeupMode {
    /** A timer thread looks every 50 ms: a remediator on a real or simulated running clock. */
    TIMER,
    /**
     * No thread: the owner advances a manual clock to {@link #nextWakeup()} and calls {@link
     * #wakeDue()} (a replay of history).
     */
    MANUAL
  }

  public Remediation(
      Planner planner,
      ClusterPort cluster,
      CloudPort cloud,
      Consumer<RemediationRecord> audit,
      Clock clock,
      boolean dryRun,
      MeterRegistry meters,
      WakeupMode wakeupMode) {
    RemediationPolicy policy = planner.policy();
    this.planner = planner;
    this.clock = clock;
    this.dryRun = dryRun;
    this.meters = meters;
    this.budgets = new Budgets(policy.budgets(), fleet::size);
    this.cordons = new CordonCeiling(policy.cordonCeiling(), fleet::size);
    this.actuation =
        new Actuation(
            cluster,
            cloud,
            fleet,
            policy.drainDeadline(),
            policy.validate().level(),
            policy.gpuReset(),
            policy.perGpu(),
            policy.validate());
    this.reporter = new AuditReport(ledger, audit, clock, policy.version(), dryRun, meters);
    this.requeue = new Requeue(planner);
    this.wakeups =
        new Wakeups(clock, this::newest, v -> replan.accept(v), wakeupMode == WakeupMode.TIMER);
    this.settle = new ApplyGates.CorrelationSettle(policy.correlationSettle());
  }

  public Planner planner() {
    return planner;
  }

  /** The remediator's clock: verdicts and commands are checked against it. */
  public Clock clock() {
    return clock;
  }

  /**
   * Records the newest version of a verdict as soon as it is read (before its node's turn), so a
   * step waiting for correlation sees a hold that arrived meanwhile.
   */
  public void noteLatest(FaultVerdict v) {
    if (v.getState() == VerdictState.CLEARED) {
      latest.remove(v.getVerdictId());
      firstSeen.remove(v.getVerdictId());
      readBarrier.forget(v.getVerdictId());
    } else {
      latest.put(v.getVerdictId(), v);
      firstSeen.putIfAbsent(v.getVerdictId(), clock.instant());
    }
  }

  /**
   * Where verdicts go to be planned again when budget frees (the service hands them to their node's
   * lane). Default: dropped.
   */
  public void onReplan(Consumer<FaultVerdict> replan) {
    this.replan = replan;
  }

  /**
   * Called after a step's intent (STARTED) was reported and before the step is carried out: the
   * service makes the intent durable there. A test hook may stop the remediator at this point.
   */
  public void onIntent(Consumer<Step> intent) {
    this.intent = intent;
  }

  /**
   * What a disruptive step asks, once correlation settled, before it looks for a hold: whether the
   * remediator has read the verdict's versions published so far. Default: {@link ReadBarrier#NONE}.
   */
  public void readBarrier(ReadBarrier barrier) {
    this.readBarrier = barrier;
  }

  public ControlState controls() {
    return controls;
  }

  public FleetView fleet() {
    return fleet;
  }

  /** The open fleet incidents as read from the incidents topic. */
  public OpenIncidents incidents() {
    return incidents;
  }

  public Budgets budgets() {
    return budgets;
  }

  public CordonCeiling cordons() {
    return cordons;
  }

  public Ledger ledger() {
    return ledger;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /**
   * Puts the remediator in observe-only mode (decisions are recorded as SKIPPED STALE with the
   * reason) or, with null, back to acting. Entering and leaving are announced in the audit stream.
   */
  public void observeOnly(String reason) {
    String before = observeOnly;
    observeOnly = reason;
    if (!Objects.equals(before, reason) && (before == null || reason == null)) {
      String id = "observe-only-" + clock.instant().toEpochMilli();
      reporter.announce(
          id,
          "global",
          reason == null
              ? "acting again: " + before + " no longer holds"
              : "observe-only: " + reason);
      if (reason == null) {
        List.copyOf(open.values()).forEach(replan); // what was only observed may be acted on now
      }
    }
  }

  public boolean isObserveOnly() {
    return observeOnly != null;
  }

  /**
   * Applies an operator command, audits it, and returns the open verdicts to plan again (a RESUME
   * or APPROVE may let them through now).
   */
  public List<FaultVerdict> onControl(ControlCommand c) {
    controls.apply(c);
    reporter.announce(
        c.getCommandId(),
        c.getScope(),
        c.getKind()
            + " "
            + c.getScope()
            + " by "
            + c.getOperator()
            + (c.getReason() == null ? "" : ": " + c.getReason())
            + (c.getExpiresAt() == null ? "" : " (until " + c.getExpiresAt() + ")"));
    if (c.getKind() == ControlKind.RESUME || c.getKind() == ControlKind.APPROVE) {
      return List.copyOf(open.values());
    }
    return List.of();
  }

  /**
   * Restores an open verdict read back at start (its latest version), so that a node stays cordoned
   * while any of its verdicts is open and a ladder waiting for verification resumes. Returns true
   * when the remediator had acted on it and should plan it again.
   */
  public boolean restoreOpen(FaultVerdict v) {
    if (v.getState() == VerdictState.CLEARED) {
      // Its node may still wait on diagnostics sent before the restart: read, never sent again.
      if (!planner.validationUnresolved(v, ledger)) {
        return false;
      }
      validating.put(v.getVerdictId(), v);
      return true;
    }
    open.put(v.getVerdictId(), v);
    latest.putIfAbsent(v.getVerdictId(), v);
    firstSeen.putIfAbsent(v.getVerdictId(), v.getDetectedAt()); // read back whole: settled
    return ledger.touched(v.getNode(), v.getVerdictId());
  }

  /**
   * Rebuilds budget use from the ledger and the open verdicts, after both and the inventory were
   * restored: a restart never frees budget. Each fault session's disruption counts once, at its
   * first disruptive start; it still holds its budget while its verdict is open and no VERIFIED or
   * AMBIGUOUS record followed.
   */
  public void restoreBudgets() {
    Instant now = clock.instant();
    Map<String, FaultVerdict> openBySession = new HashMap<>();
    open.values().forEach(v -> openBySession.put(v.getNode() + "/" + v.getVerdictId(), v));
    for (Ledger.SessionStart s : ledger.sessionStarts()) {
      FaultVerdict v = openBySession.get(s.node() + "/" + s.session());
      String group = v != null ? v.getNodegroup() : s.nodegroup();
      String zone = v != null ? v.getZone() : fleet.zone(s.node()).orElse(null);
      boolean holding = v != null && ledger.stillDisrupting(s);
      budgets.restore(s.node(), s.session(), Budgets.scopes(group, zone), s.at(), holding, now);
    }
  }

  /** Restores a command read back at start: applied, not audited again. */
  public void restoreControl(ControlCommand c) {
    controls.apply(c);
  }

  /** Handles one verdict: observes, decides, applies, reports, and says when to look again. */
  public void onVerdict(FaultVerdict read) {
    meters.counter(RemediationMetrics.VERDICTS, "state", read.getState().name()).increment();
    Optional<LiveNode> live = actuation.observe(read.getNode());
    if (awaitingPlacement(read, live)) {
      return;
    }
    FaultVerdict v = placed(read, live);
    track(v, live);
    Observed observed =
        Observed.of(live, ledger)
            .with(controls, dryRun, observeOnly)
            .with(inProgress::contains, started -> actuation.trace(v, started, live));
    Decision decision = planner.decide(v, observed, clock.instant());
    List<Step> steps = decision.steps();
    boolean ladderMoves = apply(v, steps, live);
    keepValidating(v, decision, ladderMoves);
    Optional<Instant> again =
        requeue.next(
            v,
            ledger,
            controls,
            ladderMoves,
            steps.isEmpty() && !inProgress.isEmpty(),
            clock.instant());
    if (decision instanceof Decision.Defer d) {
      log.debug("deferred verdictId={} until {}: {}", v.getVerdictId(), d.until(), d.reason());
      again = again.filter(at -> at.isBefore(d.until())).or(() -> Optional.of(d.until()));
    }
    again.ifPresent(at -> wakeups.at(v, at));
  }

  /** The newest version of a verdict to plan again: open, or cleared and still validating. */
  private FaultVerdict newest(String verdictId) {
    FaultVerdict v = latest.get(verdictId);
    return v != null ? v : validating.get(verdictId);
  }

  /**
   * A cleared verdict stays planned while its node is on its way back (diagnostics running, a rung
   * after a failed validation awaiting its own validation), and is let go once nothing is left.
   */
  private void keepValidating(FaultVerdict v, Decision decision, boolean ladderMoves) {
    if (v.getState() != VerdictState.CLEARED) {
      return;
    }
    if (decision instanceof Decision.Skip
        || !planner.policy().validate().appliesTo(v.getFaultClass())) {
      validating.remove(v.getVerdictId());
      return;
    }
    validating.put(v.getVerdictId(), v);
    if (ladderMoves) {
      wakeups.at(v, clock.instant()); // a failed validation: the next rung at once
    } else if (decision instanceof Decision.Act) {
      wakeups.at(v, clock.instant().plus(planner.policy().ladder().recheck()));
    }
  }

  /**
   * A configuration fault is escalated once per node group, and the remediator places a node only
   * from sources it trusts (the live Node, the inventory). A node that never registered has no
   * Node, and its inventory may reach the remediator a moment after the verdict that names its
   * group: escalated at once, each such node would be a scope of its own and page on its own. So
   * such a verdict waits for its inventory, looking again every second, up to {@link
   * #PLACEMENT_WAIT} from its first reading; then it goes with what is known.
   */
  private boolean awaitingPlacement(FaultVerdict v, Optional<LiveNode> live) {
    if (v.getState() == VerdictState.CLEARED
        || !FaultClasses.isConfiguration(v.getFaultClass())
        || v.getNodegroup() == null
        || v.getNodegroup().isBlank()
        || Placement.of(v.getNode(), live, fleet).nodegroup() != null) {
      return false;
    }
    Instant now = clock.instant();
    Instant until = firstSeen.computeIfAbsent(v.getVerdictId(), k -> now).plus(PLACEMENT_WAIT);
    if (!now.isBefore(until)) {
      return false;
    }
    latest.merge(v.getVerdictId(), v, (a, b) -> b.getUpdatedAt().isAfter(a.getUpdatedAt()) ? b : a);
    Instant again = now.plusSeconds(1);
    wakeups.at(v, again.isBefore(until) ? again : until);
    log.debug(
        "node={} verdictId={}: waiting for its inventory to place it",
        v.getNode(),
        v.getVerdictId());
    return true;
  }

  /**
   * Keeps the open verdicts, their newest versions and the cordon ceiling in step with {@code v}.
   */
  private void track(FaultVerdict v, Optional<LiveNode> live) {
    trackCordon(v, live);
    if (v.getState() == VerdictState.CLEARED) {
      open.remove(v.getVerdictId());
      latest.remove(v.getVerdictId());
      firstSeen.remove(v.getVerdictId());
      readBarrier.forget(v.getVerdictId());
      wakeups.cancel(v.getVerdictId());
      waitingForBudget.remove(v.getVerdictId());
      waitingForCordon.remove(v.getVerdictId());
      verifyFinished(v, live);
      release(v);
      return;
    }
    open.put(v.getVerdictId(), v);
    firstSeen.putIfAbsent(v.getVerdictId(), clock.instant());
    latest.merge(v.getVerdictId(), v, (a, b) -> b.getUpdatedAt().isAfter(a.getUpdatedAt()) ? b : a);
  }

  /** What applying one step leaves: whether later steps go on, whether the ladder moves on. */
  private record Applied(boolean goOn, boolean ladderMoves) {
    static final Applied NEXT = new Applied(true, false);
    static final Applied STOP = new Applied(false, false);
  }

  /** Applies the steps in order; true when the ladder moves on and the verdict is planned again. */
  private boolean apply(FaultVerdict v, List<Step> steps, Optional<LiveNode> live) {
    boolean ladderMoves = false;
    Optional<HealthMark> mark = HealthMarks.ahead(steps);
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (mark.isPresent() && HealthMarks.setBefore(step)) {
        actuation.mark(v.getNode(), mark.get());
        mark = Optional.empty();
      }
      List<RemediationAction> next =
          steps.subList(i + 1, steps.size()).stream().map(Step::action).toList();
      Applied a = step.reportOnly() ? reportFact(v, step) : applyStep(v, step, live, next);
      ladderMoves |= a.ladderMoves();
      if (!a.goOn()) {
        break;
      }
    }
    return ladderMoves;
  }

  /** Established without acting: a rung verified or not in time, a STARTED step reconciled. */
  private Applied reportFact(FaultVerdict v, Step step) {
    reporter.report(v, step, step.report(), null, step.detail());
    if (step.report() == Outcome.AMBIGUOUS) {
      release(v);
      return new Applied(true, true);
    }
    if (step.report() == Outcome.VERIFIED) {
      release(v);
    } else if (step.report() == Outcome.FAILED_PERMANENT
        && (Actions.VERIFIABLE.contains(step.action())
            || step.action() == RemediationAction.VALIDATE)) {
      return new Applied(true, true); // the ladder moves to its next rung
    }
    return Applied.NEXT;
  }

  private Applied applyStep(
      FaultVerdict v, Step step, Optional<LiveNode> live, List<RemediationAction> next) {
    if (step.action() == RemediationAction.UNCORDON && !step.skipped()) {
      List<FaultVerdict> keeping = new ArrayList<>(open.values());
      keeping.addAll(validating.values());
      Optional<String> kept = stillCordoning.check(v, keeping);
      if (kept.isPresent()) {
        reporter.report(v, step, Outcome.SKIPPED, SkipReason.SUPERSEDED, kept.get());
        return Applied.NEXT;
      }
    }
    if (step.skipped()) {
      reporter.report(v, step, Outcome.SKIPPED, step.skip(), step.detail());
      return Applied.NEXT;
    }
    if (step.action() == RemediationAction.NONE) {
      reporter.report(v, step, Outcome.PLANNED, null, step.detail());
      return Applied.NEXT;
    }
    if (step.action() == RemediationAction.CORDON && !admitCordon(v, step)) {
      return Applied.STOP;
    }
    if (Actions.DISRUPTIVE.contains(step.action()) && !admitDisruption(v, step)) {
      return Applied.STOP;
    }
    if (!inProgress.add(step.operationId())) {
      // Another lane is carrying out this very operation (one escalation for a configuration
      // scope, planned for two of its nodes at once): look again once it is done.
      wakeups.at(v, clock.instant().plus(planner.policy().ladder().recheck()));
      return Applied.STOP;
    }
    if (ledger.finished(step.operationId())) {
      // Decided before another lane carried this very operation out and finished it (both lanes
      // read the ledger before either wrote): planned again on what is recorded now.
      inProgress.remove(step.operationId());
      wakeups.at(v, clock.instant());
      return Applied.STOP;
    }
    try {
      return carryOut(v, step, live, next);
    } finally {
      inProgress.remove(step.operationId());
    }
  }

  /**
   * A disruptive step goes once correlation settled, the newest version is not held, and budget is
   * free; else it is deferred, SKIPPED INCIDENT_HOLD or SKIPPED BUDGET (waiting for a slot).
   */
  private boolean admitDisruption(FaultVerdict v, Step step) {
    Instant now = clock.instant();
    Instant seen = firstSeen.getOrDefault(v.getVerdictId(), v.getDetectedAt());
    Optional<Instant> until = settle.waitUntil(v, seen, now);
    if (until.isPresent()) {
      wakeups.at(v, until.get()); // planned again when correlation had its chance; lane moves on
      return false;
    }
    if (!readBarrier.readThrough(v)) {
      meters.counter(RemediationMetrics.READ_BARRIER_WAITS).increment();
      wakeups.at(v, now.plus(READ_BARRIER_RECHECK)); // a hold may be in what is not read yet
      return false;
    }
    FaultVerdict newest = latest.getOrDefault(v.getVerdictId(), v);
    Optional<String> held =
        settledHold.check(newest, incidents.covering(newest, fleet), controls, clock.instant());
    if (held.isPresent()) {
      reporter.report(v, step, Outcome.SKIPPED, SkipReason.INCIDENT_HOLD, held.get());
      return false;
    }
    var denied =
        budgets.acquire(
            v.getNode(),
            v.getVerdictId(),
            Budgets.scopes(v.getNodegroup(), v.getZone()),
            clock.instant());
    if (denied.isPresent()) {
      Instant freesAt = denied.get().freesAt();
      reporter.report(
          v,
          step,
          Outcome.SKIPPED,
          SkipReason.BUDGET,
          denied.get().reason()
              + (freesAt == null ? "; waiting" : "; waiting (a slot frees at " + freesAt + ")"));
      // Planned again when another node releases its budget, or when the hour window frees.
      waitingForBudget.put(v.getVerdictId(), v);
      if (freesAt != null) {
        wakeups.at(v, freesAt);
      }
      return false;
    }
    waitingForBudget.remove(v.getVerdictId());
    return true;
  }

  /**
   * PLANNED, STARTED (made durable), then the action and its outcome; {@code next} are the actions
   * planned after it (a drain is per GPU only when nothing after it disrupts the whole node).
   */
  private Applied carryOut(
      FaultVerdict v, Step step, Optional<LiveNode> live, List<RemediationAction> next) {
    reporter.report(v, step, Outcome.PLANNED, null, step.detail());
    // The intent: durable (with the consumed offsets) before the action is taken.
    reporter.report(v, step, Outcome.STARTED, null, actuation.before(step, v, live));
    intent.accept(step);
    try {
      String detail;
      try {
        detail = actuation.execute(v, step, live, next);
      } catch (RuntimeException e) {
        throw StepFailures.wrap(e, step.action());
      }
      if (step.action() == RemediationAction.VALIDATE) {
        // Sent, not finished: its outcome is read from the cloud's history when planned again.
        log.info(
            "diagnostics sent node={} verdictId={} op={}: {}",
            v.getNode(),
            v.getVerdictId(),
            step.operationId(),
            detail);
        return Applied.STOP;
      }
      reporter.report(v, step, Outcome.SUCCEEDED, null, detail);
      actuation.event(v, step, true, detail);
      if (step.action() == RemediationAction.UNCORDON) {
        releaseCordon(v.getNode());
      }
      if (step.action() == RemediationAction.ESCALATE) {
        release(v);
      }
      return Applied.NEXT;
    } catch (ActuatorException e) {
      return failed(v, step, e);
    }
  }

  /** A step that failed: recorded, and what it held released. Later steps depend on it. */
  private Applied failed(FaultVerdict v, Step step, ActuatorException e) {
    Outcome o = ApplyGates.outcomeOf(e.kind());
    log.warn(
        "remediation step failed node={} verdictId={} action={} op={}: {}",
        v.getNode(),
        v.getVerdictId(),
        step.action(),
        step.operationId(),
        e.getMessage());
    reporter.report(v, step, o, null, e.getMessage());
    actuation.event(v, step, false, o + ": " + e.getMessage());
    if (step.action() == RemediationAction.CORDON && o != Outcome.AMBIGUOUS) {
      releaseCordon(v.getNode()); // not cordoned: its place goes back
    }
    boolean rung = Actions.VERIFIABLE.contains(step.action());
    if (o == Outcome.AMBIGUOUS || (o == Outcome.FAILED_PERMANENT && !rung)) {
      release(v);
    }
    // A rung that failed for good or may have happened: the ladder moves to its next rung.
    return new Applied(false, rung && o != Outcome.FAILED_TRANSIENT);
  }

  /**
   * A cleared verdict verifies the disruptive actions taken for it. A rung still STARTED (its
   * remediator died between intent and outcome, and the verdict cleared before a restart planned it
   * again) is reconciled against live state first, so that no intent is left without an outcome:
   * done (then verified), ran and failed (FAILED_PERMANENT), AMBIGUOUS when live state cannot tell
   * (a GPU reset whose command history cannot be read, a reboot that may still be under way), or
   * not done (then FAILED_PERMANENT, and not retried: nothing is left to fix).
   */
  private void verifyFinished(FaultVerdict v, Optional<LiveNode> live) {
    for (RemediationAction a : Actions.VERIFIABLE) {
      var e = ledger.latestAttempt(v.getNode(), v.getVerdictId(), a);
      if (e.isEmpty()) {
        continue;
      }
      Ledger.Entry x = e.get();
      Step step = new Step(x.operationId(), a, x.attempt(), null, null);
      if (x.outcome() == Outcome.STARTED && !inProgress.contains(x.operationId())) {
        reconcileCleared(v, step, x, live);
      }
      if (ledger.outcome(x.operationId()).orElse(null) == Outcome.SUCCEEDED) {
        ledger.cleared(v.getVerdictId(), v.getUpdatedAt());
        reporter.report(
            v,
            step,
            Outcome.VERIFIED,
            null,
            "verdict cleared after " + a + ": " + v.getClearReason());
      }
    }
  }

  private void reconcileCleared(
      FaultVerdict v, Step step, Ledger.Entry started, Optional<LiveNode> live) {
    var r =
        Reconcile.of(
            started,
            live,
            planner.policy().ladder(),
            clock.instant(),
            s -> actuation.resetTrace(v, s, live));
    String why = "reconciled after restart: " + r.why();
    String meanwhile = "; the verdict cleared meanwhile";
    switch (r.kind()) {
      case DONE -> reporter.report(v, step, Outcome.SUCCEEDED, null, why);
      case FAILED -> reporter.report(v, step, Outcome.FAILED_PERMANENT, null, why + meanwhile);
      case UNKNOWABLE, WAIT -> reporter.report(v, step, Outcome.AMBIGUOUS, null, why + meanwhile);
      default ->
          reporter.report(
              v,
              step,
              Outcome.FAILED_PERMANENT,
              null,
              why + "; not carried out, and the verdict cleared meanwhile: not retried");
    }
  }

  /**
   * The verdict with the node group and zone the remediator trusts (see {@link Placement}). A
   * verdict that disagrees is acted on with the trusted values, not skipped: the engine takes them
   * from inventory, which can lag a relabelled node, and refusing would let a forged placement
   * block a real repair, while overriding it leaves the forger nothing to gain.
   */
  private FaultVerdict placed(FaultVerdict v, Optional<LiveNode> live) {
    Placement p = Placement.of(v.getNode(), live, fleet);
    if (p.agreesWith(v)) {
      return v;
    }
    if (v.getState() != VerdictState.CLEARED) {
      log.warn(
          "verdict placement disagrees with the cluster node={} verdictId={} verdict={}/{}"
              + " trusted={}/{}: using the trusted one",
          v.getNode(),
          v.getVerdictId(),
          v.getNodegroup(),
          v.getZone(),
          p.nodegroup(),
          p.zone());
      meters.counter(RemediationMetrics.PLACEMENT_MISMATCH).increment();
    }
    return p.applyTo(v);
  }

  /**
   * Keeps the cordon ceiling in step with the node: a node found cordoned by gpuward (after a
   * restart, or by another verdict) is counted; once a cleared verdict finds it no longer cordoned
   * by gpuward (uncordoned by someone, or gone), its place is freed.
   */
  private void trackCordon(FaultVerdict v, Optional<LiveNode> live) {
    boolean ours = live.isPresent() && live.get().cordonedBy().isPresent();
    if (ours) {
      cordons.adopt(v.getNode(), Budgets.scopes(v.getNodegroup(), null));
    } else if (v.getState() == VerdictState.CLEARED) {
      releaseCordon(v.getNode());
    }
  }

  /**
   * Takes the node's place under the cordon ceiling; false (after a SKIPPED BUDGET, said once per
   * operation) when the ceiling is reached: the verdict waits for a place to free.
   */
  private boolean admitCordon(FaultVerdict v, Step step) {
    var refused = cordons.admit(v.getNode(), Budgets.scopes(v.getNodegroup(), null));
    if (refused.isEmpty()) {
      waitingForCordon.remove(v.getVerdictId());
      return true;
    }
    waitingForCordon.put(v.getVerdictId(), v);
    boolean said =
        ledger
            .entry(step.operationId())
            .filter(e -> e.outcome() == Outcome.SKIPPED)
            .filter(e -> e.detail() != null && e.detail().contains(CordonCeiling.REASON))
            .isPresent();
    if (!said) {
      reporter.report(v, step, Outcome.SKIPPED, SkipReason.BUDGET, refused.get());
    }
    return false;
  }

  /**
   * {@code v}'s fault session is done with its node's disruption; when that frees the node's
   * budget, plans again what waited for budget.
   */
  private void release(FaultVerdict v) {
    if (!budgets.release(v.getNode(), v.getVerdictId())) {
      return;
    }
    List<FaultVerdict> waiting = List.copyOf(waitingForBudget.values());
    waitingForBudget.clear();
    waiting.forEach(w -> replan.accept(latest.getOrDefault(w.getVerdictId(), w)));
  }

  /** Frees the node's place under the cordon ceiling and plans again what waited for one. */
  private void releaseCordon(String node) {
    if (!cordons.release(node)) {
      return;
    }
    List<FaultVerdict> waiting = List.copyOf(waitingForCordon.values());
    waitingForCordon.clear();
    waiting.forEach(w -> replan.accept(latest.getOrDefault(w.getVerdictId(), w)));
  }

  /** Plans again every deferred verdict whose time has come on the remediator's clock. */
  void wakeDeferred() {
    wakeups.wake();
  }

  /**
   * With {@link WakeupMode#MANUAL}: hands every deferred verdict due on the clock to the replan
   * hook.
   */
  public void wakeDue() {
    wakeups.wake();
  }

  /** The earliest moment a deferred verdict is due to be planned again, if any is deferred. */
  public Optional<Instant> nextWakeup() {
    return wakeups.nextDue();
  }

  /** Stops the timer that plans deferred verdicts again. */
  public void close() {
    wakeups.close();
  }
}
