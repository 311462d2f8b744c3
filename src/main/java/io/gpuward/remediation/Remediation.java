package io.gpuward.remediation;

import io.gpuward.avro.ControlCommand;
import io.gpuward.avro.ControlKind;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuRef;
import io.gpuward.avro.Outcome;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.RemediationRecord;
import io.gpuward.avro.SkipReason;
import io.gpuward.avro.VerdictState;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CloudPort;
import io.gpuward.remediation.port.ClusterPort;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an action is taken: plan (pure {@link Planner}) → apply (through the cluster and cloud
 * ports) → report (a {@link RemediationRecord} for every decision and step, to the audit sink).
 */
public final class Remediation {
  private static final Logger log = LoggerFactory.getLogger(Remediation.class);

  private final Planner planner;
  private final ClusterPort cluster;
  private final CloudPort cloud;
  private final Consumer<RemediationRecord> audit;
  private final Clock clock;
  private final boolean dryRun;
  private final MeterRegistry meters;
  private final Ledger ledger = new Ledger();
  private final ControlState controls = new ControlState();
  private final FleetView fleet = new FleetView();
  private final Budgets budgets;
  private final CordonCeiling cordons;
  private final Map<String, FaultVerdict> waitingForCordon = new ConcurrentHashMap<>();
  private final Map<String, FaultVerdict> open = new ConcurrentHashMap<>();
  private final Map<String, FaultVerdict> latest = new ConcurrentHashMap<>();
  private final Map<String, FaultVerdict> waitingForBudget = new ConcurrentHashMap<>();
  private final Map<String, Instant> deferred = new ConcurrentHashMap<>();

  /**
   * When the remediator first read each open verdict. A remediator running behind the verdict topic
   * reads a verdict late and the engine's hold for it is still further down the topic: correlation
   * settles from the later of detection and first read (a storm's first members were drained when
   * the remediator read them 20 s late and acted on the version it had).
   */
  private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

  /** Operations being carried out right now, on any lane: one operation id is never run twice. */
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

  private final java.util.concurrent.atomic.AtomicBoolean timerStarted =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "gpuward-remediator-settle");
            t.setDaemon(true);
            return t;
          });
  private volatile java.util.function.Consumer<FaultVerdict> replan = v -> {};
  private volatile String observeOnly;
  private volatile Consumer<Step> intent = s -> {};

  public Remediation(
      Planner planner,
      ClusterPort cluster,
      CloudPort cloud,
      Consumer<RemediationRecord> audit,
      Clock clock,
      boolean dryRun,
      MeterRegistry meters) {
    this.planner = planner;
    this.cluster = cluster;
    this.cloud = cloud;
    this.audit = audit;
    this.clock = clock;
    this.dryRun = dryRun;
    this.meters = meters;
    this.budgets = new Budgets(planner.policy().budgets(), fleet::size);
    this.cordons = new CordonCeiling(planner.policy().cordonCeiling(), fleet::size);
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
    } else {
      latest.put(v.getVerdictId(), v);
      firstSeen.putIfAbsent(v.getVerdictId(), clock.instant());
    }
  }

  /**
   * Where verdicts go to be planned again when budget frees (the service hands them to their node's
   * lane). Default: dropped.
   */
  public void onReplan(java.util.function.Consumer<FaultVerdict> replan) {
    this.replan = replan;
  }

  private void release(String node) {
    if (!budgets.holds(node)) {
      return;
    }
    budgets.release(node);
    List<FaultVerdict> waiting = List.copyOf(waitingForBudget.values());
    waitingForBudget.clear();
    waiting.forEach(w -> replan.accept(latest.getOrDefault(w.getVerdictId(), w)));
  }

  /**
   * Called after a step's intent (STARTED) was reported and before the step is carried out: the
   * service makes the intent durable there. A test hook may stop the remediator at this point.
   */
  public void onIntent(Consumer<Step> intent) {
    this.intent = intent;
  }

  public ControlState controls() {
    return controls;
  }

  public FleetView fleet() {
    return fleet;
  }

  public Budgets budgets() {
    return budgets;
  }

  public CordonCeiling cordons() {
    return cordons;
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
   * Puts the remediator in observe-only mode (decisions are recorded as SKIPPED STALE with the
   * reason) or, with null, back to acting. Entering and leaving are announced in the audit stream.
   */
  public void observeOnly(String reason) {
    String before = observeOnly;
    observeOnly = reason;
    if (!Objects.equals(before, reason) && (before == null || reason == null)) {
      String id = "observe-only-" + clock.instant().toEpochMilli();
      announce(
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
    announce(
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
      return false;
    }
    open.put(v.getVerdictId(), v);
    latest.putIfAbsent(v.getVerdictId(), v);
    firstSeen.putIfAbsent(v.getVerdictId(), v.getDetectedAt()); // read back whole: settled
    return ledger.touched(v.getNode(), v.getVerdictId());
  }

  /** Restores a command read back at start: applied, not audited again. */
  public void restoreControl(ControlCommand c) {
    controls.apply(c);
  }

  private void announce(String id, String scope, String detail) {
    RemediationRecord r =
        RemediationRecord.newBuilder()
            .setOperationId("ctl-" + id)
            .setVerdictId(id)
            .setNode(scope)
            .setAction(RemediationAction.NONE)
            .setOutcome(Outcome.SUCCEEDED)
            .setReason(null)
            .setAttempt(1)
            .setPolicyVersion(planner.policy().version())
            .setAt(clock.instant())
            .setFaultClass(null)
            .setNodegroup(null)
            .setDryRun(dryRun)
            .setDetail(detail)
            .build();
    log.warn("remediator control: {}", detail);
    audit.accept(r);
  }

  public Ledger ledger() {
    return ledger;
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** Handles one verdict: plans, acts, and reports. */
  public void onVerdict(FaultVerdict read) {
    meters.counter(RemediationMetrics.VERDICTS, "state", read.getState().name()).increment();
    Optional<LiveNode> live = cluster.node(read.getNode());
    FaultVerdict v = placed(read, live);
    trackCordon(v, live);
    if (v.getState() == VerdictState.CLEARED) {
      open.remove(v.getVerdictId());
      latest.remove(v.getVerdictId());
      firstSeen.remove(v.getVerdictId());
      deferred.remove(v.getVerdictId());
      waitingForBudget.remove(v.getVerdictId());
      waitingForCordon.remove(v.getVerdictId());
      verifyFinished(v, live);
      release(v.getNode());
    } else {
      open.put(v.getVerdictId(), v);
      firstSeen.putIfAbsent(v.getVerdictId(), clock.instant());
    }
    if (v.getState() != VerdictState.CLEARED) {
      latest.merge(
          v.getVerdictId(), v, (a, b) -> b.getUpdatedAt().isAfter(a.getUpdatedAt()) ? b : a);
    }
    Observed observed =
        Observed.of(live, ledger)
            .with(controls, dryRun, observeOnly)
            .with(inProgress::contains, started -> resetTrace(v, started, live));
    List<Step> steps = planner.decide(v, observed, clock.instant()).steps();
    boolean replanNow = false;
    for (Step step : steps) {
      if (step.reportOnly()) {
        // Established without acting: a rung verified or not in time, a STARTED step reconciled.
        report(v, step, step.report(), null, step.detail());
        if (step.report() == Outcome.AMBIGUOUS) {
          release(v.getNode());
          replanNow = true;
        } else if (step.report() == Outcome.VERIFIED) {
          release(v.getNode());
        } else if (step.report() == Outcome.FAILED_PERMANENT
            && Actions.VERIFIABLE.contains(step.action())) {
          replanNow = true; // the ladder moves to its next rung
        }
        continue;
      }
      if (step.action() == RemediationAction.UNCORDON && !step.skipped()) {
        Optional<FaultVerdict> other = stillCordoning(v);
        if (other.isPresent()) {
          report(
              v,
              step,
              Outcome.SKIPPED,
              SkipReason.SUPERSEDED,
              "node stays cordoned: verdict "
                  + other.get().getVerdictId()
                  + " ("
                  + other.get().getFaultClass()
                  + ") is still open");
          continue;
        }
      }
      if (step.skipped()) {
        report(v, step, Outcome.SKIPPED, step.skip(), step.detail());
        continue;
      }
      if (step.action() == RemediationAction.NONE) {
        report(v, step, Outcome.PLANNED, null, step.detail());
        continue;
      }
      if (step.action() == RemediationAction.CORDON && !admitCordon(v, step)) {
        break;
      }
      if (Actions.DISRUPTIVE.contains(step.action())) {
        Instant seen = firstSeen.getOrDefault(v.getVerdictId(), v.getDetectedAt());
        Instant until =
            (seen.isAfter(v.getDetectedAt()) ? seen : v.getDetectedAt())
                .plus(planner.policy().correlationSettle());
        if (clock.instant().isBefore(until)) {
          defer(v, until); // planned again when correlation had its chance; the lane moves on
          break;
        }
        FaultVerdict now = latest.getOrDefault(v.getVerdictId(), v);
        if (now.getHeld() && !controls.approved(v.getVerdictId(), clock.instant())) {
          report(
              v,
              step,
              Outcome.SKIPPED,
              SkipReason.INCIDENT_HOLD,
              "held under fleet incident " + now.getIncidentId() + " while correlation settled");
          break;
        }
        var denied =
            budgets.acquire(
                v.getNode(), Budgets.scopes(v.getNodegroup(), v.getZone()), clock.instant());
        if (denied.isPresent()) {
          Instant freesAt = denied.get().freesAt();
          report(
              v,
              step,
              Outcome.SKIPPED,
              SkipReason.BUDGET,
              denied.get().reason()
                  + (freesAt == null
                      ? "; waiting"
                      : "; waiting (a slot frees at " + freesAt + ")"));
          // Planned again when another node releases its budget, or when the hour window frees.
          waitingForBudget.put(v.getVerdictId(), v);
          if (freesAt != null) {
            defer(v, freesAt);
          }
          break;
        }
        waitingForBudget.remove(v.getVerdictId());
      }
      if (!inProgress.add(step.operationId())) {
        // Another lane is carrying out this very operation (one escalation for a configuration
        // scope, planned for two of its nodes at once): look again once it is done.
        defer(v, clock.instant().plus(planner.policy().ladder().recheck()));
        break;
      }
      try {
        report(v, step, Outcome.PLANNED, null, step.detail());
        // The intent: durable (with the consumed offsets) before the action is taken.
        report(v, step, Outcome.STARTED, null, before(step, v, live));
        intent.accept(step);
        try {
          String detail;
          try {
            detail = execute(v, step, live);
          } catch (RuntimeException e) {
            throw StepFailures.wrap(e, step.action());
          }
          report(v, step, Outcome.SUCCEEDED, null, detail);
          event(v, step, true, detail);
          if (step.action() == RemediationAction.UNCORDON) {
            releaseCordon(v.getNode());
          }
          if (step.action() == RemediationAction.ESCALATE) {
            release(v.getNode());
          }
        } catch (ActuatorException e) {
          Outcome o =
              switch (e.kind()) {
                case TRANSIENT -> Outcome.FAILED_TRANSIENT;
                case PERMANENT -> Outcome.FAILED_PERMANENT;
                case AMBIGUOUS -> Outcome.AMBIGUOUS;
              };
          log.warn(
              "remediation step failed node={} verdictId={} action={} op={}: {}",
              v.getNode(),
              v.getVerdictId(),
              step.action(),
              step.operationId(),
              e.getMessage());
          report(v, step, o, null, e.getMessage());
          event(v, step, false, o + ": " + e.getMessage());
          if (step.action() == RemediationAction.CORDON && o != Outcome.AMBIGUOUS) {
            releaseCordon(v.getNode()); // not cordoned: its place goes back
          }
          boolean rung = Actions.VERIFIABLE.contains(step.action());
          if (o == Outcome.AMBIGUOUS || (o == Outcome.FAILED_PERMANENT && !rung)) {
            release(v.getNode());
          }
          if (rung && o != Outcome.FAILED_TRANSIENT) {
            replanNow = true; // the ladder moves to its next rung
          }
          break; // later steps depend on this one
        }
      } finally {
        inProgress.remove(step.operationId());
      }
    }
    if (v.getState() != VerdictState.CLEARED) {
      if (replanNow) {
        defer(v, clock.instant());
      } else if (planner.awaitingVerification(v, ledger)
          || planner.waitingForDisruption(v, ledger, clock.instant()).isPresent()
          || (steps.isEmpty() && !inProgress.isEmpty())) {
        defer(v, clock.instant().plus(planner.policy().ladder().recheck()));
      } else {
        // A configuration fault still open when its scope is due to be escalated again; a
        // cordoned fault still open when its follow-up (e.g. a reboot) is due.
        // A moment already past was planned for just now: what blocks it (budget, a pause, a
        // hold) wakes it when it changes, so it is not planned again and again in the meantime.
        planner
            .reescalationDue(v, ledger)
            .or(() -> planner.followUpDue(v, ledger))
            .filter(at -> at.isAfter(clock.instant()))
            .ifPresent(at -> defer(v, at));
      }
      controls
          .blockingExpiry(
              v.getNode(), v.getNodegroup(), v.getZone(), v.getVerdictId(), clock.instant())
          .ifPresent(at -> defer(v, at));
    }
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
      report(v, step, Outcome.SKIPPED, SkipReason.BUDGET, refused.get());
    }
    return false;
  }

  /** A Kubernetes Event on the node for an action taken on it or about it. Best effort. */
  private void event(FaultVerdict v, Step step, boolean ok, String detail) {
    if (step.action() == RemediationAction.NOTIFY) {
      return;
    }
    try {
      cluster.recordEvent(
          v.getNode(),
          step.action(),
          ok,
          step.operationId(),
          step.action()
              + (ok ? "" : " failed")
              + " for verdict "
              + v.getVerdictId()
              + " ("
              + v.getFaultClass()
              + ", op "
              + step.operationId()
              + "): "
              + detail);
    } catch (RuntimeException e) {
      log.warn(
          "event not recorded node={} op={}: {}", v.getNode(), step.operationId(), e.toString());
    }
  }

  /**
   * What the cloud's command history says of a GPU reset STARTED before a crash, over all the
   * verdict's GPUs: done only when every GPU's reset succeeded, not sent only when none was sent.
   */
  private CommandTrace resetTrace(FaultVerdict v, Ledger.Entry started, Optional<LiveNode> live) {
    String instance = Reconcile.field(started.detail(), "instanceId");
    if (instance == null || instance.equals("null")) {
      instance = live.map(LiveNode::instanceId).orElse(v.getInstanceId());
    }
    if (instance == null || v.getGpus().isEmpty()) {
      return CommandTrace.unknown("no instance or GPU to look up");
    }
    List<CommandTrace> each = new java.util.ArrayList<>();
    for (GpuRef g : v.getGpus()) {
      each.add(cloud.gpuResetTrace(instance, g.getUuid(), started.operationId(), started.at()));
    }
    String details = String.join("; ", each.stream().map(CommandTrace::detail).distinct().toList());
    java.util.Set<CommandTrace.State> states =
        each.stream()
            .map(CommandTrace::state)
            .collect(
                java.util.stream.Collectors.toCollection(
                    () -> java.util.EnumSet.noneOf(CommandTrace.State.class)));
    CommandTrace.State state;
    if (states.contains(CommandTrace.State.UNKNOWN)) {
      state = CommandTrace.State.UNKNOWN;
    } else if (states.contains(CommandTrace.State.FAILED)) {
      state = CommandTrace.State.FAILED;
    } else if (states.contains(CommandTrace.State.IN_PROGRESS)) {
      state = CommandTrace.State.IN_PROGRESS;
    } else if (states.size() == 1) {
      state = states.iterator().next(); // all SUCCEEDED, or none sent
    } else {
      return CommandTrace.unknown("sent for some GPUs only: " + details);
    }
    return new CommandTrace(state, details);
  }

  /** What the node looked like before the step, for reconciling after a crash. */
  private static String before(Step step, FaultVerdict v, Optional<LiveNode> live) {
    String instance = live.map(LiveNode::instanceId).orElse(v.getInstanceId());
    return switch (step.action()) {
      case REBOOT ->
          "bootId=" + live.map(LiveNode::bootId).orElse("unknown") + " instanceId=" + instance;
      case REPLACE, RESET_GPU -> "instanceId=" + instance;
      default -> null;
    };
  }

  /** Stops the timer that plans deferred verdicts again. */
  public void close() {
    timer.shutdownNow();
  }

  /** Plans {@code v} again once the remediator's clock reaches {@code until}, off the lane. */
  private void defer(FaultVerdict v, Instant until) {
    // The earliest wake wins: planning again early costs nothing, missing a moment loses it.
    deferred.merge(v.getVerdictId(), until, (a, b) -> a.isBefore(b) ? a : b);
    if (timerStarted.compareAndSet(false, true)) {
      timer.scheduleWithFixedDelay(this::wakeDeferred, 50, 50, TimeUnit.MILLISECONDS);
    }
  }

  /** Plans again every deferred verdict whose time has come on the remediator's clock. */
  void wakeDeferred() {
    Instant now = clock.instant();
    for (var e : deferred.entrySet()) {
      if (!now.isBefore(e.getValue()) && deferred.remove(e.getKey(), e.getValue())) {
        FaultVerdict v = latest.get(e.getKey());
        if (v == null) {
          continue;
        }
        try {
          replan.accept(v);
        } catch (RuntimeException ex) {
          // One verdict that cannot be handed on (e.g. lanes closing) must not end the timer:
          // an exception out of a fixed-delay task cancels it, and every later wake with it.
          log.warn(
              "deferred verdict not planned again node={} verdictId={}: {}",
              v.getNode(),
              v.getVerdictId(),
              ex.toString());
        }
      }
    }
  }

  /** Another open verdict on the node whose action keeps the node cordoned, if any. */
  private Optional<FaultVerdict> stillCordoning(FaultVerdict cleared) {
    return open.values().stream()
        .filter(o -> o.getNode().equals(cleared.getNode()))
        .filter(o -> !o.getVerdictId().equals(cleared.getVerdictId()))
        .filter(o -> Actions.NODE.contains(o.getRecommendedAction()))
        .findFirst();
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
        var r =
            Reconcile.of(
                x,
                live,
                planner.policy().ladder(),
                clock.instant(),
                started -> resetTrace(v, started, live));
        switch (r.kind()) {
          case DONE ->
              report(v, step, Outcome.SUCCEEDED, null, "reconciled after restart: " + r.why());
          case FAILED ->
              report(
                  v,
                  step,
                  Outcome.FAILED_PERMANENT,
                  null,
                  "reconciled after restart: " + r.why() + "; the verdict cleared meanwhile");
          case UNKNOWABLE, WAIT ->
              report(
                  v,
                  step,
                  Outcome.AMBIGUOUS,
                  null,
                  "reconciled after restart: " + r.why() + "; the verdict cleared meanwhile");
          default ->
              report(
                  v,
                  step,
                  Outcome.FAILED_PERMANENT,
                  null,
                  "reconciled after restart: "
                      + r.why()
                      + "; not carried out, and the verdict cleared meanwhile: not retried");
        }
      }
      if (ledger.outcome(x.operationId()).orElse(null) == Outcome.SUCCEEDED) {
        report(
            v,
            step,
            Outcome.VERIFIED,
            null,
            "verdict cleared after " + a + ": " + v.getClearReason());
      }
    }
  }

  private String execute(FaultVerdict v, Step step, Optional<LiveNode> live) {
    String node = v.getNode();
    String instanceId =
        live.map(LiveNode::instanceId).filter(s -> !s.isBlank()).orElse(v.getInstanceId());
    switch (step.action()) {
      case CORDON -> {
        cluster.cordon(node, step.operationId());
        return "cordoned";
      }
      case UNCORDON -> {
        cluster.uncordon(node, step.operationId());
        return "uncordoned";
      }
      case DRAIN -> {
        DrainResult r = cluster.drain(node, planner.policy().drainDeadline());
        if (!r.complete()) {
          throw new ActuatorException(
              ActuatorException.Kind.TRANSIENT,
              "drain incomplete: "
                  + r.blockedByPdb()
                  + " pod(s) blocked by PodDisruptionBudgets after "
                  + r.evicted()
                  + " evicted");
        }
        return "drained: "
            + r.evicted()
            + " evicted, "
            + r.skippedDaemonSet()
            + " DaemonSet pods left";
      }
      case RESET_GPU -> {
        List<GpuRef> gpus = v.getGpus();
        if (gpus.isEmpty()) {
          throw new ActuatorException(
              ActuatorException.Kind.PERMANENT, "verdict names no GPU to reset");
        }
        for (GpuRef g : gpus) {
          cloud.resetGpu(requireInstance(instanceId), g.getUuid(), step.operationId());
        }
        return "reset " + gpus.size() + " GPU(s)";
      }
      case REBOOT -> {
        cloud.reboot(requireInstance(instanceId), step.operationId());
        return "reboot requested for " + instanceId;
      }
      case REPLACE -> {
        String asg =
            live.map(LiveNode::asgName)
                .filter(s -> !s.isBlank())
                .or(() -> fleet.asg(node))
                .or(
                    () ->
                        v.getNodegroup() == null
                            ? Optional.empty()
                            : cloud.autoScalingGroupOf(v.getNodegroup()))
                .orElse(null);
        cloud.replace(requireInstance(instanceId), asg, step.operationId());
        return "replacement requested instanceId=" + instanceId + " asg=" + asg;
      }
      case ESCALATE, NOTIFY -> {
        log.warn(
            "{} node={} verdictId={} class={}: {}",
            step.action(),
            node,
            v.getVerdictId(),
            v.getFaultClass(),
            step.detail());
        return step.detail();
      }
      default ->
          throw new ActuatorException(
              ActuatorException.Kind.PERMANENT, "no actuator for " + step.action());
    }
  }

  private static String requireInstance(String instanceId) {
    if (instanceId == null || instanceId.isBlank()) {
      throw new ActuatorException(
          ActuatorException.Kind.PERMANENT, "instance id of the node is unknown");
    }
    return instanceId;
  }

  private void report(
      FaultVerdict v, Step step, Outcome outcome, SkipReason reason, String detail) {
    if (outcome == Outcome.SKIPPED && ledger.repeatsSkip(step.operationId(), reason, detail)) {
      log.debug(
          "unchanged skip not audited again node={} verdictId={} action={} reason={} op={}",
          v.getNode(),
          v.getVerdictId(),
          step.action(),
          reason,
          step.operationId());
      return;
    }
    RemediationRecord r =
        RemediationRecord.newBuilder()
            .setOperationId(step.operationId())
            .setVerdictId(v.getVerdictId())
            .setNode(v.getNode())
            .setAction(step.action())
            .setOutcome(outcome)
            .setReason(reason)
            .setAttempt(step.attempt())
            .setPolicyVersion(planner.policy().version())
            .setAt(clock.instant())
            .setFaultClass(v.getFaultClass())
            .setNodegroup(v.getNodegroup())
            .setDryRun(dryRun)
            .setDetail(detail)
            .build();
    ledger.record(r);
    meters
        .counter(
            RemediationMetrics.RECORDS,
            "action",
            step.action().name(),
            "outcome",
            outcome.name(),
            "reason",
            reason == null ? "none" : reason.name())
        .increment();
    log.info(
        "audit node={} verdictId={} action={} outcome={} reason={} op={}",
        v.getNode(),
        v.getVerdictId(),
        step.action(),
        outcome,
        reason,
        step.operationId());
    audit.accept(r);
  }
}
