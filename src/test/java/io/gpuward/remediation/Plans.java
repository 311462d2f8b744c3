package io.gpuward.remediation;

import io.gpuward.avro.FaultVerdict;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/** The steps of a planner's decision, from the observations a test names. */
final class Plans {
  private Plans() {}

  static List<Step> plan(
      Planner p, FaultVerdict v, Optional<LiveNode> live, Ledger ledger, boolean dry, Instant now) {
    return p.decide(v, Observed.of(live, ledger).with(new ControlState(), dry, null), now).steps();
  }

  static List<Step> plan(
      Planner p,
      FaultVerdict v,
      Optional<LiveNode> live,
      Ledger ledger,
      ControlState controls,
      boolean dry,
      String observeOnly,
      Instant now) {
    return p.decide(v, Observed.of(live, ledger).with(controls, dry, observeOnly), now).steps();
  }

  static List<Step> plan(
      Planner p,
      FaultVerdict v,
      Optional<LiveNode> live,
      Ledger ledger,
      ControlState controls,
      boolean dry,
      String observeOnly,
      Predicate<String> running,
      Function<Ledger.Entry, CommandTrace> traces,
      Instant now) {
    Observed o = Observed.of(live, ledger).with(controls, dry, observeOnly).with(running, traces);
    return p.decide(v, o, now).steps();
  }
}
