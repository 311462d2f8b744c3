package io.gpuward.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the remediator's readable audit details state about budgets and operators. The audit record
 * has no budget fields: a SKIPPED BUDGET record says the count, the limit and, for the hourly
 * budget, when a slot frees, in its detail. Only what the text says is taken. Pure.
 */
final class AuditDetails {
  private static final Pattern CONCURRENT =
      Pattern.compile(
          "(\\d+) node\\(s\\) already in disruptive remediation in (\\S+) \\(limit (\\d+)\\)");
  private static final Pattern HOURLY =
      Pattern.compile(
          "(\\d+) disruption\\(s\\) started in (\\S+) in the last hour \\(limit (\\d+)\\)");
  private static final Pattern CEILING =
      Pattern.compile(
          "(\\d+) node\\(s\\) already cordoned by gpuward in (\\S+) \\(cordon ceiling (\\d+)\\)");
  private static final Pattern FREES = Pattern.compile("a slot frees at (\\S+?)\\)");
  private static final Pattern BY = Pattern.compile("(?:vetoed|paused) by (\\S+) \\(");
  private static final Pattern HELD = Pattern.compile("held under fleet incident (\\S+)");

  /** A budget's use as one refusal stated it. */
  record BudgetUse(String scope, String budget, int used, int limit, Instant freesAt) {
    String text() {
      return scope
          + " "
          + budget
          + " "
          + used
          + "/"
          + limit
          + (freesAt == null ? "" : ", a slot frees at " + freesAt);
    }
  }

  /**
   * How a per-GPU DRAIN's SUCCEEDED detail states whether the node was kept schedulable or cordoned
   * first (the remediator's {@code Containment}), and how a whole-node drain states why.
   */
  private static final Pattern KEPT = Pattern.compile("; not cordoned: (.*)$");

  private static final Pattern TAINTED = Pattern.compile("; device taint (.*?): not cordoned");

  private static final Pattern CORDONED = Pattern.compile("; (cordoned: .*)$");
  private static final Pattern PER_GPU = Pattern.compile("^(drained GPUs? \\S+): ");
  private static final Pattern WHOLE = Pattern.compile("^(.*): whole-node drain;");

  static final String CONCURRENT_BUDGET = "concurrent";
  static final String HOURLY_BUDGET = "per-hour";
  static final String CORDON_CEILING = "cordon-ceiling";

  private AuditDetails() {}

  static Optional<BudgetUse> budget(String detail) {
    if (detail == null) {
      return Optional.empty();
    }
    Matcher c = CONCURRENT.matcher(detail);
    if (c.find()) {
      return Optional.of(use(c, CONCURRENT_BUDGET, null));
    }
    Matcher h = HOURLY.matcher(detail);
    if (h.find()) {
      return Optional.of(use(h, HOURLY_BUDGET, freesAt(detail).orElse(null)));
    }
    Matcher k = CEILING.matcher(detail);
    if (k.find()) {
      return Optional.of(use(k, CORDON_CEILING, null));
    }
    return Optional.empty();
  }

  /**
   * How a DRAIN that succeeded contained the fault, from its detail: per GPU with the node kept
   * schedulable or cordoned (and why), or the whole node (and why, when a per-GPU class fell back).
   * Empty when the detail states neither (a whole-node drain of a class not drained per GPU).
   */
  static Optional<String> containment(String drainDetail) {
    if (drainDetail == null) {
      return Optional.empty();
    }
    Matcher perGpu = PER_GPU.matcher(drainDetail);
    if (perGpu.find()) {
      String gpus = perGpu.group(1).replace("drained ", "");
      Matcher tainted = TAINTED.matcher(drainDetail);
      if (tainted.find()) {
        return Optional.of(
            "per GPU ("
                + gpus
                + "), node kept schedulable, not cordoned: device taint "
                + tainted.group(1));
      }
      Matcher kept = KEPT.matcher(drainDetail);
      if (kept.find()) {
        return Optional.of(
            "per GPU ("
                + gpus
                + "), node kept schedulable, not cordoned or tainted: "
                + kept.group(1));
      }
      Matcher cordoned = CORDONED.matcher(drainDetail);
      return Optional.of(
          "per GPU (" + gpus + "), node " + (cordoned.find() ? cordoned.group(1) : "cordoned"));
    }
    Matcher whole = WHOLE.matcher(drainDetail);
    return whole.find() ? Optional.of("whole node, cordoned: " + whole.group(1)) : Optional.empty();
  }

  static Optional<Instant> freesAt(String detail) {
    if (detail == null) {
      return Optional.empty();
    }
    Matcher m = FREES.matcher(detail);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(m.group(1)));
    } catch (DateTimeParseException e) {
      // An audit detail is readable text, not a contract: a time in another form is not stated.
      return Optional.empty();
    }
  }

  /** The operator a VETO or PAUSE skip names. */
  static Optional<String> operator(String detail) {
    return group(BY, detail);
  }

  /** The incident an INCIDENT_HOLD skip names. */
  static Optional<String> incident(String detail) {
    return group(HELD, detail);
  }

  private static Optional<String> group(Pattern p, String detail) {
    if (detail == null) {
      return Optional.empty();
    }
    Matcher m = p.matcher(detail);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static BudgetUse use(Matcher m, String budget, Instant freesAt) {
    return new BudgetUse(
        m.group(2), budget, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)), freesAt);
  }
}
