package io.gpuward.remediation;

/** Meter names of the remediator (Micrometer; tags are bounded enums). */
public final class RemediationMetrics {
  private RemediationMetrics() {}

  /** Audit records written; tags {@code action}, {@code outcome}, {@code reason}. */
  public static final String RECORDS = "gpuward.remediation.records";

  /** Verdicts not yet read by the remediator (consumer lag). */
  public static final String LAG = "gpuward.remediation.lag";

  /** Verdicts consumed; tag {@code state}. */
  public static final String VERDICTS = "gpuward.remediation.verdicts";
}
