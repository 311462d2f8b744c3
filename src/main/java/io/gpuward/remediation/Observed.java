package io.gpuward.remediation;

import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the remediator observed before deciding about one verdict: the node as the cluster shows it,
 * what it did already (the ledger), the operator's commands in force, its own mode, the operations
 * other lanes carry out now, and the cloud's command history.
 *
 * @param observeOnly why the remediator only observes right now (e.g. consumer lag), or null
 * @param running operations this remediator is carrying out right now (on another lane): a STARTED
 *     one of them is under way, not left behind by a crash, so it is waited for
 * @param traces what the cloud's command history says of a STARTED GPU reset (all the verdict's
 *     GPUs), for reconciling one left behind by a crash
 */
public record Observed(
    Optional<LiveNode> live,
    Ledger ledger,
    ControlState controls,
    boolean dryRun,
    String observeOnly,
    Predicate<String> running,
    Function<Ledger.Entry, CommandTrace> traces) {

  /** A cloud that keeps no command history: an interrupted GPU reset cannot be told. */
  static final Function<Ledger.Entry, CommandTrace> NO_HISTORY =
      started -> CommandTrace.unknown("no command history");

  /** The node and the ledger; no command in force, acting, nothing running, no history. */
  public static Observed of(Optional<LiveNode> live, Ledger ledger) {
    return new Observed(live, ledger, new ControlState(), false, null, op -> false, NO_HISTORY);
  }

  /** A copy with these commands in force and this mode. */
  public Observed with(ControlState c, boolean dry, String observeOnlyWhy) {
    return new Observed(live, ledger, c, dry, observeOnlyWhy, running, traces);
  }

  /** A copy that knows the operations under way and the cloud's command history. */
  public Observed with(Predicate<String> underWay, Function<Ledger.Entry, CommandTrace> history) {
    return new Observed(live, ledger, controls, dryRun, observeOnly, underWay, history);
  }
}
