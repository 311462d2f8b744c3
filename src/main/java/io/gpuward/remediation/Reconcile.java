package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Decides whether a step that was STARTED before a crash happened, from live state and the cloud's
 * command history. Pure.
 */
final class Reconcile {
  private Reconcile() {}

  /**
   * Attempts of one step that restarts may start. A step live state shows not done is retried: a
   * crash interrupts every step in flight on every lane, so in a crash loop one step is caught
   * again and again by crashes that have nothing to do with it, and each retry is checked against
   * live state first. Only a step interrupted this often is left AMBIGUOUS, as the step itself most
   * likely stops the remediator (a poison step in a crash loop).
   */
  static final int MAX_ATTEMPTS_AFTER_RESTART = 10;

  /** What reconciling a STARTED step against live state found. */
  record Reconciled(Kind kind, String why) {
    enum Kind {
      /** It happened: record SUCCEEDED. */
      DONE,
      /** It did not happen and doing it is safe: retry (a bounded number of times). */
      RETRY,
      /** Live state cannot tell yet (a reboot may be under way): look again later. */
      WAIT,
      /** It ran and failed (the cloud's command history says so): FAILED_PERMANENT. */
      FAILED,
      /** Live state cannot tell: AMBIGUOUS, never retried blindly. */
      UNKNOWABLE
    }

    static Reconciled of(Kind kind, String why) {
      return new Reconciled(kind, why);
    }
  }

  /** With the default ladder, at the moment the step started, and no command history. */
  static Reconciled of(Ledger.Entry started, Optional<LiveNode> live) {
    return of(started, live, RemediationPolicy.Ladder.DEFAULT, started.at(), Observed.NO_HISTORY);
  }

  /**
   * A REBOOT whose boot id has not changed is waited for until the ladder's REBOOT deadline: by
   * then a reboot that happened has changed the boot id, so one that did not is retried.
   */
  static Reconciled of(
      Ledger.Entry started,
      Optional<LiveNode> live,
      RemediationPolicy.Ladder ladder,
      Instant now,
      Function<Ledger.Entry, CommandTrace> traces) {
    String op = started.operationId();
    return switch (started.action()) {
      case CORDON ->
          live.isPresent()
                  && live.get().unschedulable()
                  && live.get().cordonedBy().map(op::equals).orElse(false)
              ? Reconciled.of(Reconciled.Kind.DONE, "the node is cordoned by this operation")
              : Reconciled.of(Reconciled.Kind.RETRY, "the node is not cordoned by it");
      case UNCORDON ->
          live.isEmpty() || (!live.get().unschedulable() && !live.get().degraded())
              ? Reconciled.of(Reconciled.Kind.DONE, "the node is schedulable")
              : Reconciled.of(
                  Reconciled.Kind.RETRY,
                  live.get().unschedulable()
                      ? "the node is still cordoned"
                      : "the node is still marked degraded");
      case REBOOT -> reboot(started, live, ladder, now);
      case REPLACE ->
          replacedAway(started, live)
              ? Reconciled.of(Reconciled.Kind.DONE, "the node's instance is gone")
              : Reconciled.of(
                  Reconciled.Kind.RETRY,
                  "the instance is still there; terminating that same instance is idempotent");
      case RESET_GPU -> reset(started, ladder, now, traces.apply(started));
      default ->
          Reconciled.of(
              Reconciled.Kind.RETRY, started.action() + " is idempotent and safe to repeat");
    };
  }

  private static Reconciled reboot(
      Ledger.Entry started, Optional<LiveNode> live, RemediationPolicy.Ladder ladder, Instant now) {
    String before = field(started.detail(), "bootId");
    if (live.isPresent() && before != null && !before.equals(live.get().bootId())) {
      return Reconciled.of(
          Reconciled.Kind.DONE, "boot id changed " + before + " -> " + live.get().bootId());
    }
    if (live.isEmpty() || before == null) {
      return Reconciled.of(Reconciled.Kind.UNKNOWABLE, "the boot id before is unknown");
    }
    Instant due = started.at().plus(ladder.deadline(RemediationAction.REBOOT));
    if (now.isBefore(due)) {
      return Reconciled.of(
          Reconciled.Kind.WAIT, "boot id unchanged: the reboot may still be under way");
    }
    return Reconciled.of(
        Reconciled.Kind.RETRY,
        "boot id still " + before + " " + ladder.deadline(RemediationAction.REBOOT) + " later");
  }

  /** A GPU reset leaves no trace on the node; the cloud's command history has one. */
  private static Reconciled reset(
      Ledger.Entry started, RemediationPolicy.Ladder ladder, Instant now, CommandTrace t) {
    return switch (t.state()) {
      case SUCCEEDED -> Reconciled.of(Reconciled.Kind.DONE, t.detail());
      case FAILED -> Reconciled.of(Reconciled.Kind.FAILED, t.detail());
      case NOT_SENT -> Reconciled.of(Reconciled.Kind.RETRY, "never sent: " + t.detail());
      case IN_PROGRESS ->
          now.isBefore(started.at().plus(ladder.deadline(RemediationAction.RESET_GPU)))
              ? Reconciled.of(Reconciled.Kind.WAIT, t.detail())
              : Reconciled.of(
                  Reconciled.Kind.UNKNOWABLE,
                  t.detail()
                      + ", still "
                      + ladder.deadline(RemediationAction.RESET_GPU)
                      + " after it started");
      case UNKNOWN ->
          Reconciled.of(
              Reconciled.Kind.UNKNOWABLE,
              "a GPU reset leaves no trace in live state and the command history cannot"
                  + " tell ("
                  + t.detail()
                  + "): it may or may not have run");
    };
  }

  /** REPLACE took effect: the node is gone, or runs on another instance. */
  static boolean replacedAway(Ledger.Entry replace, Optional<LiveNode> live) {
    String before = field(replace.detail(), "instanceId");
    return live.isEmpty() || (before != null && !before.equals(live.get().instanceId()));
  }

  /** {@code key=value} out of a record detail, or null. */
  static String field(String detail, String key) {
    if (detail == null) {
      return null;
    }
    var m = Pattern.compile("\\b" + key + "=(\\S+)").matcher(detail);
    return m.find() ? m.group(1) : null;
  }
}
