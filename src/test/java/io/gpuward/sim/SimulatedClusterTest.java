package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.DrainResult;
import io.gpuward.remediation.port.LiveNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedClusterTest {

  private static final String FLEET =
      """
      name: t
      seed: 3
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 3, zone: us-east-1a}
        - {name: cache-warm, instanceType: m5.large, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 1, zone: us-east-1a}
      faults:
        - {at: 10s, node: p5-train-1, inject: xid, gpu: 3, xid: 79}
        - {at: 10s, node: p5-train-2, inject: xid, gpu: 0, xid: 119}
        - {at: 11s, node: p5-train-2, inject: sbe-storm, gpu: 0, rate: 100}
      """;

  private static SimHarness started() {
    return SimHarness.of(FLEET).runTo("15s");
  }

  /** Drains with single non-blocking passes, letting simulated time pass between them. */
  private static DrainResult drainFully(SimHarness h, String node) {
    int evicted = 0;
    for (int i = 0; i < 40; i++) {
      DrainResult r = h.cluster.drain(node, Duration.ZERO);
      evicted += r.evicted();
      if (r.complete()) {
        return new DrainResult(evicted, 0, r.skippedDaemonSet(), true);
      }
      h.runTo(Duration.between(SimHarness.T0, h.clock.instant()).plusSeconds(1));
    }
    throw new AssertionError("drain of " + node + " never completed");
  }

  @Test
  void shouldRebootThroughTheCloudPortWithNewBootIdAndFaultsCleared() {
    SimHarness h = started();
    LiveNode before = h.cluster.node("p5-train-1").orElseThrow();
    String uuid = h.sink.samples("p5-train-1", 3).get(0).getUuid();

    h.cluster.cordon("p5-train-1", "op-1");
    drainFully(h, "p5-train-1");
    h.sink.clear();
    h.cluster.reboot(before.instanceId(), "op-2");

    LiveNode during = h.cluster.node("p5-train-1").orElseThrow();
    assertThat(during.ready()).isFalse();
    assertThat(during.bootId()).isEqualTo(before.bootId());
    java.time.Instant rebootAt = h.clock.instant();
    h.runTo(Duration.between(SimHarness.T0, rebootAt).plusSeconds(19));
    NodeEvent down = h.sink.events("p5-train-1", NodeEventKind.CONDITION_CHANGED).get(0);
    assertThat(down.getConditionStatus()).isEqualTo("False");
    assertThat(down.getReason()).isEqualTo("KubeletNotReady");
    assertThat(down.getEventTime()).isEqualTo(rebootAt);
    assertThat(h.sink.samples("p5-train-1")).isEmpty();
    assertThat(h.sink.events("p5-train-1", NodeEventKind.EXPORTER_HEARTBEAT)).isEmpty();

    h.runTo(Duration.between(SimHarness.T0, rebootAt).plusSeconds(30));
    LiveNode after = h.cluster.node("p5-train-1").orElseThrow();
    assertThat(after.ready()).isTrue();
    assertThat(after.bootId()).isNotEqualTo(before.bootId());
    assertThat(after.instanceId()).isEqualTo(before.instanceId());
    assertThat(after.unschedulable()).isTrue(); // a reboot does not uncordon

    List<NodeEvent> events = h.sink.events("p5-train-1");
    NodeEvent rebooted = h.sink.events("p5-train-1", NodeEventKind.NODE_REBOOTED).get(0);
    assertThat(rebooted.getReason()).isEqualTo("Rebooted");
    assertThat(rebooted.getMessage())
        .isEqualTo("Node p5-train-1 has been rebooted, boot id: " + after.bootId());
    assertThat(rebooted.getEventTime()).isEqualTo(rebootAt.plusSeconds(20));
    assertThat(rebooted.getBootId()).isEqualTo(after.bootId());
    int i = events.indexOf(rebooted);
    assertThat(events.get(i + 1).getKind()).isEqualTo(NodeEventKind.CONDITION_CHANGED);
    assertThat(events.get(i + 1).getConditionStatus()).isEqualTo("True");
    assertThat(events.get(i + 2).getKind()).isEqualTo(NodeEventKind.RESOURCE_SNAPSHOT);
    assertThat(events.get(i + 2).getGpuAllocatable()).isEqualTo(8);

    List<GpuSample> back = h.sink.samples("p5-train-1", 3);
    assertThat(back).isNotEmpty();
    assertThat(back.get(0).getUuid()).isEqualTo(uuid);
    assertThat(back.get(0).getEventTime()).isEqualTo(rebootAt.plusSeconds(20));
    assertThat(back).allMatch(s -> s.getBootId().equals(after.bootId()) && s.getLastXid() == 0);
    assertThat(h.sink.samples("p5-train-1")).hasSize(8 * 11);
    assertThat(h.cluster.reboots()).isEqualTo(1);
  }

  @Test
  void shouldTreatTheSameRebootTokenTwiceAsOneReboot() {
    SimHarness h = started();
    String id = h.cluster.node("p5-train-0").orElseThrow().instanceId();
    h.cluster.reboot(id, "op-r");
    h.runTo("40s");
    h.cluster.reboot(id, "op-r");
    assertThat(h.cluster.reboots()).isEqualTo(1);
    assertThat(h.cluster.actions())
        .filteredOn(a -> a.action().equals("REBOOT"))
        .extracting(ClusterAction::outcome)
        .containsExactly("ACCEPTED", "NOOP");
    assertThat(h.sink.events("p5-train-0", NodeEventKind.NODE_REBOOTED)).hasSize(1);
  }

  @Test
  void shouldHonourThePodDisruptionBudgetWhenDraining() {
    SimHarness h = started();
    h.cluster.cordon("p5-train-0", "op-c");

    DrainResult first = h.cluster.drain("p5-train-0", Duration.ZERO);
    assertThat(first.evicted()).isEqualTo(1);
    assertThat(first.blockedByPdb()).isEqualTo(7);
    assertThat(first.skippedDaemonSet()).isPositive();
    assertThat(first.complete()).isFalse();

    // the budget is per node group: another node's pods are blocked too while one is disrupted
    DrainResult other = h.cluster.drain("p5-train-2", Duration.ZERO);
    assertThat(other.evicted()).isZero();
    assertThat(other.blockedByPdb()).isEqualTo(8);

    DrainResult again = h.cluster.drain("p5-train-0", Duration.ZERO);
    assertThat(again.evicted()).isZero();

    h.runTo("21s"); // the evicted pod runs elsewhere after 5 s
    DrainResult next = h.cluster.drain("p5-train-0", Duration.ZERO);
    assertThat(next.evicted()).isEqualTo(1);
    assertThat(next.blockedByPdb()).isEqualTo(6);

    DrainResult rest = drainFully(h, "p5-train-0");
    assertThat(rest.complete()).isTrue();
    assertThat(rest.evicted()).isEqualTo(6);
    assertThat(h.cluster.pods("p5-train-0")).allMatch(PodView::daemonSet);
    assertThat(h.cluster.stats().evictions()).isEqualTo(8);

    // evicted GPUs idle in telemetry (no pod attribution, no load)
    h.runTo(Duration.between(SimHarness.T0, h.clock.instant()).plusSeconds(2));
    GpuSample idle = last(h.sink.samples("p5-train-0", 0));
    assertThat(idle.getPod()).isNull();
    assertThat(idle.getGpuUtilPct()).isZero();
  }

  @Test
  void shouldBlockUntilTheDeadlineWhileTheSimulatedClockRuns() {
    SimClock clock = new SimClock(SimHarness.T0, 200);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    FleetSimulator sim =
        new FleetSimulator(
            ScenarioLoader.parse(FLEET, SimHarness.CATALOG),
            SimHarness.CATALOG,
            cluster,
            new RecordingSink(),
            SimHarness.T0);
    sim.advanceTo(SimHarness.T0);
    cluster.cordon("p5-train-0", "op");
    DrainResult r = cluster.drain("p5-train-0", Duration.ofMinutes(2));
    assertThat(r.complete()).isTrue();
    assertThat(r.evicted()).isEqualTo(8);
  }

  @Test
  void shouldRequireADrainedNodeForAGpuResetAndClearTheFatalXid() {
    SimHarness h = started();
    LiveNode n = h.cluster.node("p5-train-2").orElseThrow();
    String uuid = h.sink.samples("p5-train-2", 0).get(0).getUuid();
    assertThat(last(h.sink.samples("p5-train-2", 0)).getLastXid()).isEqualTo(119);

    assertThatThrownBy(() -> h.cluster.resetGpu(n.instanceId(), uuid, "op-reset"))
        .isInstanceOf(ActuatorException.class)
        .hasMessage("node not drained")
        .extracting(e -> ((ActuatorException) e).kind())
        .isEqualTo(ActuatorException.Kind.PERMANENT);

    h.cluster.cordon("p5-train-2", "op-c");
    drainFully(h, "p5-train-2");
    java.time.Instant since = h.clock.instant();
    assertThat(h.cluster.gpuResetTrace(n.instanceId(), uuid, "op-reset", since).state())
        .as("a rejected reset was never sent")
        .isEqualTo(io.gpuward.remediation.port.CommandTrace.State.NOT_SENT);
    h.cluster.resetGpu(n.instanceId(), uuid, "op-reset");
    assertThat(h.cluster.gpuResetTrace(n.instanceId(), uuid, "op-reset", since).state())
        .isEqualTo(io.gpuward.remediation.port.CommandTrace.State.SUCCEEDED);
    assertThat(h.cluster.gpuResetTrace(n.instanceId(), uuid, "op-other", since).state())
        .isEqualTo(io.gpuward.remediation.port.CommandTrace.State.NOT_SENT);
    java.time.Instant resetAt = h.clock.instant();
    h.runTo(Duration.between(SimHarness.T0, resetAt).plusSeconds(10));

    List<GpuSample> s = h.sink.samples("p5-train-2", 0);
    GpuSample justBefore =
        s.stream()
            .filter(x -> x.getEventTime().isBefore(resetAt.plusSeconds(5)))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(justBefore.getLastXid()).isEqualTo(119);
    assertThat(justBefore.getEccSbeVolatile()).isPositive();
    GpuSample after = last(s);
    assertThat(after.getLastXid()).isZero();
    assertThat(after.getEccSbeVolatile())
        .isLessThan(5L); // volatile counters restart, the storm stopped
    assertThat(after.getEccSbeAggregate()).isGreaterThanOrEqualTo(justBefore.getEccSbeAggregate());
    assertThat(after.getBootId()).isEqualTo(n.bootId());
    assertThat(h.cluster.gpuResets()).isEqualTo(1);
  }

  @Test
  void shouldNotBringBackALostGpuWithAReset() {
    SimHarness h = started();
    LiveNode n = h.cluster.node("p5-train-1").orElseThrow();
    h.cluster.cordon("p5-train-1", "op-c");
    drainFully(h, "p5-train-1");
    h.cluster.resetGpu(n.instanceId(), "3", "op-reset");
    long at = Duration.between(SimHarness.T0, h.clock.instant()).toSeconds();
    h.sink.clear();
    h.runTo(Duration.ofSeconds(at + 10));
    assertThat(h.sink.samples("p5-train-1", 3)).isEmpty();
  }

  @Test
  void shouldReplaceTheInstanceWithANewNodeInTheSameGroup() {
    SimHarness h = started();
    LiveNode old = h.cluster.node("p5-train-1").orElseThrow();
    h.cluster.replace(old.instanceId(), old.asgName(), "op-replace");
    java.time.Instant at = h.clock.instant();

    assertThat(h.cluster.node("p5-train-1")).isEmpty();
    h.runTo(Duration.between(SimHarness.T0, at).plusSeconds(30));
    assertThat(h.sink.tombstones).containsExactly("p5-train-1");
    assertThat(h.sink.events("p5-train-1", NodeEventKind.NODE_REMOVED)).hasSize(1);
    assertThat(h.sink.samples("p5-train-1"))
        .allMatch(s -> s.getEventTime().isBefore(at.plusSeconds(1)));
    NodeInventory pending =
        h.sink.inventory.stream()
            .filter(i -> i.getNode().equals("p5-train-3"))
            .findFirst()
            .orElseThrow();
    assertThat(pending.getRegistered()).isFalse();
    assertThat(pending.getAsgName()).isEqualTo("eks-p5-train-asg");
    assertThat(pending.getInstanceId()).isNotEqualTo(old.instanceId()).startsWith("i-0");
    assertThat(h.sink.samples("p5-train-3")).isEmpty();

    h.runTo(Duration.between(SimHarness.T0, at).plusSeconds(50));
    LiveNode fresh = h.cluster.node("p5-train-3").orElseThrow();
    assertThat(fresh.ready()).isTrue();
    assertThat(fresh.asgName()).isEqualTo(old.asgName());
    assertThat(fresh.instanceId()).isEqualTo(pending.getInstanceId());
    assertThat(h.sink.events("p5-train-3").get(0).getKind())
        .isEqualTo(NodeEventKind.NODE_REGISTERED);
    assertThat(h.sink.events("p5-train-3").get(0).getEventTime()).isEqualTo(at.plusSeconds(40));
    assertThat(
            h.sink.inventory.stream()
                .filter(i -> i.getNode().equals("p5-train-3"))
                .map(NodeInventory::getRegistered))
        .containsExactly(false, true);
    List<GpuSample> samples = h.sink.samples("p5-train-3");
    assertThat(samples.size()).isEqualTo(8 * 11); // ticks at +40 s .. +50 s after the call
    assertThat(samples)
        .noneMatch(s -> s.getUuid().equals(h.sink.samples("p5-train-1", 0).get(0).getUuid()));
    assertThat(h.cluster.replacements()).isEqualTo(1);
    assertThat(h.cluster.instances())
        .filteredOn(i -> i.node().equals("p5-train-1"))
        .singleElement()
        .extracting(InstanceView::state)
        .isEqualTo("TERMINATED");

    assertThatThrownBy(() -> h.cluster.replace(old.instanceId(), old.asgName(), "op-other"))
        .isInstanceOf(ActuatorException.class)
        .hasMessageContaining("already terminated");
    h.cluster.replace(old.instanceId(), old.asgName(), "op-replace"); // same token: no-op
    assertThat(h.cluster.replacements()).isEqualTo(1);
  }

  @Test
  void shouldReplaceANeverRegisteringInstanceWithAnotherThatNeverRegisters() {
    SimHarness h = started();
    String id =
        h.cluster.instances().stream()
            .filter(i -> i.node().equals("cache-warm-0"))
            .findFirst()
            .orElseThrow()
            .instanceId();
    h.cluster.replace(id, "eks-cache-warm-asg", "op");
    h.runTo("2m");
    assertThat(h.cluster.node("cache-warm-1")).isEmpty();
    assertThat(h.sink.events("cache-warm-1")).isEmpty();
    assertThat(h.sink.inventory.stream().filter(i -> i.getNode().equals("cache-warm-1")))
        .singleElement()
        .satisfies(i -> assertThat(i.getRegistered()).isFalse());
    assertThat(h.sink.tombstones).containsExactly("cache-warm-0");
  }

  @Test
  void shouldRecordTheCordonOperationId() {
    SimHarness h = started();
    h.cluster.cordon("p5-train-0", "op-42");
    LiveNode n = h.cluster.node("p5-train-0").orElseThrow();
    assertThat(n.unschedulable()).isTrue();
    assertThat(n.cordonedBy()).contains("op-42");
    assertThat(n.cordonedBySomeoneElse()).isFalse();

    h.cluster.cordon("p5-train-0", "op-42");
    assertThat(h.cluster.stats().cordons()).isEqualTo(1);
    assertThat(h.cluster.actions())
        .extracting(ClusterAction::outcome)
        .containsExactly("ACCEPTED", "NOOP");

    h.runTo("21s");
    NodeEvent ev = h.sink.events("p5-train-0", NodeEventKind.KUBE_EVENT).get(0);
    assertThat(ev.getReason()).isEqualTo("NodeNotSchedulable");
    assertThat(ev.getUnschedulable()).isTrue();
    // the exporter does not know the node's schedulability: only kube records carry it
    assertThat(
            last(h.sink.events("p5-train-0", NodeEventKind.EXPORTER_HEARTBEAT)).getUnschedulable())
        .isNull();

    h.cluster.uncordon("p5-train-0", "op-43");
    LiveNode u = h.cluster.node("p5-train-0").orElseThrow();
    assertThat(u.unschedulable()).isFalse();
    assertThat(u.cordonedBy()).isEmpty();
    h.cluster.uncordon("p5-train-0", "op-43");
    assertThat(h.cluster.stats().uncordons()).isEqualTo(1);

    h.cluster.cordonManually("p5-train-2");
    assertThat(h.cluster.node("p5-train-2").orElseThrow().cordonedBySomeoneElse()).isTrue();
  }

  @Test
  void shouldRefillGpuPodsAfterUncordon() {
    SimHarness h = started();
    h.cluster.cordon("p5-train-0", "op");
    drainFully(h, "p5-train-0");
    h.cluster.uncordon("p5-train-0", "op");
    h.runTo(Duration.between(SimHarness.T0, h.clock.instant()).plusSeconds(7));
    assertThat(h.cluster.pods("p5-train-0")).filteredOn(p -> !p.daemonSet()).hasSize(8);
    assertThat(last(h.sink.samples("p5-train-0", 4)).getPod()).startsWith("ml/p5-train-worker-");
  }

  @Test
  void shouldRejectUnknownNodesAndInstancesPermanently() {
    SimHarness h = started();
    for (Runnable call :
        List.<Runnable>of(
            () -> h.cluster.cordon("nope", "op"),
            () -> h.cluster.uncordon("nope", "op"),
            () -> h.cluster.drain("nope", Duration.ZERO),
            () -> h.cluster.reboot("i-0000000000000000", "op"),
            () -> h.cluster.replace("i-0000000000000000", "eks-p5-train-asg", "op"),
            () -> h.cluster.resetGpu("i-0000000000000000", "0", "op"))) {
      assertThatThrownBy(call::run)
          .isInstanceOf(ActuatorException.class)
          .extracting(e -> ((ActuatorException) e).kind())
          .isEqualTo(ActuatorException.Kind.PERMANENT);
    }
    String id = h.cluster.node("p5-train-0").orElseThrow().instanceId();
    assertThatThrownBy(() -> h.cluster.replace(id, "eks-other-asg", "op"))
        .hasMessageContaining("not in Auto Scaling group eks-other-asg");
    assertThatThrownBy(() -> h.cluster.resetGpu(id, "GPU-not-there", "op"))
        .hasMessageContaining("does not exist");
    assertThat(h.cluster.node("nope")).isEmpty();
    assertThat(h.cluster.stats().rejected()).isEqualTo(8);
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
