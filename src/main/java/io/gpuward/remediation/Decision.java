package io.gpuward.remediation;

import java.time.Instant;
import java.util.List;

/**
 * What the planner decided for one verdict, given what it observed: act (the steps, which include
 * the records of a decision not to act), wait until a moment, or do nothing now. Every decision
 * that users see is a {@link Step} inside an {@link Act}; {@link Defer} and {@link Skip} leave no
 * record, they say why nothing is written.
 */
public sealed interface Decision permits Decision.Act, Decision.Defer, Decision.Skip {

  /** The steps to apply, in order; empty unless this is an {@link Act}. */
  List<Step> steps();

  /** Carry out or record {@code steps}, in order (never empty). */
  record Act(List<Step> steps) implements Decision {
    public Act {
      steps = List.copyOf(steps);
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("an Act has at least one step");
      }
    }
  }

  /**
   * Nothing to write before {@code until}: a rung awaits its verification deadline, a STARTED step
   * cannot be told yet, or another lane is carrying the operation out.
   */
  record Defer(Instant until, String reason) implements Decision {
    @Override
    public List<Step> steps() {
      return List.of();
    }
  }

  /** Nothing to write: the verdict is fixed, handed to a human, or said already. */
  record Skip(String reason) implements Decision {
    @Override
    public List<Step> steps() {
      return List.of();
    }
  }

  /** {@code steps} when there are any, else {@code otherwise}. */
  static Decision of(List<Step> steps, Decision otherwise) {
    return steps.isEmpty() ? otherwise : new Act(steps);
  }
}
