package io.gpuward.remediation;

import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.HealthMark;
import java.util.List;
import java.util.Optional;

/**
 * Which health mark a node gpuward cordoned carries while a plan runs: what comes next for it. The
 * cordon itself marks {@link HealthMark#UNSCHEDULABLE} and the uncordon takes the mark away; in
 * between, the plan's repair names the mark, set before the first step that works toward it (the
 * drain of a reset is already "pending reset": a scheduler should not wait for the reset to learn
 * that the node will not be back soon).
 */
final class HealthMarks {
  private HealthMarks() {}

  /** The mark the plan's repair gives the node, if the plan has one that is to be carried out. */
  static Optional<HealthMark> ahead(List<Step> steps) {
    return steps.stream()
        .filter(s -> !s.skipped() && !s.reportOnly())
        .map(s -> markOf(s.action()))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** Whether the mark is set before this step: the first step that works toward the repair. */
  static boolean setBefore(Step step) {
    return !step.skipped()
        && !step.reportOnly()
        && (step.action() == RemediationAction.DRAIN || markOf(step.action()).isPresent());
  }

  private static Optional<HealthMark> markOf(RemediationAction a) {
    return Optional.ofNullable(
        switch (a) {
          case RESET_GPU -> HealthMark.PENDING_RESET;
          case REBOOT -> HealthMark.PENDING_REBOOT;
          case REPLACE -> HealthMark.PENDING_REPLACEMENT;
          case VALIDATE -> HealthMark.VALIDATING;
          case ESCALATE -> HealthMark.ESCALATED;
          default -> null;
        });
  }
}
