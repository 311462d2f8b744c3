package io.gpuward.remediation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The OS image family of a node, told from its {@code status.nodeInfo.osImage} (what the kubelet
 * reports from the image's os-release PRETTY_NAME). How gpuward can reset a GPU depends on it: on
 * Bottlerocket SSM's shell runs in the control container, which has neither nvidia-smi nor the
 * GPUs. Pure.
 */
public enum ImageFamily {
  /** {@code Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)}. */
  BOTTLEROCKET("bottlerocket"),
  /** {@code Amazon Linux 2023.9.20260714}. */
  AL2023("al2023"),
  /** {@code Amazon Linux 2}. */
  AL2("al2"),
  /** {@code Ubuntu 22.04.4 LTS}. */
  UBUNTU("ubuntu"),
  /** Anything else, and a node whose image is unknown. */
  OTHER("other");

  private final String key;

  ImageFamily(String key) {
    this.key = key;
  }

  /** The name the remediation policy uses for it, e.g. {@code bottlerocket}. */
  public String key() {
    return key;
  }

  /** The family of {@code osImage}; {@link #OTHER} for null, blank or unrecognised. */
  public static ImageFamily of(String osImage) {
    if (osImage == null) {
      return OTHER;
    }
    String s = osImage.trim().toLowerCase(Locale.ROOT);
    if (s.startsWith("bottlerocket")) {
      return BOTTLEROCKET;
    }
    // 2023 before 2: "Amazon Linux 2023..." also starts with "Amazon Linux 2".
    if (s.startsWith("amazon linux 2023")) {
      return AL2023;
    }
    if (s.startsWith("amazon linux 2")) {
      return AL2;
    }
    if (s.startsWith("ubuntu")) {
      return UBUNTU;
    }
    return OTHER;
  }

  /** The family a policy key names, e.g. {@code bottlerocket}. */
  public static Optional<ImageFamily> byKey(String key) {
    return Arrays.stream(values()).filter(f -> f.key.equals(key)).findFirst();
  }
}
