package io.gpuward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The RBAC manifests in {@code deploy/rbac/} grant exactly what each role needs. */
class RbacManifestsTest {

  private static final Path RBAC = Path.of("deploy", "rbac");

  @Test
  void shouldGrantTheRemediatorExactlyItsVerbs() throws Exception {
    List<HasMetadata> objects = load("remediator.yaml");

    ClusterRole role = only(objects, ClusterRole.class);
    assertThat(grants(role))
        .containsExactlyInAnyOrder(
            "/nodes:get",
            "/nodes:patch",
            "/pods:get",
            "/pods:list",
            "/pods/eviction:create",
            "/events:create");
    assertNoWildcardsNoSecrets(role);
    assertBound(objects, role, "gpuward-remediator");
  }

  @Test
  void shouldGrantTheExporterReadOnlyAccess() throws Exception {
    List<HasMetadata> objects = load("exporter.yaml");

    ClusterRole role = only(objects, ClusterRole.class);
    assertThat(grants(role))
        .containsExactlyInAnyOrder(
            "/nodes:get",
            "/nodes:list",
            "/nodes:watch",
            "/pods:get",
            "/pods:list",
            "/pods:watch",
            "/events:get",
            "/events:list",
            "/events:watch");
    assertNoWildcardsNoSecrets(role);
    assertBound(objects, role, "gpuward-exporter");
  }

  private static void assertNoWildcardsNoSecrets(ClusterRole role) {
    for (PolicyRule r : role.getRules()) {
      assertThat(r.getApiGroups()).doesNotContain("*");
      assertThat(r.getResources()).doesNotContain("*", "secrets", "pods/exec", "nodes/proxy");
      assertThat(r.getVerbs())
          .doesNotContain("*", "delete", "deletecollection", "escalate", "bind");
      assertThat(r.getNonResourceURLs()).isNullOrEmpty();
      assertThat(r.getResourceNames()).isNullOrEmpty();
    }
    assertThat(role.getAggregationRule()).isNull();
  }

  private static void assertBound(List<HasMetadata> objects, ClusterRole role, String name) {
    ServiceAccount sa = only(objects, ServiceAccount.class);
    ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
    assertThat(sa.getMetadata().getName()).isEqualTo(name);
    assertThat(role.getMetadata().getName()).isEqualTo(name);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
            });
  }

  /** Every (apiGroup/resource:verb) the role grants. */
  private static Set<String> grants(ClusterRole role) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule r : role.getRules()) {
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            out.add(g + "/" + res + ":" + v);
          }
        }
      }
    }
    return out;
  }

  private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found =
        objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private static List<HasMetadata> load(String file) throws Exception {
    Object parsed = Serialization.unmarshal(Files.readString(RBAC.resolve(file)));
    List<HasMetadata> objects;
    if (parsed instanceof KubernetesList l) {
      objects = l.getItems();
    } else if (parsed instanceof List<?> l) {
      objects = l.stream().map(HasMetadata.class::cast).collect(Collectors.toList());
    } else {
      objects = List.of((HasMetadata) parsed);
    }
    assertThat(objects).hasSize(3);
    return objects;
  }
}
