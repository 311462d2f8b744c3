package io.gpuward.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.XidEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

  private static final String FLEET =
      """
      name: t
      seed: 11
      sampleInterval: 1s
      duration: 10m
      nodegroups:
        - {name: p5-train, instanceType: p5.48xlarge, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 4, zone: us-east-1a}
        - {name: g5-infer, instanceType: g5.2xlarge, image: al2023-nvidia, count: 4, zone: us-east-1b}
        - {name: cache-warm, instanceType: m5.large, image: bottlerocket-aws-k8s-1.32-nvidia-x86_64, count: 1, zone: us-east-1a}
      """;

  private static SimHarness defaultRun() {
    return new SimHarness(ScenarioLoader.loadDefault(SimHarness.CATALOG)).runTo("3m");
  }

  @Test
  void shouldEmitIdenticalRecordsForTheSameScenarioAndSeed() {
    SimHarness a = defaultRun();
    SimHarness b = defaultRun();

    assertThat(a.sink.all).hasSameSizeAs(b.sink.all);
    assertThat(a.sink.all).isEqualTo(b.sink.all);
    assertThat(a.sink.samples).hasSizeGreaterThan(10_000);
    assertThat(a.sink.xids).isNotEmpty();

    SimHarness other =
        new SimHarness(ScenarioLoader.loadDefault(SimHarness.CATALOG).withSeed(43)).runTo("30s");
    SimHarness same = new SimHarness(ScenarioLoader.loadDefault(SimHarness.CATALOG)).runTo("30s");
    assertThat(other.sink.samples.get(0).getUuid())
        .isNotEqualTo(same.sink.samples.get(0).getUuid());
  }

  @Test
  void shouldEmitInventoryAndRegistrationForEveryNodeAtStart() {
    SimHarness h = new SimHarness(ScenarioLoader.loadDefault(SimHarness.CATALOG)).runTo("0s");

    assertThat(h.sink.inventory).hasSize(13);
    NodeInventory p5 = inventory(h, "p5-train-0");
    assertThat(p5.getInstanceId()).matches("i-0[0-9a-f]{16}");
    assertThat(p5.getAsgName()).isEqualTo("eks-p5-train-asg");
    assertThat(p5.getAmiId()).matches("ami-0[0-9a-f]{16}");
    assertThat(p5.getExpectedGpus()).isEqualTo(8);
    assertThat(p5.getGpuModel()).isEqualTo("NVIDIA H100");
    assertThat(p5.getMigCapable()).isTrue();
    assertThat(p5.getDriverVersion()).isEqualTo("580.95.05");
    assertThat(p5.getRegistered()).isTrue();
    assertThat(p5.getLaunchedAt()).isBefore(SimHarness.T0.minus(Duration.ofMinutes(10)));
    assertThat(p5.getUpdatedAt()).isEqualTo(SimHarness.T0);

    assertThat(h.sink.events("p5-train-0").stream().map(NodeEvent::getKind).toList())
        .containsExactly(
            NodeEventKind.NODE_REGISTERED,
            NodeEventKind.CONDITION_CHANGED,
            NodeEventKind.RESOURCE_SNAPSHOT,
            NodeEventKind.LABELS_SNAPSHOT,
            NodeEventKind.EXPORTER_HEARTBEAT);
    NodeEvent ready = h.sink.events("p5-train-0", NodeEventKind.CONDITION_CHANGED).get(0);
    assertThat(ready.getConditionType()).isEqualTo("Ready");
    assertThat(ready.getConditionStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("KubeletReady");
    NodeEvent res = h.sink.events("g5-infer-2", NodeEventKind.RESOURCE_SNAPSHOT).get(0);
    assertThat(res.getGpuCapacity()).isEqualTo(1);
    assertThat(res.getGpuAllocatable()).isEqualTo(1);
    Map<String, String> labels =
        h.sink.events("p5-train-0", NodeEventKind.LABELS_SNAPSHOT).get(0).getLabels();
    assertThat(labels)
        .containsEntry("nvidia.com/gpu.present", "true")
        .containsEntry("nvidia.com/gpu.count", "8")
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3")
        .containsEntry("nvidia.com/mig.capable", "true")
        .containsEntry("nvidia.com/gpu.deploy.device-plugin", "true")
        .containsEntry("nvidia.com/gpu.deploy.mig-manager", "true")
        .containsEntry("eks.amazonaws.com/nodegroup", "p5-train")
        .containsEntry("topology.kubernetes.io/zone", "us-east-1a");
    Map<String, String> g5 =
        h.sink.events("g5-infer-0", NodeEventKind.LABELS_SNAPSHOT).get(0).getLabels();
    assertThat(g5).containsEntry("nvidia.com/mig.capable", "false");
    assertThat(g5).doesNotContainKey("nvidia.com/gpu.deploy.mig-manager");

    List<GpuSample> first = h.sink.samples("p5-train-0");
    assertThat(first).hasSize(8);
    assertThat(first).extracting(GpuSample::getPciBusId).doesNotHaveDuplicates();
    assertThat(first.get(0).getPciBusId()).isEqualTo("00000000:53:00.0");
    assertThat(first)
        .allSatisfy(
            s -> {
              assertThat(s.getUuid())
                  .matches("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
              assertThat(s.getModel()).isEqualTo("NVIDIA H100 80GB HBM3");
              assertThat(s.getTemperatureC()).isBetween(35.0, 62.0);
              assertThat(s.getEventTime()).isEqualTo(SimHarness.T0);
              assertThat(s.getBootId())
                  .isEqualTo(h.cluster.node("p5-train-0").orElseThrow().bootId());
              assertThat(s.getPod()).startsWith("ml/p5-train-worker-");
            });
  }

  @Test
  void shouldDropTheGpuAfterXid79WithAllocatableDropAndTheRightPciId() {
    SimHarness h = defaultRun();
    Instant xidAt = h.at("5s");
    GpuSample before =
        h.sink.samples("p5-train-2", 3).stream()
            .filter(s -> s.getEventTime().isBefore(xidAt))
            .findFirst()
            .orElseThrow();
    String uuid = before.getUuid();

    XidEvent x = h.sink.xids.stream().filter(e -> e.getXid() == 79).findFirst().orElseThrow();
    assertThat(x.getNode()).isEqualTo("p5-train-2");
    assertThat(x.getEventTime()).isEqualTo(xidAt);
    assertThat(x.getPciBusId()).isEqualTo(before.getPciBusId()).isEqualTo("00000000:86:00.0");
    assertThat(x.getGpuUuid()).isEqualTo(uuid);
    assertThat(x.getMessage()).isEqualTo("GPU has fallen off the bus.");
    assertThat(x.getPid()).isNull();
    assertThat(x.getBootId()).isEqualTo(before.getBootId());
    assertThat(x.getEventId()).startsWith("p5-train-2/xid/");

    assertThat(h.sink.samples.stream().filter(s -> s.getUuid().equals(uuid)))
        .allMatch(s -> s.getEventTime().isBefore(xidAt))
        .hasSize(5);
    assertThat(
            h.sink.samples("p5-train-2").stream().filter(s -> s.getEventTime().equals(h.at("2m"))))
        .hasSize(7);
    List<NodeEvent> res = h.sink.events("p5-train-2", NodeEventKind.RESOURCE_SNAPSHOT);
    assertThat(res.get(res.size() - 1).getGpuAllocatable()).isEqualTo(7);
    assertThat(res.get(res.size() - 1).getGpuCapacity()).isEqualTo(8);
    assertThat(res.get(res.size() - 1).getEventTime()).isEqualTo(xidAt);
  }

  @Test
  void shouldKeepAFatalXidAsLastXidAndShowAppXidsBriefly() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                faults:
                  - {at: 12s, node: p5-train-1, inject: xid, gpu: 0, xid: 119}
                  - {at: 5s, node: p5-train-0, inject: xid, gpu: 2, xid: 13}
                """)
            .runTo("2m");
    assertThat(h.sink.samples("p5-train-1", 0))
        .allSatisfy(
            s ->
                assertThat(s.getLastXid())
                    .isEqualTo(s.getEventTime().isBefore(h.at("12s")) ? 0 : 119));
    XidEvent app = h.sink.xids.stream().filter(e -> e.getXid() == 13).findFirst().orElseThrow();
    assertThat(app.getPid()).isNotNull();
    assertThat(app.getProcessName()).isEqualTo("python3");
    assertThat(h.sink.samples("p5-train-0", 2))
        .filteredOn(s -> s.getEventTime().equals(h.at("10s")))
        .extracting(GpuSample::getLastXid)
        .containsExactly(13);
    assertThat(h.sink.samples("p5-train-0", 2))
        .filteredOn(s -> s.getEventTime().isAfter(h.at("40s")))
        .allMatch(s -> s.getLastXid() == 0);
  }

  @Test
  void shouldRampThermalUpHoldAndDown() {
    SimHarness h = defaultRun();
    List<GpuSample> s = h.sink.samples("p5-train-5", 1);
    Function<String, Double> tempAt =
        off ->
            s.stream()
                .filter(x -> x.getEventTime().equals(h.at(off)))
                .findFirst()
                .orElseThrow()
                .getTemperatureC();

    double before = tempAt.apply("10s");
    assertThat(before).isBetween(35.0, 62.0);
    List<Double> rise = temps(s, h.at("10s"), h.at("18s"));
    assertThat(rise).isSortedAccordingTo(Comparator.naturalOrder());
    assertThat(rise.get(1) - rise.get(0)).isLessThan(10.0); // a ramp, not a step
    assertThat(tempAt.apply("18s")).isCloseTo(97.0, org.assertj.core.data.Offset.offset(0.5));
    assertThat(temps(s, h.at("19s"), h.at("49s"))).allMatch(t -> Math.abs(t - 97.0) <= 1.0);
    List<Double> fall = temps(s, h.at("50s"), h.at("58s"));
    assertThat(fall).isSortedAccordingTo(Comparator.reverseOrder());
    assertThat(tempAt.apply("60s")).isLessThan(65.0);
    assertThat(
            s.stream()
                    .filter(x -> x.getEventTime().equals(h.at("30s")))
                    .findFirst()
                    .orElseThrow()
                    .getClockEventReasons()
                & 0x40)
        .as("HW thermal slowdown at the peak")
        .isEqualTo(0x40L);
    List<GpuSample> neighbour = h.sink.samples("p5-train-5", 0);
    assertThat(temps(neighbour, h.at("10s"), h.at("60s"))).allMatch(t -> t < 65.0);
  }

  @Test
  void shouldThrottleAGpuUnderTheTemperatureLimitWhenTheFaultSaysHw() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                    faults:
                      - {at: 10s, node: p5-train-1, inject: thermal, gpu: 1, celsius: 82, for: 40s, throttle: hw}
                    """)
            .runTo("70s");
    List<GpuSample> s = h.sink.samples("p5-train-1", 1);
    List<GpuSample> holding =
        s.stream()
            .filter(
                x ->
                    x.getEventTime().isAfter(h.at("18s")) && x.getEventTime().isBefore(h.at("50s")))
            .toList();
    assertThat(holding).isNotEmpty().allMatch(x -> x.getTemperatureC() < 90);
    assertThat(holding).allMatch(x -> (x.getClockEventReasons() & 0x48) == 0x48);
    assertThat(holding.get(holding.size() - 1).getThermalViolationNs())
        .as("the violation time grows while it throttles")
        .isGreaterThan(holding.get(0).getThermalViolationNs());
    assertThat(s)
        .filteredOn(x -> x.getEventTime().isAfter(h.at("60s")))
        .allMatch(x -> (x.getClockEventReasons() & 0x40) == 0);
  }

  private static List<Double> temps(List<GpuSample> s, Instant from, Instant to) {
    return s.stream()
        .filter(x -> !x.getEventTime().isBefore(from) && !x.getEventTime().isAfter(to))
        .map(GpuSample::getTemperatureC)
        .toList();
  }

  @Test
  void shouldNeverRegisterAnNvidiaImageOnACpuInstanceType() {
    SimHarness h = defaultRun();
    List<NodeInventory> inv =
        h.sink.inventory.stream().filter(i -> i.getNode().equals("cache-warm-0")).toList();
    assertThat(inv).hasSize(1);
    assertThat(inv.get(0).getRegistered()).isFalse();
    assertThat(inv.get(0).getExpectedGpus()).isZero();
    assertThat(inv.get(0).getInstanceType()).isEqualTo("m5.large");
    assertThat(inv.get(0).getImage()).contains("nvidia");
    assertThat(inv.get(0).getInstanceId()).startsWith("i-0");
    assertThat(h.sink.events("cache-warm-0")).isEmpty();
    assertThat(h.sink.samples("cache-warm-0")).isEmpty();
    assertThat(h.sink.xids).noneMatch(x -> x.getNode().equals("cache-warm-0"));
    assertThat(h.cluster.node("cache-warm-0")).isEmpty();
    assertThat(h.cluster.instances())
        .filteredOn(i -> i.node().equals("cache-warm-0"))
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.state()).isEqualTo("RUNNING");
              assertThat(i.registered()).isFalse();
            });
  }

  @Test
  void shouldRepeatContainerStartFailuresForEveryGpuPodStart() {
    SimHarness h = defaultRun();
    Instant from = h.at("100s");
    for (String node : List.of("g5-infer-0", "g5-infer-1", "g5-infer-2", "g5-infer-3")) {
      List<NodeEvent> fails = h.sink.events(node, NodeEventKind.CONTAINER_START_FAILURE);
      assertThat(fails).as(node).hasSizeGreaterThanOrEqualTo(3);
      assertThat(fails).allMatch(e -> !e.getEventTime().isBefore(from));
      String pod =
          h.cluster.pods(node).stream()
              .filter(p -> !p.daemonSet())
              .findFirst()
              .orElseThrow()
              .name();
      assertThat(fails)
          .allSatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo("Failed");
                assertThat(e.getMessage())
                    .isEqualTo(ScenarioLoaderTest.LIBNVIDIA_ML_TEXT)
                    .contains("libnvidia-ml.so.1: cannot open shared object file");
                assertThat(e.getNamespace()).isEqualTo("ml");
                assertThat(e.getPod()).isEqualTo(pod);
                assertThat(e.getContainer()).isEqualTo("worker");
                assertThat(e.getSource()).isEqualTo("kubelet");
              });
      for (int i = 1; i < fails.size(); i++) {
        Duration gap =
            Duration.between(fails.get(i - 1).getEventTime(), fails.get(i).getEventTime());
        assertThat(gap).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(30));
      }
      // the GPU idles: its pod never starts
      assertThat(h.sink.samples(node, 0))
          .filteredOn(s -> s.getEventTime().isAfter(h.at("110s")))
          .allMatch(s -> s.getGpuUtilPct() == 0.0);
    }
    assertThat(
            h.sink.events.stream()
                .filter(e -> e.getKind() == NodeEventKind.CONTAINER_START_FAILURE))
        .allMatch(e -> e.getNode().startsWith("g5-infer-"));
  }

  @Test
  void shouldRepeatSandboxFailuresForEachPodOfAMultiGpuNode() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                faults:
                  - at: 5s
                    node: p5-train-1
                    inject: container-error
                    message: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "nvidia" is configured'
                """)
            .runTo("65s");
    List<NodeEvent> fails = h.sink.events("p5-train-1", NodeEventKind.CONTAINER_START_FAILURE);
    Map<String, Long> perPod =
        fails.stream().collect(Collectors.groupingBy(NodeEvent::getPod, Collectors.counting()));
    assertThat(perPod).hasSize(8);
    assertThat(perPod.values()).allMatch(c -> c >= 2);
    assertThat(fails).allMatch(e -> e.getReason().equals("FailedCreatePodSandBox"));
    assertThat(fails).allMatch(e -> e.getContainer() == null);
  }

  @Test
  void shouldNeverDecreaseCountersBetweenResets() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                faults:
                  - {at: 5s, node: p5-train-0, inject: sbe-storm, gpu: 1, rate: 300, for: 60s}
                  - {at: 6s, node: p5-train-0, inject: nvlink-errors, gpu: 2, rate: 80}
                  - {at: 7s, node: p5-train-1, inject: ecc-dbe, gpu: 5}
                  - {at: 8s, node: p5-train-1, inject: row-remap-failure, gpu: 6}
                  - {at: 9s, node: g5-infer-0, inject: sbe-storm, rate: 50}
                """)
            .runTo("3m");
    Map<String, List<GpuSample>> byGpu = new LinkedHashMap<>();
    for (GpuSample s : h.sink.samples) {
      byGpu.computeIfAbsent(s.getUuid(), k -> new ArrayList<>()).add(s);
    }
    List<Function<GpuSample, Long>> counters =
        List.of(
            GpuSample::getEccSbeVolatile,
            GpuSample::getEccDbeVolatile,
            GpuSample::getEccSbeAggregate,
            GpuSample::getEccDbeAggregate,
            GpuSample::getRowRemapCorrectable,
            GpuSample::getRowRemapUncorrectable,
            GpuSample::getNvlinkCrcFlitErrors,
            GpuSample::getNvlinkCrcDataErrors,
            GpuSample::getNvlinkReplayErrors,
            GpuSample::getNvlinkRecoveryErrors,
            GpuSample::getPcieReplays,
            GpuSample::getThermalViolationNs);
    for (List<GpuSample> series : byGpu.values()) {
      for (Function<GpuSample, Long> c : counters) {
        Long prev = null;
        for (GpuSample s : series) {
          Long v = c.apply(s);
          if (prev != null && v != null) {
            assertThat(v)
                .as("%s %s at %s", s.getNode(), s.getUuid(), s.getEventTime())
                .isGreaterThanOrEqualTo(prev);
          }
          prev = v;
        }
      }
    }
    GpuSample storm = last(h.sink.samples("p5-train-0", 1));
    assertThat(storm.getEccSbeVolatile()).isGreaterThan(10_000L);
    GpuSample after = last(h.sink.samples("p5-train-0", 1));
    GpuSample atStop = at(h.sink.samples("p5-train-0", 1), h.at("66s"));
    assertThat(after.getEccSbeVolatile() - atStop.getEccSbeVolatile()).isLessThan(10L);
    GpuSample nv = last(h.sink.samples("p5-train-0", 2));
    assertThat(nv.getNvlinkCrcFlitErrors()).isGreaterThan(5_000L);
    assertThat(nv.getNvlinkReplayErrors()).isPositive();
    assertThat(nv.getLastXid()).isEqualTo(74);
    assertThat(h.sink.xids).anyMatch(x -> x.getXid() == 74 && x.getNode().equals("p5-train-0"));
    GpuSample dbe = last(h.sink.samples("p5-train-1", 5));
    assertThat(dbe.getEccDbeVolatile()).isEqualTo(1L);
    assertThat(dbe.getRowRemapPending()).isTrue();
    assertThat(dbe.getLastXid()).isEqualTo(48);
    assertThat(
            h.sink.xids.stream()
                .filter(x -> x.getNode().equals("p5-train-1"))
                .map(XidEvent::getXid))
        .containsExactly(48, 63, 64);
    GpuSample remap = last(h.sink.samples("p5-train-1", 6));
    assertThat(remap.getRowRemapFailure()).isTrue();
    assertThat(remap.getLastXid()).isEqualTo(64);
    GpuSample a10g = last(h.sink.samples("g5-infer-0", 0));
    assertThat(a10g.getEccSbeVolatile()).isGreaterThan(1_000L);
    assertThat(a10g.getNvlinkCrcFlitErrors()).isNull();
    assertThat(a10g.getMemoryTemperatureC()).isNull();
  }

  private static GpuSample last(List<GpuSample> s) {
    return s.get(s.size() - 1);
  }

  private static GpuSample at(List<GpuSample> s, Instant t) {
    return s.stream().filter(x -> x.getEventTime().equals(t)).findFirst().orElseThrow();
  }

  @Test
  void shouldHeartbeatEveryFiveSecondsPerNode() {
    SimHarness h = SimHarness.of(FLEET).runTo("60s");
    for (String node : List.of("p5-train-0", "p5-train-3", "g5-infer-1")) {
      List<NodeEvent> hb = h.sink.events(node, NodeEventKind.EXPORTER_HEARTBEAT);
      assertThat(hb).hasSizeBetween(12, 13);
      for (int i = 1; i < hb.size(); i++) {
        assertThat(Duration.between(hb.get(i - 1).getEventTime(), hb.get(i).getEventTime()))
            .isEqualTo(Duration.ofSeconds(5));
      }
      assertThat(hb).allMatch(e -> e.getSource().equals("exporter") && e.getBootId() != null);
    }
    assertThat(h.sink.samples).hasSize(61 * (4 * 8 + 4));
  }

  @Test
  void shouldGoSilentForTheTelemetrySilence() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + "faults:\n  - {at: 10s, node: g5-infer-2, inject: telemetry-silence, for: 30s}\n")
            .runTo("60s");
    assertThat(h.sink.samples("g5-infer-2"))
        .noneMatch(
            s -> !s.getEventTime().isBefore(h.at("10s")) && s.getEventTime().isBefore(h.at("40s")))
        .anyMatch(s -> s.getEventTime().equals(h.at("40s")));
    assertThat(h.sink.events("g5-infer-2", NodeEventKind.EXPORTER_HEARTBEAT))
        .noneMatch(
            e -> !e.getEventTime().isBefore(h.at("10s")) && e.getEventTime().isBefore(h.at("40s")));
    assertThat(h.cluster.node("g5-infer-2").orElseThrow().ready()).isTrue();
  }

  @Test
  void shouldFlipReadyForNotReadyAndBackOnRecover() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                    faults:
                      - {at: 10s, node: p5-train-2, inject: not-ready}
                      - {at: 30s, node: p5-train-2, inject: recover}
                    """)
            .runTo("20s");
    assertThat(h.cluster.node("p5-train-2").orElseThrow().ready()).isFalse();
    h.runTo("40s");
    List<NodeEvent> cond = h.sink.events("p5-train-2", NodeEventKind.CONDITION_CHANGED);
    assertThat(cond)
        .extracting(NodeEvent::getConditionStatus, NodeEvent::getReason, NodeEvent::getEventTime)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("True", "KubeletReady", h.at("0s")),
            org.assertj.core.groups.Tuple.tuple("False", "KubeletNotReady", h.at("10s")),
            org.assertj.core.groups.Tuple.tuple("True", "KubeletReady", h.at("30s")));
    assertThat(cond.get(1).getMessage()).contains("cni plugin not initialized");
    assertThat(h.cluster.node("p5-train-2").orElseThrow().ready()).isTrue();
    // the exporter keeps reporting while kubelet is NotReady
    assertThat(h.sink.samples("p5-train-2")).anyMatch(s -> s.getEventTime().equals(h.at("20s")));
  }

  @Test
  void shouldDropAMissingGpuWithoutAnXid() {
    SimHarness h =
        SimHarness.of(
                FLEET + "faults:\n  - {at: 10s, node: p5-train-3, inject: gpu-missing, gpu: 7}\n")
            .runTo("30s");
    assertThat(h.sink.samples("p5-train-3", 7))
        .allMatch(s -> s.getEventTime().isBefore(h.at("10s")));
    assertThat(h.sink.xids).isEmpty();
    List<NodeEvent> res = h.sink.events("p5-train-3", NodeEventKind.RESOURCE_SNAPSHOT);
    assertThat(res.get(res.size() - 1).getGpuAllocatable()).isEqualTo(7);
  }

  @Test
  void shouldApplyOperandFaults() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                    faults:
                      - {at: 10s, node: p5-train-0, inject: operand-missing, operand: device-plugin, grace: 20s}
                      - {at: 10s, node: g5-infer-0, inject: operand-missing, operand: mig-manager, unexpected: true}
                      - {at: 10s, node: p5-train-1, inject: operand-missing, operand: dcgm-exporter}
                      - {at: 15s, node: p5-train-2, inject: allocatable-drop, for: 20s}
                    """)
            .runTo("60s");
    List<NodeEvent> labels = h.sink.events("p5-train-0", NodeEventKind.LABELS_SNAPSHOT);
    assertThat(labels.get(labels.size() - 1).getLabels())
        .as("the operator still wants it; its pod is what is gone")
        .containsEntry("nvidia.com/gpu.deploy.device-plugin", "true");
    assertThat(h.cluster.pods("p5-train-0"))
        .noneMatch(p -> p.owner().equals("nvidia-device-plugin-daemonset"));
    assertThat(h.sink.events("p5-train-0", NodeEventKind.RESOURCE_SNAPSHOT))
        .extracting(NodeEvent::getGpuAllocatable, NodeEvent::getEventTime)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(8, h.at("0s")),
            org.assertj.core.groups.Tuple.tuple(0, h.at("30s")));

    List<NodeEvent> g5 = h.sink.events("g5-infer-0", NodeEventKind.LABELS_SNAPSHOT);
    assertThat(g5.get(g5.size() - 1).getLabels())
        .containsEntry("nvidia.com/gpu.deploy.mig-manager", "true")
        .containsEntry("nvidia.com/mig.capable", "false");
    assertThat(h.cluster.pods("g5-infer-0")).anyMatch(p -> p.owner().equals("nvidia-mig-manager"));

    assertThat(h.sink.samples("p5-train-1")).allMatch(s -> s.getEventTime().isBefore(h.at("10s")));
    assertThat(h.sink.events("p5-train-1", NodeEventKind.EXPORTER_HEARTBEAT))
        .anyMatch(e -> e.getEventTime().isAfter(h.at("30s")));

    assertThat(h.sink.events("p5-train-2", NodeEventKind.RESOURCE_SNAPSHOT))
        .extracting(NodeEvent::getGpuAllocatable, NodeEvent::getEventTime)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(8, h.at("0s")),
            org.assertj.core.groups.Tuple.tuple(7, h.at("15s")),
            org.assertj.core.groups.Tuple.tuple(8, h.at("35s")));
  }

  @Test
  void shouldTargetACountOfANodeGroupDeterministically() {
    String yaml =
        FLEET
            + "faults:\n  - {at: 5s, nodegroup: p5-train, count: 2, inject: xid, gpu: 1, xid: 48}\n";
    Set<String> a = xidNodes(SimHarness.of(yaml).runTo("6s"));
    Set<String> b = xidNodes(SimHarness.of(yaml).runTo("6s"));
    assertThat(a).hasSize(2).isEqualTo(b);
    Set<String> pct =
        xidNodes(
            SimHarness.of(
                    FLEET
                        + "faults:\n  - {at: 5s, nodegroup: g5-infer, percent: 50, inject: xid, xid: 43}\n")
                .runTo("6s"));
    assertThat(pct).hasSize(2).allMatch(n -> n.startsWith("g5-infer-"));
  }

  private static Set<String> xidNodes(SimHarness h) {
    return h.sink.xids.stream()
        .map(XidEvent::getNode)
        .collect(Collectors.toCollection(HashSet::new));
  }

  @Test
  void shouldNotRegisterANodeWithNoRegistrationAtStart() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                    faults:
                      - {at: 0s, node: p5-train-3, inject: no-registration}
                      - {at: 20s, node: g5-infer-3, inject: no-registration}
                    """)
            .runTo("40s");
    assertThat(inventory(h, "p5-train-3").getRegistered()).isFalse();
    assertThat(h.sink.events("p5-train-3")).isEmpty();
    assertThat(h.sink.samples("p5-train-3")).isEmpty();
    assertThat(h.cluster.node("p5-train-3")).isEmpty();

    assertThat(h.sink.events("g5-infer-3").get(h.sink.events("g5-infer-3").size() - 1).getKind())
        .isEqualTo(NodeEventKind.NODE_REMOVED);
    assertThat(
            h.sink.inventory.stream()
                .filter(i -> i.getNode().equals("g5-infer-3"))
                .map(NodeInventory::getRegistered))
        .containsExactly(true, false);
    assertThat(h.sink.samples("g5-infer-3")).allMatch(s -> s.getEventTime().isBefore(h.at("20s")));
  }

  @Test
  void shouldGenerateOneSamplePerGpuPerTickForALargeSyntheticFleet() {
    SimHarness.CountingSink sink = new SimHarness.CountingSink();
    ManualClock clock = new ManualClock(SimHarness.T0);
    SimulatedCluster cluster = new SimulatedCluster(clock);
    FleetSimulator sim =
        new FleetSimulator(
            Scenario.synthetic(10_000, 5).withStart(SimHarness.T0),
            SimHarness.CATALOG,
            cluster,
            sink);
    sim.advanceTo(SimHarness.T0); // start-up tick: inventory, registration and the first samples
    assertThat(sink.samples).isEqualTo(10_000);
    long best = Long.MAX_VALUE;
    for (int i = 1; i <= 5; i++) {
      long before = sink.samples;
      Instant t = SimHarness.T0.plusSeconds(i);
      clock.set(t);
      long t0 = System.nanoTime();
      sim.advanceTo(t);
      best = Math.min(best, System.nanoTime() - t0);
      assertThat(sink.samples - before).isEqualTo(10_000);
    }
    System.out.printf("synthetic 10k GPUs: best tick %.1f ms%n", best / 1e6);
    assertThat(sink.uuids).hasSize(10_000);
  }

  private static NodeInventory inventory(SimHarness h, String node) {
    return h.sink.inventory.stream()
        .filter(i -> i.getNode().equals(node))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldBringALostGpuBackOnRecover() {
    SimHarness h =
        SimHarness.of(
                FLEET
                    + """
                    faults:
                      - {at: 10s, node: p5-train-1, inject: xid, gpu: 5, xid: 79}
                      - {at: 10s, node: p5-train-1, inject: thermal, gpu: 1, celsius: 95, for: 5m}
                      - {at: 30s, node: p5-train-1, inject: recover}
                    """)
            .runTo("60s");
    assertThat(h.sink.samples("p5-train-1", 5))
        .extracting(GpuSample::getEventTime)
        .contains(h.at("9s"), h.at("30s"))
        .doesNotContain(h.at("10s"), h.at("29s"));
    assertThat(h.sink.samples("p5-train-1", 5))
        .filteredOn(s -> s.getEventTime().isAfter(h.at("29s")))
        .allMatch(s -> s.getLastXid() == 0);
    assertThat(h.sink.events("p5-train-1", NodeEventKind.RESOURCE_SNAPSHOT))
        .extracting(NodeEvent::getGpuAllocatable)
        .containsExactly(8, 7, 8);
    assertThat(at(h.sink.samples("p5-train-1", 1), h.at("50s")).getTemperatureC()).isLessThan(70.0);
  }

  @Test
  void shouldShowTheExporterTextWithoutTheGpuThatFellOffTheBus() {
    List<String> pages = new ArrayList<>();
    List<String> kernel = new ArrayList<>();
    io.gpuward.exporter.NodeFeed feed =
        new io.gpuward.exporter.NodeFeed() {
          @Override
          public void boot(String node, String bootId, Instant bootTime) {}

          @Override
          public void scrape(String node, Instant at, String text) {
            if (node.equals("p5-train-1")) {
              pages.add(text);
            }
          }

          @Override
          public void scrapeFailed(String node, Instant at, String error) {}

          @Override
          public void kernelLine(String node, Instant readAt, String line) {
            if (node.equals("p5-train-1")) {
              kernel.add(line);
            }
          }

          @Override
          public void nodeGone(String node) {}
        };
    Scenario scenario =
        ScenarioLoader.parse(
                FLEET + "faults:\n  - {at: 5s, node: p5-train-1, inject: xid, gpu: 3, xid: 79}\n",
                SimHarness.CATALOG)
            .withStart(SimHarness.T0);
    RecordingSink sink = new RecordingSink();
    FleetSimulator sim =
        new FleetSimulator(
            scenario,
            SimHarness.CATALOG,
            new SimulatedCluster(new ManualClock(SimHarness.T0)),
            sink,
            SimHarness.T0,
            out -> feed);
    sim.advanceTo(SimHarness.T0.plusSeconds(6));

    assertThat(pages).hasSize(7);
    assertThat(pages.get(4)).contains("gpu=\"3\"");
    assertThat(pages.get(5)).doesNotContain("gpu=\"3\"").contains("gpu=\"7\"");
    assertThat(kernel).filteredOn(l -> l.contains("NVRM: GPU at PCI:")).hasSize(8);
    assertThat(kernel)
        .filteredOn(l -> l.contains("NVRM: Xid"))
        .singleElement()
        .asString()
        .matches("4,\\d+,\\d+,-;NVRM: Xid \\(PCI:0000:86:00\\): 79, pid='<unknown>'.*");
    assertThat(sink.samples).isEmpty();
    assertThat(sink.xids).isEmpty();
  }
}
