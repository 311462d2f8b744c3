package io.gpuward.remediation.k8s;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.gpuward.remediation.port.HealthMark;
import java.util.List;

/**
 * The JSON merge patches of gpuward's writes to a Node: cordon, uncordon, health label (set, or
 * taken off a node marked degraded). Each is made against the node as read and carries its
 * resourceVersion: a merge patch replaces the taint list whole, so the list written is the one read
 * plus or minus gpuward's taint, and a node changed since the read (the node lifecycle controller
 * adding its own taint) makes it a 409 and a re-read instead of a lost taint.
 */
final class NodeMarks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NodeMarks() {}

  /**
   * Unschedulable, gpuward's annotation, its NoSchedule taint and the label {@code unschedulable}.
   */
  static ObjectNode cordon(Node n, String operationId) {
    ObjectNode patch = withVersion(n);
    ObjectNode meta = (ObjectNode) patch.get("metadata");
    meta.putObject("annotations").put(KubernetesClusterActuator.CORDONED_BY, operationId);
    meta.putObject("labels").put(HealthMark.LABEL, HealthMark.UNSCHEDULABLE.value());
    ObjectNode spec = patch.putObject("spec");
    spec.put("unschedulable", true);
    ArrayNode taints = taintsExceptGpuward(n);
    taints.addObject().put("key", HealthMark.TAINT_KEY).put("effect", "NoSchedule");
    spec.set("taints", taints);
    return patch;
  }

  /** Everything {@link #cordon} wrote removed; other taints and labels kept. */
  static ObjectNode uncordon(Node n) {
    ObjectNode patch = withVersion(n);
    ObjectNode meta = (ObjectNode) patch.get("metadata");
    meta.putObject("annotations").putNull(KubernetesClusterActuator.CORDONED_BY);
    meta.putObject("labels").putNull(HealthMark.LABEL);
    ObjectNode spec = patch.putObject("spec");
    spec.putNull("unschedulable");
    if (hasGpuwardTaint(n)) {
      ArrayNode taints = taintsExceptGpuward(n);
      if (taints.isEmpty()) {
        spec.putNull("taints");
      } else {
        spec.set("taints", taints);
      }
    }
    return patch;
  }

  /**
   * Only the health label removed: a node gpuward marked degraded and never cordoned. Its cordon
   * and taints are left as they are, as someone else may have cordoned it since.
   */
  static ObjectNode unmark(Node n) {
    ObjectNode patch = withVersion(n);
    ((ObjectNode) patch.get("metadata")).putObject("labels").putNull(HealthMark.LABEL);
    return patch;
  }

  /** The health label set to {@code mark}. */
  static ObjectNode health(Node n, HealthMark mark) {
    ObjectNode patch = withVersion(n);
    ((ObjectNode) patch.get("metadata")).putObject("labels").put(HealthMark.LABEL, mark.value());
    return patch;
  }

  /** The value of gpuward's health label on {@code n}, or null. */
  static String healthOf(Node n) {
    var labels = n.getMetadata() == null ? null : n.getMetadata().getLabels();
    return labels == null ? null : labels.get(HealthMark.LABEL);
  }

  static boolean hasGpuwardTaint(Node n) {
    return taints(n).stream().anyMatch(t -> HealthMark.TAINT_KEY.equals(t.getKey()));
  }

  private static ObjectNode withVersion(Node n) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").put("resourceVersion", n.getMetadata().getResourceVersion());
    return patch;
  }

  private static ArrayNode taintsExceptGpuward(Node n) {
    ArrayNode out = JSON.createArrayNode();
    for (Taint t : taints(n)) {
      if (!HealthMark.TAINT_KEY.equals(t.getKey())) {
        out.add(JSON.<ObjectNode>valueToTree(t));
      }
    }
    return out;
  }

  private static List<Taint> taints(Node n) {
    return n.getSpec() == null || n.getSpec().getTaints() == null
        ? List.of()
        : n.getSpec().getTaints();
  }
}
