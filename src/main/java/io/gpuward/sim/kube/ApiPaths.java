package io.gpuward.sim.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** REST paths of the objects the world serves, and the parts of a client's request path. */
final class ApiPaths {

  private static final Pattern PATH =
      Pattern.compile(
          "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$");

  private ApiPaths() {}

  /**
   * A request path taken apart.
   *
   * @param group API group, "" for the core group
   * @param namespace namespace, null for a cluster-scoped resource or an all-namespace list
   * @param resource plural resource name, e.g. {@code nodes}
   * @param name object name, null for a collection
   * @param subresource e.g. {@code eviction} or {@code status}, null for none
   * @param objectPath the path of the object itself (without the subresource), null for a
   *     collection
   */
  record Target(
      String group,
      String namespace,
      String resource,
      String name,
      String subresource,
      String objectPath) {

    boolean is(String group, String resource) {
      return this.group.equals(group) && this.resource.equals(resource);
    }
  }

  /** The parts of {@code path} (query string ignored), empty for a path outside the REST API. */
  static Optional<Target> parse(String path) {
    int q = path.indexOf('?');
    String p = q < 0 ? path : path.substring(0, q);
    Matcher m = PATH.matcher(p);
    if (!m.matches()) {
      return Optional.empty();
    }
    String group = m.group(1) == null ? "" : m.group(1);
    String name = m.group(4);
    String objectPath =
        name == null ? null : m.group(5) == null ? p : p.substring(0, p.lastIndexOf('/'));
    return Optional.of(new Target(group, m.group(2), m.group(3), name, m.group(5), objectPath));
  }

  static String node(String name) {
    return "/api/v1/nodes/" + name;
  }

  static String pod(String namespace, String name) {
    return "/api/v1/namespaces/" + namespace + "/pods/" + name;
  }

  static String event(String namespace, String name) {
    return "/api/v1/namespaces/" + namespace + "/events/" + name;
  }

  static String pdb(String namespace, String name) {
    return "/apis/policy/v1/namespaces/" + namespace + "/poddisruptionbudgets/" + name;
  }

  static String resourceSlice(String name) {
    return "/apis/resource.k8s.io/v1/resourceslices/" + name;
  }

  /** The path of one of the kinds the world writes. */
  static String of(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    String name = o.getMetadata().getName();
    return switch (o.getKind()) {
      case "Node" -> node(name);
      case "Pod" -> pod(ns, name);
      case "Event" -> event(ns, name);
      case "PodDisruptionBudget" -> pdb(ns, name);
      case "ResourceSlice" -> resourceSlice(name);
      default -> throw new IllegalArgumentException("not a kind the world writes: " + o.getKind());
    };
  }

  /** The collection an object path belongs to. */
  static String collectionOf(String objectPath) {
    return objectPath.substring(0, objectPath.lastIndexOf('/'));
  }
}
