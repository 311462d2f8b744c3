package io.gpuward.engine.domain;

import io.gpuward.avro.FaultClass;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.fleet.InstanceType;
import io.gpuward.fleet.InstanceTypeCatalog;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * IMAGE_INSTANCE_MISMATCH: an NVIDIA image on an instance type with no NVIDIA GPU. The NVIDIA
 * kernel modules fail to load, kubelet never starts and the node never registers; replacing it
 * launches the same mistake again, so the only action is ESCALATE with the fix.
 */
public final class ImageInstanceRule {
  public static final String RULE_ID = "inventory.nvidia-image-on-cpu-instance";

  private final RuleCatalog rules;
  private final InstanceTypeCatalog instanceTypes;

  public ImageInstanceRule(RuleCatalog rules, InstanceTypeCatalog instanceTypes) {
    this.rules = rules;
    this.instanceTypes = instanceTypes;
  }

  /** Detection when the inventory shows the mismatch, recovery when it no longer does. */
  public Optional<Signal> evaluate(NodeInventory inv, Evidences.Coordinates at) {
    if (inv.getInstanceType() == null || inv.getImage() == null) {
      return Optional.empty();
    }
    InstanceType type = instanceTypes.resolve(inv.getInstanceType());
    boolean nvidiaImage = rules.isNvidiaImage(inv.getImage());
    Instant t = inv.getUpdatedAt();
    if (nvidiaImage && !type.hasNvidiaGpu()) {
      var evidence =
          Evidences.of(at, null, t, "image_on_instance_type")
              .setDetail(
                  "image "
                      + inv.getImage()
                      + " on "
                      + inv.getInstanceType()
                      + " (no NVIDIA GPU); node registered="
                      + inv.getRegistered()
                      + "; SSM "
                      + ssm(inv))
              .build();
      return Optional.of(
          new Signal.Detected(
              inv.getNode(),
              FaultClass.IMAGE_INSTANCE_MISMATCH,
              Severity.MAJOR,
              RemediationAction.ESCALATE,
              List.of(),
              evidence,
              RULE_ID,
              t,
              "NVIDIA image "
                  + inv.getImage()
                  + " on "
                  + inv.getInstanceType()
                  + ", which has no NVIDIA GPU: NVIDIA kernel modules cannot load, kubelet never"
                  + " starts"
                  + (inv.getSsmPingStatus() == null ? "" : " (SSM " + inv.getSsmPingStatus() + ")"),
              "Use a non-NVIDIA image variant for "
                  + inv.getInstanceType()
                  + " in node group "
                  + inv.getNodegroup()
                  + " (or restrict the node group / instance selector to GPU instance types);"
                  + " replacing the node repeats the fault"));
    }
    var evidence =
        Evidences.of(at, null, t, "image_on_instance_type")
            .setDetail("image " + inv.getImage() + " on " + inv.getInstanceType())
            .build();
    return Optional.of(
        new Signal.Recovered(
            inv.getNode(),
            Set.of(FaultClass.IMAGE_INSTANCE_MISMATCH),
            List.of(),
            "inventory no longer shows an NVIDIA image on a CPU instance type",
            evidence,
            t,
            // Only this rule's verdict: an unregistered instance's inventory is republished
            // periodically and must not clear the never-registered rule's verdict of the class.
            RULE_ID));
  }

  private static String ssm(NodeInventory inv) {
    return inv.getSsmPingStatus() == null ? "not asked" : inv.getSsmPingStatus();
  }
}
