package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gpuward.avro.RemediationAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The remediator's ClusterRole and Role grant exactly the (resource, verb) pairs the Kubernetes
 * actuator uses, the Role's only in its namespace: every request a full cordon → drain → event →
 * uncordon cycle makes is mapped to its RBAC verb and compared with {@code
 * deploy/rbac/remediator.yaml}.
 */
class RbacUsageTest {
  private ClusterMock mock;
  private KubernetesClusterActuator actuator;

  @BeforeEach
  void setUp() {
    mock = new ClusterMock();
    FakeTime time = new FakeTime(Instant.parse("2026-03-01T10:00:00Z"));
    actuator =
        new KubernetesClusterActuator(
            mock.client(), time, time, KubernetesActuatorSettings.defaults());
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  @Test
  void shouldGrantExactlyWhatTheActuatorUses() throws Exception {
    var kube = mock.client();
    kube.nodes().resource(K8sObjects.gpuNode(K8sObjects.NODE)).create();
    kube.pods().resource(K8sObjects.workload("ml", "trainer-0", K8sObjects.NODE)).create();
    kube.pods()
        .resource(K8sObjects.daemonSetPod("kube-system", "dcgm-x", K8sObjects.NODE))
        .create();
    int before = mock.requests().size();

    actuator.node(K8sObjects.NODE);
    actuator.cordon(K8sObjects.NODE, "op-1");
    actuator.drain(K8sObjects.NODE, Duration.ofSeconds(30));
    actuator.recordEvent(K8sObjects.NODE, RemediationAction.DRAIN, true, "op-2", "drained");
    actuator.uncordon(K8sObjects.NODE, "op-3");

    Set<String> granted = granted();
    Set<String> used = new TreeSet<>();
    for (var r : mock.requests().subList(before, mock.requests().size())) {
      String verb = verb(r.method(), r.path());
      // A namespaced request is covered by the ClusterRole, else by a Role in its namespace.
      used.add(granted.contains(verb) ? verb : verb + "@" + namespace(r.path()));
    }
    assertThat(used).isEqualTo(granted);
  }

  private static String namespace(String path) {
    var m = Pattern.compile("^/api/v1/namespaces/([^/]+)/").matcher(path);
    return m.find() ? m.group(1) : "(cluster)";
  }

  private static final Pattern NAMESPACED =
      Pattern.compile("^/api/v1/namespaces/[^/]+/([a-z]+)(/[^/?]+)?(/[a-z]+)?");
  private static final Pattern CLUSTER = Pattern.compile("^/api/v1/([a-z]+)(/[^/?]+)?(/[a-z]+)?");

  /** The RBAC (resource, verb) a request needs. */
  private static String verb(String method, String path) {
    var m = NAMESPACED.matcher(path);
    if (!m.find()) {
      m = CLUSTER.matcher(path);
      assertThat(m.find()).as(path).isTrue();
    }
    String resource = m.group(1) + (m.group(3) == null ? "" : m.group(3));
    boolean named = m.group(2) != null;
    String verb =
        switch (method) {
          case "GET" -> path.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PATCH" -> "patch";
          case "PUT" -> "update";
          case "DELETE" -> "delete";
          default -> method;
        };
    return "/" + resource + ":" + verb;
  }

  private static Set<String> granted() throws Exception {
    Object parsed =
        Serialization.unmarshal(Files.readString(Path.of("deploy", "rbac", "remediator.yaml")));
    List<?> objects = parsed instanceof KubernetesList l ? l.getItems() : (List<?>) parsed;
    Set<String> out = new TreeSet<>();
    for (Object o : objects) {
      if (o instanceof ClusterRole role) {
        out.addAll(grants(role.getRules(), ""));
      } else if (o instanceof Role role) {
        out.addAll(grants(role.getRules(), "@" + role.getMetadata().getNamespace()));
      }
    }
    return out;
  }

  /** {@code group/resource:verb} (plus {@code suffix}) for every grant of {@code rules}. */
  private static Set<String> grants(List<PolicyRule> rules, String suffix) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule r : rules) {
      for (String res : r.getResources()) {
        for (String v : r.getVerbs()) {
          out.add(String.join("", r.getApiGroups()) + "/" + res + ":" + v + suffix);
        }
      }
    }
    return out;
  }
}
