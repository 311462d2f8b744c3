package io.gpuward.sim.kube;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code status.nodeInfo.osImage} a kubelet on a scenario's image reports (its os-release
 * PRETTY_NAME): Bottlerocket names its variant, Amazon Linux its release. Pure.
 */
final class OsImages {

  /** {@code bottlerocket-aws-k8s-1.32-nvidia-x86_64}: variant {@code aws-k8s-1.32-nvidia}. */
  private static final Pattern BOTTLEROCKET =
      Pattern.compile("bottlerocket-(.+?)(?:-(?:x86_64|aarch64|arm64))?(?:-v?[0-9.]+)?");

  static final String BOTTLEROCKET_VERSION = "1.42.0";
  static final String AL2023_RELEASE = "Amazon Linux 2023.9.20260714";

  private OsImages() {}

  /** The osImage of a node booted from {@code image} (a scenario's image or AMI name). */
  static String of(String image) {
    if (image == null || image.isBlank()) {
      return "";
    }
    String s = image.toLowerCase(Locale.ROOT);
    Matcher m = BOTTLEROCKET.matcher(s);
    if (m.matches()) {
      return "Bottlerocket OS " + BOTTLEROCKET_VERSION + " (" + m.group(1) + ")";
    }
    if (s.startsWith("al2023") || s.contains("amazon-linux-2023")) {
      return AL2023_RELEASE;
    }
    if (s.startsWith("al2") || s.startsWith("amazon-eks")) {
      return "Amazon Linux 2";
    }
    return image;
  }
}
