package io.gpuward.remediation.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.remediation.port.LiveNode;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GPU reset Job against fabric8's mock API server in CRUD mode. */
class KubernetesJobResetTest {

  private static final String OP = "op-3c1f0a9e";
  private static final String GPU = "GPU-a54c8f1e-1d2b-4c3d-8e9f-0a1b2c3d4e5f";
  private static final String NS = ResetJobSettings.DEFAULT_NAMESPACE;

  private ClusterMock mock;
  private KubernetesClient kube;
  private FakeTime time;
  private final AtomicInteger sleeps = new AtomicInteger();
  private Runnable onSleep = () -> {};

  @BeforeEach
  void setUp() {
    mock = new ClusterMock();
    kube = mock.client();
    time = new FakeTime(Instant.parse("2026-03-01T10:00:00Z"));
  }

  @AfterEach
  void tearDown() {
    mock.close();
  }

  private KubernetesClusterActuator actuator() {
    return new KubernetesClusterActuator(
        kube,
        time,
        d -> {
          sleeps.incrementAndGet();
          time.sleep(d);
          onSleep.run();
        },
        KubernetesActuatorSettings.defaults());
  }

  private Job job() {
    return kube.batch().v1().jobs().inNamespace(NS).withName(ResetJobs.name(OP)).get();
  }

  /** What the Job controller writes when the pod has run: succeeded or failed. */
  private void finish(boolean ok) {
    Job j = job();
    j.setStatus(
        ok
            ? new JobStatusBuilder()
                .withSucceeded(1)
                .withConditions(
                    new JobConditionBuilder().withType("Complete").withStatus("True").build())
                .build()
            : new JobStatusBuilder()
                .withFailed(1)
                .withConditions(
                    new JobConditionBuilder()
                        .withType("Failed")
                        .withStatus("True")
                        .withReason("BackoffLimitExceeded")
                        .withMessage("Job has reached the specified backoff limit")
                        .build())
                .build());
    kube.batch().v1().jobs().inNamespace(NS).resource(j).updateStatus();
  }

  private void createAsIfSentBeforeACrash() {
    kube.batch()
        .v1()
        .jobs()
        .inNamespace(NS)
        .resource(ResetJobs.job(ResetJobSettings.defaults(), K8sObjects.NODE, List.of(GPU), OP))
        .create();
  }

  @Test
  void shouldCreateTheResetJobOnTheNodeAndWaitUntilItSucceeds() {
    onSleep = () -> finish(true);

    actuator().resetGpuByJob(K8sObjects.NODE, List.of(GPU), OP);

    Job j = job();
    assertThat(j.getSpec().getTemplate().getSpec().getNodeName()).isEqualTo(K8sObjects.NODE);
    assertThat(j.getMetadata().getAnnotations()).containsEntry(ResetJobs.OPERATION_ID, OP);
    assertThat(j.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())
        .containsExactly("nvidia-smi", "-r", "-i", GPU);
    assertThat(mock.requests("POST", "/apis/batch/v1/namespaces/" + NS + "/jobs")).hasSize(1);
    assertThat(sleeps).hasValue(1);
  }

  @Test
  void shouldFindTheJobOfARestartedOperationInsteadOfCreatingASecond() {
    createAsIfSentBeforeACrash();
    finish(true);

    actuator().resetGpuByJob(K8sObjects.NODE, List.of(GPU), OP);

    assertThat(kube.batch().v1().jobs().inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(sleeps).as("the outcome is read from the Job, not waited for").hasValue(0);
    assertThat(actuator().gpuResetJobTrace(K8sObjects.NODE, OP).state())
        .isEqualTo(CommandTrace.State.SUCCEEDED);
  }

  @Test
  void shouldFailPermanentlyWithThePodsTerminationMessage() {
    createAsIfSentBeforeACrash();
    finish(false);
    kube.pods().inNamespace(NS).resource(failedPod()).create();

    assertThatThrownBy(() -> actuator().resetGpuByJob(K8sObjects.NODE, List.of(GPU), OP))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT);
              assertThat(e.getMessage())
                  .contains("BackoffLimitExceeded", "exit code 255", "in use by another client");
            });
  }

  @Test
  void shouldTraceAbsentRunningSucceededAndFailedJobs() {
    KubernetesClusterActuator a = actuator();
    assertThat(a.gpuResetJobTrace(K8sObjects.NODE, OP).state())
        .isEqualTo(CommandTrace.State.NOT_SENT);
    createAsIfSentBeforeACrash();
    assertThat(a.gpuResetJobTrace(K8sObjects.NODE, OP).state())
        .isEqualTo(CommandTrace.State.IN_PROGRESS);
    finish(false);
    assertThat(a.gpuResetJobTrace(K8sObjects.NODE, OP))
        .satisfies(t -> assertThat(t.state()).isEqualTo(CommandTrace.State.FAILED))
        .satisfies(
            t -> assertThat(t.detail()).contains(ResetJobs.name(OP), "BackoffLimitExceeded"));
  }

  @Test
  void shouldCallAJobWithoutResultByItsDeadlineAmbiguous() {
    assertThatThrownBy(() -> actuator().resetGpuByJob(K8sObjects.NODE, List.of(GPU), OP))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.AMBIGUOUS));
    assertThat(kube.batch().v1().jobs().inNamespace(NS).list().getItems()).hasSize(1);
  }

  @Test
  void shouldRefuseAJobOfTheSameNameFromAnotherOperation() {
    Job other = ResetJobs.job(ResetJobSettings.defaults(), K8sObjects.NODE, List.of(GPU), OP);
    other.getMetadata().getAnnotations().put(ResetJobs.OPERATION_ID, "op-someone-else");
    kube.batch().v1().jobs().inNamespace(NS).resource(other).create();

    assertThatThrownBy(() -> actuator().resetGpuByJob(K8sObjects.NODE, List.of(GPU), OP))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT));
  }

  @Test
  void shouldSendNothingForAGpuIdThatIsNotOne() {
    assertThatThrownBy(() -> actuator().resetGpuByJob(K8sObjects.NODE, List.of("0; reboot"), OP))
        .isInstanceOf(ActuatorException.class);
    assertThat(mock.requests("POST", "/apis/batch")).isEmpty();
  }

  @Test
  void shouldReadTheNodesOsImage() {
    var n = K8sObjects.gpuNode(K8sObjects.NODE);
    n.getStatus().getNodeInfo().setOsImage("Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)");
    kube.nodes().resource(n).create();

    LiveNode live = actuator().node(K8sObjects.NODE).orElseThrow();

    assertThat(live.osImage()).isEqualTo("Bottlerocket OS 1.20.3 (aws-k8s-1.29-nvidia)");
  }

  private static Pod failedPod() {
    Pod p = K8sObjects.workload(NS, ResetJobs.name(OP) + "-x7k2q", K8sObjects.NODE);
    p.getMetadata().getLabels().put(ResetJobs.JOB_NAME_LABEL, ResetJobs.name(OP));
    p.getStatus()
        .setContainerStatuses(
            List.of(
                new ContainerStatusBuilder()
                    .withName("reset")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(255)
                    .withReason("Error")
                    .withMessage(
                        "Unable to reset GPU 00000000:53:00.0 because it's being used by some"
                            + " other process; GPU is in use by another client")
                    .endTerminated()
                    .endState()
                    .build()));
    return p;
  }
}
