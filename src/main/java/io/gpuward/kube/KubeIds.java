package io.gpuward.kube;

import io.gpuward.contract.NodeNames;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks for identifiers that arrive from outside (configuration, the Kubernetes API, EC2 instance
 * metadata) before they reach an API path, a field selector or a record. A value that fails a check
 * is rejected where it is configuration and ignored (with a logged reason) where it is data.
 */
public final class KubeIds {

  private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-f]{8,17}");
  private static final Pattern AMI_ID = Pattern.compile("ami-[0-9a-f]{8,17}");
  private static final Pattern INSTANCE_TYPE = Pattern.compile("[a-z0-9][a-z0-9-]*\\.[a-z0-9-]+");
  private static final Pattern ZONE = Pattern.compile("[a-z]{2}(-[a-z0-9]+){2,}");

  private KubeIds() {}

  /** Whether {@code s} is a DNS-1123 subdomain (a valid Kubernetes node name). */
  public static boolean isNodeName(String s) {
    return NodeNames.isValid(s);
  }

  /** Whether {@code s} is an EC2 instance id ({@code i-} and 8 to 17 lowercase hex digits). */
  public static boolean isInstanceId(String s) {
    return s != null && INSTANCE_ID.matcher(s).matches();
  }

  /** Whether {@code s} is an AMI id ({@code ami-} and 8 to 17 lowercase hex digits). */
  public static boolean isAmiId(String s) {
    return s != null && AMI_ID.matcher(s).matches();
  }

  /** Whether {@code s} looks like an EC2 instance type ({@code p5.48xlarge}, {@code m5.large}). */
  public static boolean isInstanceType(String s) {
    return s != null && s.length() <= 64 && INSTANCE_TYPE.matcher(s).matches();
  }

  /** Whether {@code s} looks like an availability zone ({@code us-east-1a}, local zones too). */
  public static boolean isZone(String s) {
    return s != null && s.length() <= 64 && ZONE.matcher(s).matches();
  }

  /**
   * Whether {@code s} is an acceptable Auto Scaling group name: 1 to 255 characters, no control
   * characters.
   */
  public static boolean isAsgName(String s) {
    return s != null
        && !s.isEmpty()
        && s.length() <= 255
        && s.chars().noneMatch(Character::isISOControl);
  }

  /**
   * The node name, when it is a DNS-1123 subdomain.
   *
   * @throws IllegalArgumentException naming the value otherwise (a configuration error)
   */
  public static String requireNodeName(String s) {
    if (!isNodeName(s)) {
      throw new IllegalArgumentException(
          "node name "
              + (s == null ? "null" : "'" + printable(s) + "'")
              + " is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most"
              + " 253 characters)");
    }
    return s;
  }

  /**
   * The instance id and availability zone in a Kubernetes {@code spec.providerID} of the AWS form
   * {@code aws:///us-east-1a/i-0abc...} (the zone part may be missing). Empty when the id is not an
   * AWS one or its instance id is not valid; a zone that fails its check is left out.
   */
  public static Optional<ProviderId> parseProviderId(String providerId) {
    if (providerId == null || !providerId.startsWith("aws://")) {
      return Optional.empty();
    }
    String path = providerId.substring("aws://".length());
    String[] parts = path.split("/");
    if (parts.length == 0) {
      return Optional.empty();
    }
    String instanceId = parts[parts.length - 1];
    if (!isInstanceId(instanceId)) {
      return Optional.empty();
    }
    String zone = parts.length >= 2 ? parts[parts.length - 2] : null;
    return Optional.of(new ProviderId(instanceId, isZone(zone) ? zone : null));
  }

  /**
   * What an AWS provider id names.
   *
   * @param instanceId EC2 instance id, valid
   * @param zone availability zone, or null when absent or invalid
   */
  public record ProviderId(String instanceId, String zone) {}

  /** {@code s} cut to 80 characters with control characters replaced, for log lines. */
  public static String printable(String s) {
    return printable(s, 80);
  }

  /** {@code s} cut to {@code max} characters with control characters replaced, for log lines. */
  public static String printable(String s, int max) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    if (s.length() > max) {
      b.append('…');
    }
    return b.toString();
  }
}
