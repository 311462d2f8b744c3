package io.gpuward.remediation.aws;

import io.gpuward.remediation.port.ActuatorException;
import java.util.regex.Pattern;

/**
 * Validation of every value the AWS actuator passes to AWS. Nothing reaches an API, and above all
 * nothing reaches a shell command, unless it matches one of these patterns; a bad value is a {@link
 * ActuatorException.Kind#PERMANENT} failure raised before any request.
 */
public final class AwsInputs {

  /** EC2 instance ids: {@code i-} and 8 or 17 lowercase hex digits. */
  public static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");

  /** A GPU UUID as nvidia-smi prints it: {@code GPU-} and a 36-character UUID. */
  public static final Pattern GPU_UUID = Pattern.compile("GPU-[0-9a-fA-F-]{36}");

  /** A GPU index, 0 to 63. */
  public static final Pattern GPU_INDEX = Pattern.compile("[0-9]|[1-5][0-9]|6[0-3]");

  /** EKS cluster and node group names. */
  public static final Pattern EKS_NAME = Pattern.compile("[0-9A-Za-z][A-Za-z0-9_-]{0,99}");

  private static final int ASG_NAME_MAX = 255;

  private AwsInputs() {}

  /** Returns {@code instanceId} when it is an EC2 instance id, else throws PERMANENT. */
  public static String instanceId(String instanceId) {
    if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
      throw invalid("not an EC2 instance id: " + quote(instanceId));
    }
    return instanceId;
  }

  /**
   * Returns {@code gpu} when it is a GPU UUID ({@code GPU-…}) or a GPU index (0–63), else throws
   * PERMANENT. Only a value that passed this check is ever put into {@code nvidia-smi -r -i}.
   */
  public static String gpu(String gpu) {
    if (gpu == null || !(GPU_UUID.matcher(gpu).matches() || GPU_INDEX.matcher(gpu).matches())) {
      throw invalid("not a GPU UUID or index: " + quote(gpu));
    }
    return gpu;
  }

  /**
   * Returns the Auto Scaling group name, or null when {@code asgName} is null or blank (unknown:
   * the actuator resolves it). A name longer than 255 characters or with control characters is
   * PERMANENT.
   */
  public static String asgNameOrNull(String asgName) {
    if (asgName == null || asgName.isBlank()) {
      return null;
    }
    if (asgName.length() > ASG_NAME_MAX || asgName.chars().anyMatch(Character::isISOControl)) {
      throw invalid("not an Auto Scaling group name: " + quote(asgName));
    }
    return asgName;
  }

  /** Returns {@code name} when it is a valid EKS cluster or node group name, else PERMANENT. */
  public static String eksName(String what, String name) {
    if (name == null || !EKS_NAME.matcher(name).matches()) {
      throw invalid("not an EKS " + what + " name: " + quote(name));
    }
    return name;
  }

  /**
   * Returns the idempotency token with any character outside {@code [A-Za-z0-9._:=+/-]} replaced by
   * {@code _} and cut to 64 characters; a null or blank token is PERMANENT.
   */
  public static String token(String token) {
    if (token == null || token.isBlank()) {
      throw invalid("an idempotency token is required");
    }
    String clean = token.replaceAll("[^A-Za-z0-9._:=+/-]", "_");
    return clean.length() > 64 ? clean.substring(0, 64) : clean;
  }

  private static ActuatorException invalid(String message) {
    return new ActuatorException(ActuatorException.Kind.PERMANENT, message);
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return '"' + shown.replaceAll("\\p{Cntrl}", "?") + '"';
  }
}
