package io.gpuward.sim;

import java.util.Locale;
import java.util.Objects;

/**
 * One node group of a scenario: {@code count} EC2 instances of one type and image in one zone,
 * named {@code <name>-<index>} from 0, behind the Auto Scaling group {@code eks-<name>-asg}.
 *
 * @param name node group name (EKS managed node group)
 * @param instanceType EC2 instance type, e.g. p5.48xlarge
 * @param image OS image or variant name, e.g. bottlerocket-aws-k8s-1.32-nvidia-x86_64
 * @param count instances at start
 * @param zone availability zone
 * @param driverVersion NVIDIA driver version the image ships
 * @param dra the group's GPUs are allocated through DRA: the simulated API serves a ResourceSlice
 *     of the NVIDIA DRA driver per node ({@code dra: true} in a scenario), and a device taint on a
 *     GPU keeps rescheduled pods off it
 */
public record NodeGroupSpec(
    String name,
    String instanceType,
    String image,
    int count,
    String zone,
    String driverVersion,
    boolean dra) {

  /** Driver version used when a node group does not name one. */
  public static final String DEFAULT_DRIVER_VERSION = "580.95.05";

  public NodeGroupSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(instanceType, "instanceType");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(driverVersion, "driverVersion");
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + count);
    }
  }

  /** A group whose GPUs are allocated through the device plugin. */
  public NodeGroupSpec(
      String name,
      String instanceType,
      String image,
      int count,
      String zone,
      String driverVersion) {
    this(name, instanceType, image, count, zone, driverVersion, false);
  }

  /** The Auto Scaling group name of this node group. */
  public String asgName() {
    return "eks-" + name + "-asg";
  }

  /** The node name of the instance at {@code index}. */
  public String nodeName(int index) {
    return name + "-" + index;
  }

  /** Whether the image is an NVIDIA variant (its name contains {@code nvidia}). */
  public boolean nvidiaImage() {
    return image.toLowerCase(Locale.ROOT).contains("nvidia");
  }
}
