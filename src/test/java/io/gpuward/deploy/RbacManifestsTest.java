package io.gpuward.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.k8s.ResetJobSettings;
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
    List<HasMetadata> objects = load("remediator.yaml", 9);

    ClusterRole role = only(objects, ClusterRole.class);
    assertThat(grants(role.getRules()))
        .containsExactlyInAnyOrder(
            "/nodes:get",
            "/nodes:patch",
            "/pods:get",
            "/pods:list",
            "/pods/eviction:create",
            "resource.k8s.io/resourceslices:list",
            "resource.k8s.io/devicetaintrules:create",
            "resource.k8s.io/devicetaintrules:list",
            "resource.k8s.io/devicetaintrules:delete");
    assertNoWildcardsNoSecrets(role.getRules());
    assertBound(objects, role, "gpuward-remediator");
  }

  @Test
  void shouldLetTheWatcherReadNodesAndOperandPodsAndHoldItsLeaseOnly() throws Exception {
    List<HasMetadata> objects = load("watcher.yaml", 5);

    ClusterRole role = only(objects, ClusterRole.class);
    assertThat(grants(role.getRules()))
        .containsExactlyInAnyOrder("/nodes:list", "/nodes:watch", "/pods:list", "/pods:watch");
    assertNoWildcardsNoSecrets(role.getRules());
    assertBound(objects, role, "gpuward-watcher");
    Role lease = only(objects, Role.class);
    assertThat(grants(lease.getRules()))
        .containsExactlyInAnyOrder(
            "coordination.k8s.io/leases:get",
            "coordination.k8s.io/leases:create",
            "coordination.k8s.io/leases:patch");
    ServiceAccount sa = only(objects, ServiceAccount.class);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
    RoleBinding binding = only(objects, RoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo(sa.getMetadata().getName()));
  }

  @Test
  void shouldLetTheRemediatorCreateEventsOnlyWhereNodeEventsLive() throws Exception {
    List<HasMetadata> objects = load("remediator.yaml", 9);
    Role events = named(objects, Role.class, "gpuward-remediator-events");
    assertThat(events.getMetadata().getNamespace())
        .isEqualTo(KubernetesClusterActuator.EVENT_NAMESPACE);
    assertThat(grants(events.getRules())).containsExactly("/events:create");
    assertNoWildcardsNoSecrets(events.getRules());
    RoleBinding binding = named(objects, RoleBinding.class, "gpuward-remediator-events");
    assertThat(binding.getMetadata().getNamespace())
        .isEqualTo(KubernetesClusterActuator.EVENT_NAMESPACE);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(events.getMetadata().getName());
    ServiceAccount sa = only(objects, ServiceAccount.class);
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
            });
  }

  @Test
  void shouldLetTheRemediatorCreateAndReadResetJobsOnlyInItsOwnNamespace() throws Exception {
    List<HasMetadata> objects = load("remediator.yaml", 9);
    ServiceAccount sa = only(objects, ServiceAccount.class);
    Role jobs = named(objects, Role.class, "gpuward-remediator-reset-jobs");
    assertThat(jobs.getMetadata().getNamespace())
        .isEqualTo(sa.getMetadata().getNamespace())
        .isEqualTo(ResetJobSettings.DEFAULT_NAMESPACE);
    assertThat(grants(jobs.getRules()))
        .containsExactlyInAnyOrder("batch/jobs:create", "batch/jobs:get");
    assertNoWildcardsNoSecrets(jobs.getRules());
    RoleBinding binding = named(objects, RoleBinding.class, "gpuward-remediator-reset-jobs");
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(jobs.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo(sa.getMetadata().getName()));
  }

  @Test
  void shouldLetTheRemediatorHoldItsStandbyLeaseOnlyInItsOwnNamespace() throws Exception {
    List<HasMetadata> objects = load("remediator.yaml", 9);
    ServiceAccount sa = only(objects, ServiceAccount.class);
    Role lease = named(objects, Role.class, "gpuward-remediator-lease");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
    assertThat(grants(lease.getRules()))
        .containsExactlyInAnyOrder(
            "coordination.k8s.io/leases:get",
            "coordination.k8s.io/leases:create",
            "coordination.k8s.io/leases:patch");
    assertNoWildcardsNoSecrets(lease.getRules());
    RoleBinding binding = named(objects, RoleBinding.class, "gpuward-remediator-lease");
    assertThat(binding.getMetadata().getNamespace()).isEqualTo(sa.getMetadata().getNamespace());
    assertThat(binding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo(sa.getMetadata().getName()));
  }

  @Test
  void shouldLetTheRemediatorChangeOnlyUnschedulableAndItsAnnotation() throws Exception {
    List<HasMetadata> objects = load("remediator-admission-policy.yaml", 2);
    ValidatingAdmissionPolicy policy = only(objects, ValidatingAdmissionPolicy.class);
    ValidatingAdmissionPolicyBinding binding =
        only(objects, ValidatingAdmissionPolicyBinding.class);
    assertThat(policy.getApiVersion()).isEqualTo("admissionregistration.k8s.io/v1");
    assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
    assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
    assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");

    var rule = policy.getSpec().getMatchConstraints().getResourceRules();
    assertThat(rule).singleElement();
    assertThat(rule.get(0).getResources()).containsExactly("nodes");
    assertThat(rule.get(0).getOperations()).containsExactly("UPDATE");

    // It applies to the remediator's own service account, and only to it.
    ServiceAccount sa = only(load("remediator.yaml", 9), ServiceAccount.class);
    String user =
        "system:serviceaccount:"
            + sa.getMetadata().getNamespace()
            + ":"
            + sa.getMetadata().getName();
    assertThat(policy.getSpec().getMatchConditions())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getExpression())
                    .isEqualTo("request.userInfo.username == '" + user + "'"));

    // Its own annotation is the only one it may change; labels, taints and the rest are compared.
    String cel =
        policy.getSpec().getVariables().stream()
                .map(v -> v.getName() + "=" + v.getExpression())
                .collect(Collectors.joining("\n"))
            + policy.getSpec().getValidations().stream()
                .map(v -> v.getExpression())
                .collect(Collectors.joining("\n"));
    assertThat(cel)
        .contains("'" + KubernetesClusterActuator.CORDONED_BY + "'")
        .contains("object.metadata.annotations", "oldObject.metadata.annotations")
        .contains("object.metadata.labels", "oldObject.metadata.labels")
        .contains("object.spec.taints", "oldObject.spec.taints")
        .contains("object.spec.providerID", "oldObject.spec.providerID")
        .doesNotContain("object.spec.unschedulable");
    assertThat(policy.getSpec().getValidations())
        .hasSize(5)
        .allSatisfy(v -> assertThat(v.getMessage()).startsWith("gpuward's remediator may"));
  }

  @Test
  void shouldGrantTheExporterReadOnlyAccess() throws Exception {
    List<HasMetadata> objects = load("exporter.yaml", 3);

    ClusterRole role = only(objects, ClusterRole.class);
    // get only for its own Node (inventory); informers list and watch the rest
    assertThat(grants(role.getRules()))
        .containsExactlyInAnyOrder(
            "/nodes:get",
            "/nodes:list",
            "/nodes:watch",
            "/pods:list",
            "/pods:watch",
            "/events:list",
            "/events:watch");
    assertNoWildcardsNoSecrets(role.getRules());
    assertBound(objects, role, "gpuward-exporter");
  }

  private static void assertNoWildcardsNoSecrets(List<PolicyRule> rules) {
    for (PolicyRule r : rules) {
      assertThat(r.getApiGroups()).doesNotContain("*");
      assertThat(r.getResources()).doesNotContain("*", "secrets", "pods/exec", "nodes/proxy");
      assertThat(r.getVerbs()).doesNotContain("*", "deletecollection", "escalate", "bind");
      if (r.getVerbs().contains("delete")) {
        // The one delete: the remediator's own DeviceTaintRules at return to service.
        assertThat(r.getApiGroups()).containsExactly("resource.k8s.io");
        assertThat(r.getResources()).containsExactly("devicetaintrules");
      }
      assertThat(r.getNonResourceURLs()).isNullOrEmpty();
      assertThat(r.getResourceNames()).isNullOrEmpty();
    }
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
  private static Set<String> grants(List<PolicyRule> rules) {
    Set<String> out = new TreeSet<>();
    for (PolicyRule r : rules) {
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

  private static <T extends HasMetadata> T named(
      List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found =
        objects.stream()
            .filter(type::isInstance)
            .map(type::cast)
            .filter(o -> o.getMetadata().getName().equals(name))
            .collect(Collectors.toList());
    assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
    return found.get(0);
  }

  private static List<HasMetadata> load(String file, int expected) throws Exception {
    Object parsed = Serialization.unmarshal(Files.readString(RBAC.resolve(file)));
    List<HasMetadata> objects;
    if (parsed instanceof KubernetesList l) {
      objects = l.getItems();
    } else if (parsed instanceof List<?> l) {
      objects = l.stream().map(HasMetadata.class::cast).collect(Collectors.toList());
    } else {
      objects = List.of((HasMetadata) parsed);
    }
    assertThat(objects).as(file).hasSize(expected);
    return objects;
  }
}
