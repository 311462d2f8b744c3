package io.gpuward.remediation;

import java.util.List;

/**
 * Where a verdict's plan goes: the facts established on the way (rungs verified or not in time),
 * and either the operations to carry out (with a note for their audit detail) or the decision to
 * stop.
 */
record Route(List<Step> facts, List<Op> ops, String note, Decision stop) {

  static Route go(List<Step> facts, List<Op> ops, String note) {
    return new Route(List.copyOf(facts), List.copyOf(ops), note, null);
  }

  static Route stop(List<Step> facts, Decision stop) {
    return new Route(List.copyOf(facts), List.of(), null, stop);
  }

  /** The same route without the operations of {@code ops} (the ops kept in order). */
  Route without(List<Op> dropped) {
    return new Route(facts, ops.stream().filter(o -> !dropped.contains(o)).toList(), note, stop);
  }

  boolean stopped() {
    return stop != null;
  }

  /** The decision when the route stopped: the facts when there are any, else {@link #stop}. */
  Decision decision() {
    return decision(stop);
  }

  /** The facts when there are any, else {@code otherwise}. */
  Decision decision(Decision otherwise) {
    return Decision.of(facts, otherwise);
  }
}
