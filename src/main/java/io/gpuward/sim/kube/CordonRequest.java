package io.gpuward.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.port.HealthMark;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client's write to a Node asks for, when it asks only for what the simulated cluster
 * serves: {@code spec.unschedulable} (cordon, uncordon) with gpuward's cordoned-by annotation,
 * health label and NoSchedule taint, a health label alone, and a resourceVersion precondition.
 * Anything else in the write makes it {@link Refused}; so does a taint list that would change
 * taints other than gpuward's (a merge patch replaces the list whole).
 */
sealed interface CordonRequest {

  /** The paths a write may touch, as JSON Pointer segments. */
  List<List<String>> ALLOWED =
      List.of(
          List.of("spec", "unschedulable"),
          List.of("metadata", "annotations", KubernetesClusterActuator.CORDONED_BY),
          List.of("metadata", "labels", HealthMark.LABEL),
          List.of("spec", "taints"),
          List.of("metadata", "resourceVersion"));

  /**
   * A cordon (unschedulable true) or uncordon.
   *
   * @param unschedulable the wanted state
   * @param cordonedBy the operation id in gpuward's annotation, null when absent or removed
   * @param resourceVersion the precondition, null for none
   */
  record Cordon(boolean unschedulable, String cordonedBy, String resourceVersion)
      implements CordonRequest {}

  /**
   * The health label of a node gpuward cordoned set to {@code health}, or of a schedulable node to
   * {@code degraded}; null: the label removed.
   */
  record Mark(String health, String resourceVersion) implements CordonRequest {}

  /** A write the simulated cluster does not serve; {@code field} is the first one it touched. */
  record Refused(String field) implements CordonRequest {}

  ObjectMapper JSON = new ObjectMapper();

  /**
   * A JSON merge patch or strategic merge patch (both are objects here), against the node as it is
   * now ({@code current}).
   */
  static CordonRequest mergePatch(String body, JsonNode current) throws IOException {
    JsonNode patch = JSON.readTree(body);
    List<List<String>> leaves = new ArrayList<>();
    leaves(patch, new ArrayList<>(), leaves);
    Optional<List<String>> bad = leaves.stream().filter(l -> !ALLOWED.contains(l)).findFirst();
    if (bad.isPresent()) {
      return new Refused(String.join(".", bad.get()));
    }
    JsonNode spec = patch.path("spec");
    if (spec.has("taints")
        && !othersKept(spec.path("taints"), current.path("spec").path("taints"))) {
      return new Refused("spec.taints (other than " + HealthMark.TAINT_KEY + ")");
    }
    JsonNode health = patch.path("metadata").path("labels").path(HealthMark.LABEL);
    if (!spec.has("unschedulable")
        && (health.isTextual() || health.isNull())
        && !spec.has("taints")) {
      return new Mark(text(health), text(patch.path("metadata").path("resourceVersion")));
    }
    if (!spec.has("unschedulable")) {
      return new Refused("metadata (without spec.unschedulable)");
    }
    return new Cordon(
        spec.path("unschedulable").asBoolean(false),
        text(
            patch.path("metadata").path("annotations").path(KubernetesClusterActuator.CORDONED_BY)),
        text(patch.path("metadata").path("resourceVersion")));
  }

  /** A JSON patch (RFC 6902), applied to the node's current state. */
  static CordonRequest jsonPatch(String body, boolean unschedulable, String cordonedBy)
      throws IOException {
    JsonNode ops = JSON.readTree(body);
    String rv = null;
    for (JsonNode op : ops) {
      List<String> path = pointer(op.path("path").asText());
      String kind = op.path("op").asText();
      if (!ALLOWED.contains(path) || !List.of("add", "replace", "remove", "test").contains(kind)) {
        return new Refused(String.join(".", path));
      }
      boolean remove = kind.equals("remove");
      JsonNode v = op.path("value");
      switch (path.get(path.size() - 1)) {
        case "unschedulable" -> unschedulable = !remove && v.asBoolean(false);
        case "resourceVersion" -> rv = v.asText();
        default -> cordonedBy = remove ? null : text(v);
      }
    }
    return new Cordon(unschedulable, cordonedBy, rv);
  }

  /** A whole object (PUT): refused unless it equals the current one outside the allowed paths. */
  static CordonRequest replacement(String body, String current) throws IOException {
    ObjectNode wanted = (ObjectNode) JSON.readTree(body);
    ObjectNode now = (ObjectNode) JSON.readTree(current);
    CordonRequest.Cordon c =
        new Cordon(
            wanted.path("spec").path("unschedulable").asBoolean(false),
            text(
                wanted
                    .path("metadata")
                    .path("annotations")
                    .path(KubernetesClusterActuator.CORDONED_BY)),
            text(wanted.path("metadata").path("resourceVersion")));
    for (ObjectNode o : List.of(wanted, now)) {
      o.withObject("/spec").remove(List.of("unschedulable", "taints"));
      o.withObject("/metadata/annotations").remove(KubernetesClusterActuator.CORDONED_BY);
      o.withObject("/metadata/labels").remove(HealthMark.LABEL);
      o.withObject("/metadata").remove(List.of("resourceVersion", "generation", "managedFields"));
    }
    return wanted.equals(now) ? c : new Refused("a field other than spec.unschedulable");
  }

  /** Whether a taint list written keeps every taint of the node but gpuward's, and adds none. */
  private static boolean othersKept(JsonNode written, JsonNode now) {
    return others(written).equals(others(now));
  }

  private static List<JsonNode> others(JsonNode taints) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode t : taints) {
      if (!HealthMark.TAINT_KEY.equals(t.path("key").asText())) {
        out.add(t);
      }
    }
    return out;
  }

  private static void leaves(JsonNode n, List<String> at, List<List<String>> out) {
    if (!n.isObject() || n.isEmpty()) {
      if (!at.isEmpty() && !(n.isObject() && n.isEmpty())) {
        out.add(List.copyOf(at));
      }
      return;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      at.add(e.getKey());
      leaves(e.getValue(), at, out);
      at.remove(at.size() - 1);
    }
  }

  private static List<String> pointer(String p) {
    List<String> out = new ArrayList<>();
    for (String s : p.replaceFirst("^/", "").split("/", -1)) {
      out.add(s.replace("~1", "/").replace("~0", "~"));
    }
    return out;
  }

  private static String text(JsonNode n) {
    return n.isMissingNode() || n.isNull() ? null : n.asText();
  }
}
