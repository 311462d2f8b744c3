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

  /** A GPU UUID as nvidia-smi prints it: {@code GPU-} and an 8-4-4-4-12 hex UUID. */
  public static final Pattern GPU_UUID =
      Pattern.compile(
          "GPU-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** A PCI bus id as nvidia-smi takes it: domain (4 or 8 hex), bus, device, function. */
  public static final Pattern GPU_PCI_BUS_ID =
      Pattern.compile("([0-9a-fA-F]{4}|[0-9a-fA-F]{8}):[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

  /**
   * An SSM document name or ARN (SSM's own rule: 3-128 of {@code [A-Za-z0-9_.-]}, or a document ARN
   * shared from another account).
   */
  public static final Pattern SSM_DOCUMENT =
      Pattern.compile(
          "[A-Za-z0-9_.-]{3,128}|arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:document/[A-Za-z0-9_.-]{3,128}");

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
   * Returns {@code gpu} when it is a GPU UUID ({@code GPU-…}), a PCI bus id or a GPU index (0–63),
   * else throws PERMANENT. The GPU-reset SSM document's {@code allowedPattern} accepts the same
   * values, so AWS refuses anything else too.
   */
  public static String gpu(String gpu) {
    if (gpu == null
        || !(GPU_UUID.matcher(gpu).matches()
            || GPU_PCI_BUS_ID.matcher(gpu).matches()
            || GPU_INDEX.matcher(gpu).matches())) {
      throw invalid("not a GPU UUID, PCI bus id or index: " + quote(gpu));
    }
    return gpu;
  }

  /**
   * Returns {@code name} when it names an SSM document that is not AWS-owned; else {@link
   * IllegalArgumentException}. AWS-owned documents ({@code AWS-RunShellScript} above all) run
   * arbitrary commands, which the remediator must never be able to send.
   */
  public static String ssmDocument(String name) {
    if (name == null || !SSM_DOCUMENT.matcher(name).matches()) {
      throw new IllegalArgumentException("not an SSM document name: " + quote(name));
    }
    String base = name.substring(name.lastIndexOf('/') + 1);
    if (base.regionMatches(true, 0, "AWS-", 0, 4) || base.regionMatches(true, 0, "AWSEC2-", 0, 7)) {
      throw new IllegalArgumentException(
          "SSM document "
              + name
              + " is AWS-owned and runs any command; use gpuward's GPU-reset document"
              + " (deploy/aws/gpuward-gpu-reset.json)");
    }
    return name;
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

  /** Returns {@code level} when it is a DCGM run level (1 to 3), else throws PERMANENT. */
  public static int diagLevel(int level) {
    if (level < 1 || level > 3) {
      throw invalid("not a DCGM run level (1-3): " + level);
    }
    return level;
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
