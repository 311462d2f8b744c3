package io.gpuward.sim.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.gpuward.remediation.ImageFamily;
import io.gpuward.remediation.k8s.KubernetesActuatorSettings;
import io.gpuward.remediation.k8s.KubernetesClients;
import io.gpuward.remediation.k8s.KubernetesClusterActuator;
import io.gpuward.remediation.k8s.ResetJobSettings;
import io.gpuward.remediation.k8s.ResetJobs;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.CommandTrace;
import io.gpuward.sim.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulated API runs gpuward's GPU reset Job through the cluster model's GPU reset. */
class KubeWorldResetJobTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String FLEET =
      """
      name: reset-job
      seed: 7
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 1, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 1, zone: us-east-1b}
      """;
  private static final String P5 = "p5-train-0";

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private KubeWorld world() {
    KubeWorld w = new KubeWorld(FLEET, SimulatedCluster.Settings.defaults());
    closing.add(w);
    w.runTo(Duration.ofSeconds(5));
    w.server.sync();
    return w;
  }

  private KubernetesClusterActuator actuator(KubeWorld w) {
    var client = KubernetesClients.create(w.server.clientConfig(), WAIT, WAIT);
    closing.add(client);
    // Waiting is simulated time passing; the world then shows what happened meanwhile.
    return new KubernetesClusterActuator(
        client,
        w.clock,
        d -> {
          w.pass(d);
          w.server.sync();
        },
        KubernetesActuatorSettings.defaults());
  }

  private Job job(KubeWorld w, String op) {
    return w.client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ResetJobSettings.DEFAULT_NAMESPACE)
        .withName(ResetJobs.name(op))
        .get();
  }

  @Test
  void shouldServeEachNodesOsImageFromItsNodeGroupsImage() {
    KubernetesClusterActuator a = actuator(world());
    assertThat(ImageFamily.of(a.node(P5).orElseThrow().osImage()))
        .isEqualTo(ImageFamily.BOTTLEROCKET);
    assertThat(a.node(P5).orElseThrow().osImage())
        .isEqualTo("Bottlerocket OS " + OsImages.BOTTLEROCKET_VERSION + " (aws-k8s-1.32-nvidia)");
    assertThat(ImageFamily.of(a.node("g5-infer-0").orElseThrow().osImage()))
        .isEqualTo(ImageFamily.AL2023);
  }

  @Test
  void shouldResetTheGpuOfADrainedNodeThroughAJobThatSucceeds() {
    KubeWorld w = world();
    KubernetesClusterActuator a = actuator(w);
    a.cordon(P5, "op-cordon");
    assertThat(a.drain(P5, Duration.ofMinutes(2)).complete()).isTrue();

    a.resetGpuByJob(P5, List.of("0"), "op-reset-1");

    assertThat(w.cluster.gpuResets()).isEqualTo(1);
    assertThat(job(w, "op-reset-1").getStatus().getSucceeded()).isEqualTo(1);
    assertThat(a.gpuResetJobTrace(P5, "op-reset-1").state())
        .isEqualTo(CommandTrace.State.SUCCEEDED);

    // The same operation again (a restarted remediator) finds the Job: no second reset.
    a.resetGpuByJob(P5, List.of("0"), "op-reset-1");
    assertThat(w.cluster.gpuResets()).isEqualTo(1);
  }

  @Test
  void shouldFailTheJobWhenTheModelCannotResetTheGpu() {
    KubeWorld w = world();
    KubernetesClusterActuator a = actuator(w);

    assertThatThrownBy(() -> a.resetGpuByJob(P5, List.of("0"), "op-reset-2"))
        .isInstanceOfSatisfying(
            ActuatorException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ActuatorException.Kind.PERMANENT);
              assertThat(e.getMessage()).contains("not drained");
            });
    assertThat(job(w, "op-reset-2").getStatus().getFailed()).isEqualTo(1);
    assertThat(w.cluster.gpuResets()).isZero();
  }
}
