package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.gpuward.avro.RemediationAction;
import io.gpuward.kube.LeaseTerms;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.DraDevice;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The remediator's ClusterRole and Role grant exactly the (resource, verb) pairs the Kubernetes
 * actuator uses, the Roles' only in their namespaces: every request a full cordon → drain → event →
 * uncordon cycle, a GPU reset Job and a warm standby's Lease election make is mapped to its RBAC
 * verb and compared with {@code deploy/rbac/remediator.yaml}.
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
    // A per-GPU repair on a DRA node: its device tainted, then untainted at return to service.
    String session = "op-5";
    actuator.taintDevices(
        K8sObjects.NODE,
        List.of(new DraDevice("gpu.nvidia.com", K8sObjects.NODE, "gpu-3", "GPU-3", null)),
        session);
    actuator.untaintDevices(K8sObjects.NODE, session);
    actuator.cordon(K8sObjects.NODE, "op-1");
    actuator.drain(K8sObjects.NODE, Duration.ofSeconds(30));
    actuator.recordEvent(K8sObjects.NODE, RemediationAction.DRAIN, true, "op-2", "drained");
    actuator.uncordon(K8sObjects.NODE, "op-3");
    // A GPU reset through a Job: created, read while it runs, its pods read once it failed.
    // Nothing completes the Job in the mock: the reset runs out of time.
    assertThatThrownBy(() -> actuator.resetGpuByJob(K8sObjects.NODE, List.of("0"), "op-4"))
        .isInstanceOf(ActuatorException.class);
    List<ClusterMock.Request> used =
        new ArrayList<>(mock.requests().subList(before, mock.requests().size()));
    failJob(kube, "op-4"); // the Job controller's write, not the actuator's
    int resume = mock.requests().size();
    actuator.gpuResetJobTrace(K8sObjects.NODE, "op-4");
    used.addAll(mock.requests().subList(resume, mock.requests().size()));
    used.addAll(leaseRequests(kube));

    Set<String> granted = granted();
    Set<String> needed = new TreeSet<>();
    for (var r : used) {
      String verb = verb(r.method(), r.path());
      // A namespaced request is covered by the ClusterRole, else by a Role in its namespace.
      needed.add(granted.contains(verb) ? verb : verb + "@" + namespace(r.path()));
    }
    assertThat(needed).isEqualTo(granted);
  }

  /**
   * A warm standby's election in the remediator's namespace: the Lease read, created, then renewed
   * (fabric8 8 renews and releases with a PATCH, not a PUT); a second replica reads it. The
   * requests that made it.
   */
  private List<ClusterMock.Request> leaseRequests(KubernetesClient kube) {
    int from = mock.requests().size();
    var settings =
        new LeaseTerms.Settings(
            "remediate",
            "gpuward-remediate",
            ResetJobSettings.DEFAULT_NAMESPACE,
            "remediate-0",
            Duration.ofSeconds(2));
    AtomicInteger terms = new AtomicInteger();
    try (var leader =
            new LeaseTerms<AutoCloseable>(
                kube,
                settings,
                () -> terms::incrementAndGet,
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                "gpuward.test.leader");
        var standby =
            new LeaseTerms<AutoCloseable>(
                kube,
                new LeaseTerms.Settings(
                    "remediate",
                    settings.name(),
                    settings.namespace(),
                    "remediate-1",
                    settings.duration()),
                () -> terms::incrementAndGet,
                Clock.systemUTC(),
                new SimpleMeterRegistry(),
                "gpuward.test.leader")) {
      leader.start();
      Eventually.await(Duration.ofSeconds(20), () -> assertThat(leader.term()).isNotNull());
      standby.start();
      Eventually.await(
          Duration.ofSeconds(20), () -> assertThat(standby.leader()).isEqualTo("remediate-0"));
      Eventually.await(
          Duration.ofSeconds(20),
          () ->
              assertThat(
                      mock.requests().subList(from, mock.requests().size()).stream()
                          .filter(r -> r.method().equals("PATCH")))
                  .isNotEmpty());
    }
    return new ArrayList<>(mock.requests().subList(from, mock.requests().size()));
  }

  private static void failJob(KubernetesClient kube, String op) {
    var jobs = kube.batch().v1().jobs().inNamespace(ResetJobSettings.DEFAULT_NAMESPACE);
    var job = jobs.withName(ResetJobs.name(op)).get();
    job.setStatus(new JobStatusBuilder().withFailed(1).build());
    jobs.resource(job).updateStatus();
  }

  private static String namespace(String path) {
    var m =
        Pattern.compile("^/apis?/(?:[a-z0-9.]+/)?v1[a-z0-9]*/namespaces/([^/]+)/").matcher(path);
    return m.find() ? m.group(1) : "(cluster)";
  }

  /**
   * Core ({@code /api/v1}) or named group ({@code /apis/<group>/v1}, {@code v1beta2}, ...),
   * namespaced or not.
   */
  private static final Pattern PATH =
      Pattern.compile(
          "^/(?:api/v1|apis/([a-z.0-9]+)/v1[a-z0-9]*)(?:/namespaces/[^/]+)?/([a-z]+)(/[^/?]+)?(/[a-z]+)?");

  /** The RBAC (group/resource, verb) a request needs. */
  private static String verb(String method, String path) {
    var m = PATH.matcher(path);
    assertThat(m.find()).as(path).isTrue();
    String group = m.group(1) == null ? "" : m.group(1);
    String resource = m.group(2) + (m.group(4) == null ? "" : m.group(4));
    boolean named = m.group(3) != null;
    String verb =
        switch (method) {
          case "GET" -> path.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PATCH" -> "patch";
          case "PUT" -> "update";
          case "DELETE" -> "delete";
          default -> method;
        };
    return group + "/" + resource + ":" + verb;
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
