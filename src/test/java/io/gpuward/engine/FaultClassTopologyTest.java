package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.avro.VerdictState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One fault class at a time through the whole topology: positive, negative, boundary, order. */
class FaultClassTopologyTest {
  private static final String N = "p5-train-3";
  private static final String G0 = "GPU-00000000-0000-0000-0000-000000000000";

  @TempDir Path stateDir;
  private EngineHarness h;
  private long window;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(stateDir);
    window = h.rules.sampleWindow().size().toSeconds();
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static String uuid(int i) {
    return String.format("GPU-00000000-0000-0000-0000-%012d", i);
  }

  /** One sample a second for every GPU in [from, to) seconds, customised per sample. */
  private void samples(
      String node, int gpus, long from, long to, Consumer<GpuSample.Builder> tweak) {
    for (long s = from; s < to; s++) {
      for (int i = 0; i < gpus; i++) {
        GpuSample.Builder b =
            GpuSample.newBuilder(sample(node, i, uuid(i), 50.0, T0.plusSeconds(s)));
        tweak.accept(b);
        h.gpu.pipeInput(node, b.build());
      }
    }
  }

  /** Advances stream time past every window up to {@code seconds} with one healthy sample. */
  private void closeWindowsUpTo(String node, long seconds) {
    h.gpu.pipeInput(node, sample(node, 0, uuid(0), 50.0, T0.plusSeconds(seconds + 10)));
  }

  private List<FaultVerdict> verdicts(FaultClass c) {
    return h.verdicts.readValuesToList().stream().filter(v -> v.getFaultClass() == c).toList();
  }

  private static NodeEvent event(
      String node, NodeEventKind kind, Instant at, Consumer<NodeEvent.Builder> tweak) {
    NodeEvent.Builder b =
        NodeEvent.newBuilder()
            .setEventId(node + "-" + kind + "-" + at.toEpochMilli())
            .setNode(node)
            .setKind(kind)
            .setEventTime(at)
            .setSource("test")
            .setLabels(Map.of());
    tweak.accept(b);
    return b.build();
  }

  // ---------------------------------------------------------------- GPU_THERMAL

  /**
   * GPU 0 at 82 C, under the temperature limit, its clock event reasons showing HW thermal slowdown
   * (0x48) and its thermal violation time growing by 600 ms a second, in [from, to) seconds.
   */
  private void hwSlowdown(long from, long to) {
    samples(
        N,
        1,
        from,
        to,
        b ->
            b.setTemperatureC(82.0)
                .setClockEventReasons(0x48L)
                .setThermalViolationNs(
                    600_000_000L * (b.getEventTime().getEpochSecond() - T0.getEpochSecond())));
  }

  /** GPU 0 at 60 C, no slowdown, its violation counter standing at {@code violationNs}. */
  private void noSlowdown(long from, long to, long violationNs) {
    samples(
        N,
        1,
        from,
        to,
        b -> b.setTemperatureC(60.0).setClockEventReasons(0L).setThermalViolationNs(violationNs));
  }

  @Test
  void shouldOpenThermalOnHwSlowdownUnderTheTemperatureLimitAndClearAfterTheCleanWindows() {
    // Known to the inventory: a node without any is dead-lettered after unknownNodeGrace.
    h.inventory.pipeInput(N, inventory(N, "g5.xlarge", "al2023-nvidia", T0));
    var p = h.rules.hwSlowdown();
    long throttledUntil = p.openWindows() * window;
    hwSlowdown(0, throttledUntil);
    long standing = 600_000_000L * (throttledUntil - 1);
    long cleanUntil = throttledUntil + p.clearWindows() * window;
    noSlowdown(throttledUntil, cleanUntil - window, standing);
    closeWindowsUpTo(N, cleanUntil - window);

    List<FaultVerdict> opened = verdicts(FaultClass.GPU_THERMAL);
    assertThat(opened)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
              assertThat(v.getRuleId()).isEqualTo("thermal.hw-slowdown");
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.CORDON);
              assertThat(v.getDetectedAt()).isEqualTo(T0.plusSeconds(throttledUntil));
              assertThat(v.getGpus()).extracting(g -> g.getUuid()).containsExactly(uuid(0));
              assertThat(v.getSummary()).contains("HW thermal slowdown").contains("82.0 C");
              assertThat(v.getEvidence().get(0).getGpuUuid()).isEqualTo(uuid(0));
              assertThat(v.getEvidence().get(0).getDetail())
                  .contains("HW thermal slowdown")
                  .contains("clock event reasons 0x48")
                  .contains("thermal violation 18000 ms");
            });
    // One clean window short of the hysteresis: still open. The last one clears it.
    noSlowdown(cleanUntil - window, cleanUntil, standing);
    closeWindowsUpTo(N, cleanUntil);
    List<FaultVerdict> cleared = verdicts(FaultClass.GPU_THERMAL);
    assertThat(cleared)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.CLEARED);
              assertThat(v.getUpdatedAt()).isEqualTo(T0.plusSeconds(cleanUntil));
              assertThat(v.getClearReason()).contains("no HW thermal slowdown");
            });
  }

  @Test
  void shouldNotOpenThermalOnHwSlowdownShorterThanTheOpenWindows() {
    long throttledUntil = (h.rules.hwSlowdown().openWindows() - 1) * window;
    hwSlowdown(0, throttledUntil);
    noSlowdown(throttledUntil, throttledUntil + 3 * window, 600_000_000L * (throttledUntil - 1));
    closeWindowsUpTo(N, throttledUntil + 3 * window);
    assertThat(verdicts(FaultClass.GPU_THERMAL)).isEmpty();
  }

  // ---------------------------------------------------------------- GPU_MEMORY_DEGRADED

  @Test
  void shouldOpenMemoryDegradedOnADoubleBitErrorAndEscalateToReplaceOnRowRemapFailure() {
    samples(N, 1, 0, window, b -> b.setEccDbeVolatile(1L));
    samples(N, 1, window, 2 * window, b -> b.setEccDbeVolatile(1L).setRowRemapFailure(true));
    closeWindowsUpTo(N, 2 * window);
    List<FaultVerdict> out = verdicts(FaultClass.GPU_MEMORY_DEGRADED);
    assertThat(out)
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN, VerdictState.UPDATED);
    assertThat(out.get(0).getRecommendedAction()).isEqualTo(RemediationAction.RESET_GPU);
    assertThat(out.get(1).getRecommendedAction()).isEqualTo(RemediationAction.REPLACE);
    assertThat(out.get(1).getDetectedAt()).isEqualTo(out.get(0).getDetectedAt());
  }

  @Test
  void shouldOpenAnSbeStormAtTheThresholdAndNotBelowIt() {
    long storm = h.rules.memory().sbeStormPerWindow();
    // GPU 0 gains exactly the threshold inside the window, GPU 1 one less.
    for (long s = 0; s < window; s++) {
      long step = s;
      h.gpu.pipeInput(
          N,
          GpuSample.newBuilder(sample(N, 0, uuid(0), 50, T0.plusSeconds(s)))
              .setEccSbeVolatile(Math.min(storm, step * storm / (window - 1)))
              .build());
      h.gpu.pipeInput(
          N,
          GpuSample.newBuilder(sample(N, 1, uuid(1), 50, T0.plusSeconds(s)))
              .setEccSbeVolatile(Math.min(storm - 1, step * (storm - 1) / (window - 1)))
              .build());
    }
    closeWindowsUpTo(N, window);
    List<FaultVerdict> out = verdicts(FaultClass.GPU_MEMORY_DEGRADED);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).getGpus()).extracting(g -> g.getUuid()).containsExactly(uuid(0));
  }

  @Test
  void shouldTreatACounterDropAsAResetNotANegativeDelta() {
    // 50 -> 60 (+10), then reset to 5 (+5): 15 errors, far from a storm.
    long[] values = {50, 55, 60, 5, 5};
    for (int s = 0; s < values.length; s++) {
      h.gpu.pipeInput(
          N,
          GpuSample.newBuilder(sample(N, 0, uuid(0), 50, T0.plusSeconds(s)))
              .setEccSbeVolatile(values[s])
              .build());
    }
    closeWindowsUpTo(N, window);
    assertThat(verdicts(FaultClass.GPU_MEMORY_DEGRADED)).isEmpty();
  }

  @Test
  void shouldClearAnXid48OnlyWithSamplesThatReportMemoryErrorFields() {
    h.inventory.pipeInput(N, inventory(N, "g5.xlarge", "al2023-nvidia", T0));
    h.xid.pipeInput(N, xid(N, 48, uuid(0), T0));
    samples(N, 1, window, 3 * window, b -> {}); // dcgm-exporter without the ECC fields
    closeWindowsUpTo(N, 3 * window);
    assertThat(verdicts(FaultClass.GPU_MEMORY_DEGRADED))
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN);

    samples(N, 1, 4 * window, 5 * window, b -> b.setEccDbeVolatile(0L).setRowRemapPending(false));
    closeWindowsUpTo(N, 5 * window);
    assertThat(verdicts(FaultClass.GPU_MEMORY_DEGRADED))
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.CLEARED);
  }

  @Test
  void shouldClassifyXid48AsMemoryAndXid74AsNvlink() {
    h.xid.pipeInput(N, xid(N, 48, uuid(2), T0));
    h.xid.pipeInput(N, xid(N, 74, uuid(3), T0.plusSeconds(1)));
    List<FaultVerdict> out = h.verdicts.readValuesToList();
    assertThat(out)
        .extracting(FaultVerdict::getFaultClass)
        .containsExactly(FaultClass.GPU_MEMORY_DEGRADED, FaultClass.NVLINK_DEGRADED);
  }

  // ---------------------------------------------------------------- NVLINK_DEGRADED

  @Test
  void shouldOpenNvlinkOnAnyReplayErrorButNotOnAFewCrcErrors() {
    samples(
        N,
        1,
        0,
        window,
        b -> b.setNvlinkReplayErrors(b.getEventTime().getEpochSecond() % 2 == 0 ? 0L : 1L));
    assertThat(verdicts(FaultClass.NVLINK_DEGRADED)).isEmpty();
    closeWindowsUpTo(N, window);
    // 0,1,0,1...: each 1->0 is a reset and each 0->1 an increment: replay errors seen.
    assertThat(verdicts(FaultClass.NVLINK_DEGRADED))
        .singleElement()
        .satisfies(v -> assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.CORDON));
  }

  /** GPU 1 then GPU 0 every 10 s in [from, to), GPU 0 with that many NVLink replay errors. */
  private void replayErrorsEvery10s(long from, long to, long replay) {
    for (long s = from; s < to; s += 10) {
      h.gpu.pipeInput(N, sample(N, 1, uuid(1), 50.0, T0.plusSeconds(s)));
      h.gpu.pipeInput(
          N,
          GpuSample.newBuilder(sample(N, 0, uuid(0), 50.0, T0.plusSeconds(s)))
              .setNvlinkReplayErrors(replay)
              .build());
    }
  }

  @Test
  void shouldOpenNvlinkOnAReplayErrorBetweenTwoWindowsSamples() {
    // Samples at 5, 15, 25 s (no error) and 36, 46, 56 s (one): the error came between 25 and 36
    // s, when no window had samples; GPU 1's sample at 36 s closes the first window before GPU 0's,
    // so its reading at 25 s comes from the carry store.
    replayErrorsEvery10s(5, window, 0);
    replayErrorsEvery10s(window + 6, 2 * window, 1);
    closeWindowsUpTo(N, 2 * window);
    assertThat(verdicts(FaultClass.NVLINK_DEGRADED))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
              assertThat(v.getSeverity()).isEqualTo(Severity.CRITICAL);
              assertThat(v.getGpus()).extracting(g -> g.getUuid()).containsExactly(uuid(0));
              assertThat(v.getDetectedAt()).isEqualTo(T0.plusSeconds(2 * window));
            });
  }

  @Test
  void shouldNotOpenNvlinkBelowTheCrcLimit() {
    long limit = h.rules.nvlink().crcErrorsPerWindow();
    samples(
        N,
        1,
        0,
        window,
        b ->
            b.setNvlinkCrcFlitErrors(
                (b.getEventTime().getEpochSecond() - T0.getEpochSecond())
                    * (limit - 1)
                    / (window - 1)));
    closeWindowsUpTo(N, window);
    assertThat(verdicts(FaultClass.NVLINK_DEGRADED)).isEmpty();
  }

  // ---------------------------------------------------------------- GPU_LOST from telemetry

  @Test
  void shouldOpenGpuLostWhenAGpuLeavesTelemetryAndClearWhenItReturns() {
    samples(N, 8, 0, window, b -> {});
    samples(N, 7, window, 2 * window, b -> {}); // GPU 7 gone
    samples(N, 8, 2 * window, 3 * window, b -> {}); // back
    closeWindowsUpTo(N, 3 * window);
    List<FaultVerdict> out = verdicts(FaultClass.GPU_LOST);
    assertThat(out)
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN, VerdictState.CLEARED);
    assertThat(out.get(0).getGpus()).extracting(g -> g.getUuid()).containsExactly(uuid(7));
    assertThat(out.get(1).getClearReason()).contains("back in telemetry");
  }

  @Test
  void shouldNotClearAnXid79WithSamplesTakenBeforeIt() {
    samples(N, 8, 0, window, b -> {});
    // XID 79 in the middle of the second window; the GPU's earlier samples in it must not count.
    samples(N, 8, window, window + 10, b -> {});
    h.xid.pipeInput(N, xid(N, 79, uuid(7), T0.plusSeconds(window + 10)));
    samples(N, 7, window + 10, 3 * window, b -> {});
    closeWindowsUpTo(N, 3 * window);
    List<FaultVerdict> out = verdicts(FaultClass.GPU_LOST);
    assertThat(out).extracting(FaultVerdict::getState).doesNotContain(VerdictState.CLEARED);
    assertThat(out.get(0).getState()).isEqualTo(VerdictState.OPEN);
  }

  @Test
  void shouldOpenGpuLostWhenDcgmReportsFewerGpusThanTheInstanceType() {
    h.inventory.pipeInput(N, inventory(N, "p5.48xlarge", "al2023-nvidia", T0));
    samples(N, 7, 0, window, b -> {});
    closeWindowsUpTo(N, window);
    assertThat(verdicts(FaultClass.GPU_LOST))
        .singleElement()
        .satisfies(v -> assertThat(v.getSummary()).contains("7 of the instance type's 8"));
  }

  // ---------------------------------------------------------------- NODE_NOT_READY_GPU

  @Test
  void shouldJoinNotReadyWithAGpuXidInsideTheWindowAndClearOnReady() {
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            T0,
            b ->
                b.setConditionType("Ready")
                    .setConditionStatus("False")
                    .setReason("KubeletNotReady")));
    h.xid.pipeInput(N, xid(N, 119, uuid(0), T0.plusSeconds(60)));
    List<FaultVerdict> opened = verdicts(FaultClass.NODE_NOT_READY_GPU);
    assertThat(opened)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.REBOOT);
              assertThat(v.getEvidence().get(0).getSource()).isEqualTo("join:not-ready-gpu");
            });
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            T0.plusSeconds(90),
            b -> b.setConditionType("Ready").setConditionStatus("True").setReason("KubeletReady")));
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
  }

  @Test
  void shouldNotJoinAnXidOutsideTheWindowOrAnApplicationXid() {
    Duration w = h.rules.node().notReadyJoinWindow();
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            T0,
            b ->
                b.setConditionType("Ready")
                    .setConditionStatus("False")
                    .setReason("KubeletNotReady")));
    h.xid.pipeInput(N, xid(N, 13, uuid(0), T0.plusSeconds(5)));
    h.xid.pipeInput(N, xid(N, 119, uuid(0), T0.plus(w).plusSeconds(1)));
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU)).isEmpty();
  }

  @Test
  void shouldJoinWhenTheXidArrivesBeforeTheNotReady() {
    h.xid.pipeInput(N, xid(N, 79, uuid(0), T0));
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            T0.plusSeconds(50),
            b ->
                b.setConditionType("Ready")
                    .setConditionStatus("Unknown")
                    .setReason("NodeStatusUnknown")));
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU)).hasSize(1);
  }

  // ---------------------------------------------------------------- GPU_ALLOCATABLE_MISMATCH

  private void resources(Instant at, int capacity, int allocatable) {
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.RESOURCE_SNAPSHOT,
            at,
            b -> b.setGpuCapacity(capacity).setGpuAllocatable(allocatable)));
  }

  private void heartbeat(String node, Instant at) {
    h.events.pipeInput(node, event(node, NodeEventKind.EXPORTER_HEARTBEAT, at, b -> {}));
  }

  /** Heartbeats every 30 s in [from, to]: stream time moves on, nothing else changes. */
  private void heartbeats(Instant from, Instant to) {
    for (Instant t = from; !t.isAfter(to); t = t.plusSeconds(30)) {
      heartbeat(N, t);
    }
  }

  @Test
  void shouldNotCordonForAGpuWithheldUnderItsOpenXidVerdictButAfterItClears() {
    h.inventory.pipeInput(N, inventory(N, "p5.48xlarge", "al2023-nvidia", T0));
    h.xid.pipeInput(N, xid(N, 119, uuid(3), T0.plusSeconds(5)));
    resources(T0.plusSeconds(10), 8, 7); // the device plugin withholds GPU 3
    heartbeats(T0.plusSeconds(30), T0.plusSeconds(310));
    List<FaultVerdict> firstFiveMinutes = h.verdicts.readValuesToList();
    assertThat(firstFiveMinutes)
        .extracting(FaultVerdict::getFaultClass, FaultVerdict::getState)
        .as("5 min at 7 of 8 under the open XID verdict: no mismatch")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(FaultClass.GPU_XID_FATAL, VerdictState.OPEN));
    Instant validUntil = firstFiveMinutes.get(0).getValidUntil();

    // The XID verdict expires; GPU 3 is still withheld, which nothing explains any more.
    Duration grace = h.rules.node().allocatableGrace();
    heartbeats(T0.plusSeconds(340), validUntil.plus(grace).plusSeconds(60));
    List<FaultVerdict> after = h.verdicts.readValuesToList();
    FaultVerdict cleared =
        after.stream()
            .filter(v -> v.getFaultClass() == FaultClass.GPU_XID_FATAL)
            .filter(v -> v.getState() == VerdictState.CLEARED)
            .findFirst()
            .orElseThrow();
    assertThat(after)
        .filteredOn(v -> v.getFaultClass() == FaultClass.GPU_ALLOCATABLE_MISMATCH)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.CORDON);
              assertThat(v.getDetectedAt())
                  .as("the grace counts from the XID verdict's clear")
                  .isAfterOrEqualTo(cleared.getUpdatedAt().plus(grace));
            });
  }

  @Test
  void shouldOpenAllocatableMismatchOnlyAfterTheGraceAndKeepItsClock() {
    Duration grace = h.rules.node().allocatableGrace();
    resources(T0, 8, 7);
    resources(T0.plus(grace).minusSeconds(30), 8, 6); // a new reason does not restart the clock
    heartbeat(N, T0.plus(grace).minusSeconds(15));
    assertThat(verdicts(FaultClass.GPU_ALLOCATABLE_MISMATCH)).isEmpty();
    heartbeat(N, T0.plus(grace).plusSeconds(15));
    assertThat(verdicts(FaultClass.GPU_ALLOCATABLE_MISMATCH))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.CORDON);
              assertThat(v.getSummary()).contains("allocatable nvidia.com/gpu 6 below expected 8");
            });
    resources(T0.plus(grace).plusSeconds(60), 8, 8);
    assertThat(verdicts(FaultClass.GPU_ALLOCATABLE_MISMATCH))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
  }

  @Test
  void shouldNotFlagAllocatableThatRecoversInsideTheGrace() {
    resources(T0, 8, 7);
    resources(T0.plusSeconds(30), 8, 8);
    heartbeat(N, T0.plus(h.rules.node().allocatableGrace()).plusSeconds(60));
    assertThat(verdicts(FaultClass.GPU_ALLOCATABLE_MISMATCH)).isEmpty();
  }

  // ---------------------------------------------------------------- DRIVER_ROOT_MISCONFIGURED

  @Test
  void shouldClassifyADriverRootFailureWithTheFixHint() {
    h.events.pipeInput(
        "g5-infer-0",
        event(
            "g5-infer-0",
            NodeEventKind.CONTAINER_START_FAILURE,
            T0,
            b ->
                b.setNamespace("ml")
                    .setPod("infer-7")
                    .setContainer("worker")
                    .setReason("Failed")
                    .setMessage(
                        "nvidia-container-cli: initialization error: load library failed: "
                            + "libnvidia-ml.so.1: cannot open shared object file: no such file or directory: unknown")));
    h.events.pipeInput(
        "g5-infer-1",
        event(
            "g5-infer-1",
            NodeEventKind.CONTAINER_START_FAILURE,
            T0,
            b ->
                b.setReason("FailedCreatePodSandBox")
                    .setMessage(
                        "failed to get sandbox runtime: no runtime for \"nvidia\" is configured")));
    h.events.pipeInput(
        "g5-infer-2",
        event(
            "g5-infer-2",
            NodeEventKind.CONTAINER_START_FAILURE,
            T0,
            b -> b.setReason("Failed").setMessage("ImagePullBackOff: manifest unknown")));
    List<FaultVerdict> out = verdicts(FaultClass.DRIVER_ROOT_MISCONFIGURED);
    assertThat(out).extracting(FaultVerdict::getNode).containsExactly("g5-infer-0", "g5-infer-1");
    assertThat(out.get(0).getRecommendedAction()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(out.get(0).getFixHint()).contains("driver root");
    assertThat(out.get(0).getSummary()).contains("ml/infer-7");
    assertThat(out.get(1).getSummary()).contains("runtime class");
  }

  // ---------------------------------------------------------------- GPU_OPERATOR_DEGRADED

  private static Map<String, String> operatorLabels(String... without) {
    Map<String, String> l = new TreeMap<>();
    for (String op :
        List.of(
            "driver",
            "device-plugin",
            "container-toolkit",
            "dcgm-exporter",
            "gpu-feature-discovery",
            "operator-validator")) {
      l.put("nvidia.com/gpu.deploy." + op, "true");
    }
    l.put("nvidia.com/gpu.present", "true");
    for (String w : without) {
      l.remove("nvidia.com/gpu.deploy." + w);
    }
    return l;
  }

  @Test
  void shouldFlagAMissingDevicePluginAfterTheGrace() {
    h.inventory.pipeInput(N, inventory(N, "p5.48xlarge", "al2023-nvidia", T0));
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.LABELS_SNAPSHOT,
            T0,
            b -> b.setLabels(operatorLabels("device-plugin"))));
    heartbeat(N, T0.plus(h.rules.node().operandGrace()).minusSeconds(20));
    assertThat(verdicts(FaultClass.GPU_OPERATOR_DEGRADED)).isEmpty();
    heartbeat(N, T0.plus(h.rules.node().operandGrace()).plusSeconds(20));
    assertThat(verdicts(FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(v -> assertThat(v.getSummary()).contains("device-plugin"));
  }

  @Test
  void shouldFlagTheMigManagerOnAGpuThatIsNotMigCapableAtOnce() {
    String g5 = "g5-infer-0";
    h.inventory.pipeInput(g5, inventory(g5, "g5.2xlarge", "al2023-nvidia", T0));
    Map<String, String> l = operatorLabels();
    l.put("nvidia.com/gpu.deploy.mig-manager", "true");
    l.put("nvidia.com/mig.capable", "false");
    h.events.pipeInput(g5, event(g5, NodeEventKind.LABELS_SNAPSHOT, T0, b -> b.setLabels(l)));
    assertThat(verdicts(FaultClass.GPU_OPERATOR_DEGRADED))
        .singleElement()
        .satisfies(
            v -> assertThat(v.getSummary()).contains("mig-manager").contains("not MIG-capable"));
  }

  @Test
  void shouldLeaveNodesTheGpuOperatorDoesNotManageAlone() {
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.LABELS_SNAPSHOT,
            T0,
            b -> b.setLabels(Map.of("nvidia.com/gpu.present", "true"))));
    heartbeat(N, T0.plus(h.rules.node().operandGrace()).plusSeconds(60));
    assertThat(verdicts(FaultClass.GPU_OPERATOR_DEGRADED)).isEmpty();
  }

  // ---------------------------------------------------------------- TELEMETRY_STALE

  @Test
  void shouldNotifyWhenAReadyNodesExporterFallsSilentAndClearWhenItReturns() {
    Duration stale = h.rules.node().telemetryStaleAfter();
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            T0,
            b -> b.setConditionType("Ready").setConditionStatus("True")));
    heartbeat(N, T0);
    // Another node on the same partition keeps stream time moving.
    for (int s = 10; s <= stale.toSeconds() + 20; s += 10) {
      heartbeat("p5-train-0", T0.plusSeconds(s));
    }
    assertThat(verdicts(FaultClass.TELEMETRY_STALE))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getNode()).isEqualTo(N);
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.NOTIFY);
            });
    heartbeat(N, T0.plus(stale).plusSeconds(30));
    assertThat(verdicts(FaultClass.TELEMETRY_STALE))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
  }

  // ---------------------------------------------------------------- IMAGE_INSTANCE_MISMATCH

  @Test
  void shouldFlagAnInstanceThatNeverRegistersAfterTheGrace() {
    String g5 = "g5-infer-9";
    NodeInventory inv =
        NodeInventory.newBuilder(inventory(g5, "g5.2xlarge", "al2023-nvidia", T0))
            .setRegistered(false)
            .setLaunchedAt(T0)
            .setExpectedGpus(1)
            .build();
    h.inventory.pipeInput(g5, inv);
    heartbeat("p5-train-0", T0.plus(h.rules.node().registrationGrace()).plusSeconds(20));
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH))
        .singleElement()
        .satisfies(v -> assertThat(v.getSummary()).contains("never registered"));
    h.inventory.pipeInput(
        g5,
        NodeInventory.newBuilder(inv)
            .setRegistered(true)
            .setUpdatedAt(T0.plus(h.rules.node().registrationGrace()).plusSeconds(40))
            .build());
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
  }

  private NodeInventory neverRegistered(String node, String type, String image, String ssm) {
    return NodeInventory.newBuilder(inventory(node, type, image, T0))
        .setRegistered(false)
        .setLaunchedAt(T0)
        .setAmiId("ami-0abc1234def567890")
        .setSsmPingStatus(ssm)
        .build();
  }

  @Test
  void shouldCarryTheSsmStatusOfAnNvidiaImageOnACpuInstanceThatNeverRegistered() {
    String cpu = "cache-warm-0";
    h.inventory.pipeInput(
        cpu,
        neverRegistered(
            cpu, "m5.large", "bottlerocket-aws-k8s-1.32-nvidia-x86_64", "NotRegistered"));
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.ESCALATE);
              assertThat(v.getSummary()).contains("SSM NotRegistered");
              assertThat(v.getEvidence().get(0).getDetail())
                  .contains("SSM NotRegistered")
                  .contains("m5.large");
            });
  }

  @Test
  void shouldKeepANeverRegisteredVerdictOpenAcrossTheWatchersRepublishAndClearItOnATombstone() {
    String g5 = "g5-infer-9";
    NodeInventory inv = neverRegistered(g5, "g5.2xlarge", "al2023-nvidia", "NotRegistered");
    h.inventory.pipeInput(g5, inv);
    Instant late = T0.plus(h.rules.node().registrationGrace()).plusSeconds(20);
    heartbeat("p5-train-0", late);
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getSummary()).contains("never registered").contains("SSM NotRegistered");
              assertThat(v.getEvidence().get(0).getDetail()).contains("ami-0abc1234def567890");
            });
    h.inventory.pipeInput(
        g5, NodeInventory.newBuilder(inv).setUpdatedAt(late.plusSeconds(10)).build());
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH))
        .as("republish changes nothing")
        .isEmpty();
    h.inventory.pipeInput(g5, null, late.plusSeconds(30));
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
    heartbeat("p5-train-0", late.plus(h.rules.node().registrationGrace()));
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH)).isEmpty();
  }

  @Test
  void shouldRaiseNothingForAnInstanceScaledInBeforeItsGrace() {
    String g5 = "g5-infer-8";
    h.inventory.pipeInput(g5, neverRegistered(g5, "g5.2xlarge", "al2023-nvidia", "Online"));
    h.inventory.pipeInput(g5, null, T0.plusSeconds(120));
    heartbeat("p5-train-0", T0.plus(h.rules.node().registrationGrace()).plusSeconds(60));
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH)).isEmpty();
  }

  @Test
  void shouldNotLetATombstonesProducerClockMakeNodesLookSilent() {
    String g5 = "g5-infer-7";
    h.inventory.pipeInput(g5, neverRegistered(g5, "g5.2xlarge", "al2023-nvidia", "Online"));
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            T0,
            b -> b.setConditionType("Ready").setConditionStatus("True")));
    heartbeat(N, T0);
    // The tombstone has only its producer's clock, here an hour ahead of the fleet's events.
    h.inventory.pipeInput(g5, null, T0.plusSeconds(3600));
    for (int s = 10; s <= 40; s += 10) {
      heartbeat(N, T0.plusSeconds(s));
    }
    assertThat(verdicts(FaultClass.TELEMETRY_STALE)).isEmpty();
    assertThat(verdicts(FaultClass.IMAGE_INSTANCE_MISMATCH)).isEmpty();
  }

  // ---------------------------------------------------------------- hung node (watcher)

  private void ready(String status, String source, String reason, Instant at) {
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            at,
            b ->
                b.setConditionType("Ready")
                    .setConditionStatus(status)
                    .setReason(reason)
                    .setSource(source)));
  }

  @Test
  void shouldRebootAHungGpuNodeTheControlPlaneMarkedUnknownWithItsExporterSilent() {
    Duration stale = h.rules.node().telemetryStaleAfter();
    h.inventory.pipeInput(N, inventory(N, "p5.48xlarge", "al2023-nvidia", T0));
    ready("True", "kubelet", "KubeletReady", T0);
    heartbeat(N, T0);
    ready("Unknown", "node-controller", "NodeStatusUnknown", T0.plusSeconds(45));
    for (int s = 50; s <= stale.toSeconds() + 30; s += 10) {
      heartbeat("p5-train-0", T0.plusSeconds(s));
    }
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getNode()).isEqualTo(N);
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.REBOOT);
              assertThat(v.getRuleId()).isEqualTo("node.hung-not-ready-exporter-silent");
            });
    assertThat(verdicts(FaultClass.TELEMETRY_STALE)).as("NOTIFY is for Ready nodes").isEmpty();
    h.events.pipeInput(N, rebooted(N, "boot-2", T0.plusSeconds(200)));
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
    heartbeat("p5-train-0", T0.plusSeconds(260));
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU)).as("not raised again").isEmpty();
  }

  // ---------------------------------------------------------------- EC2 scheduled host reboot

  private void listed(Instant at, Instant notBefore, String state) {
    h.inventory.pipeInput(
        N,
        NodeInventory.newBuilder(inventory(N, "p5.48xlarge", "al2023-nvidia", at))
            .setScheduledEvents(
                List.of(
                    CloudScheduledEvent.newBuilder()
                        .setEventId("instance-event-0d59937288b749b32")
                        .setCode("system-reboot")
                        .setDescription("Scheduled reboot of the underlying host")
                        .setNotBefore(notBefore)
                        .setState(state)
                        .build()))
            .build());
  }

  @Test
  void shouldDrainAheadOfAHostRebootAndClearOnlyOnceTheNodeIsBackRebootedAndReady() {
    Duration stale = h.rules.node().telemetryStaleAfter();
    Instant window = T0.plus(Duration.ofMinutes(4));
    ready("True", "kubelet", "KubeletReady", T0);
    heartbeat(N, T0);
    listed(T0, window, "scheduled");
    assertThat(verdicts(FaultClass.SCHEDULED_MAINTENANCE))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
              assertThat(v.getRecommendedAction())
                  .as("the host reboots and the node comes back: drained, never replaced")
                  .isEqualTo(RemediationAction.DRAIN);
            });

    // AWS reboots the host: the node goes quiet, and EC2 lists the event completed meanwhile.
    ready("Unknown", "node-controller", "NodeStatusUnknown", window.plusSeconds(5));
    listed(window.plusSeconds(10), window, "completed");
    for (long s = 20; s <= stale.toSeconds() + 30; s += 10) {
      heartbeat("p5-train-0", window.plusSeconds(s));
    }
    List<FaultVerdict> whileRebooting = h.verdicts.readValuesToList();
    assertThat(whileRebooting)
        .as("not hung: the cloud reboots it; and not back yet")
        .extracting(FaultVerdict::getFaultClass)
        .doesNotContain(FaultClass.NODE_NOT_READY_GPU, FaultClass.SCHEDULED_MAINTENANCE);

    Instant back = window.plus(stale).plusSeconds(60);
    h.events.pipeInput(N, rebooted(N, "boot-2", back));
    assertThat(verdicts(FaultClass.SCHEDULED_MAINTENANCE)).as("rebooted, not Ready yet").isEmpty();
    ready("True", "kubelet", "KubeletReady", back.plusSeconds(5));
    assertThat(verdicts(FaultClass.SCHEDULED_MAINTENANCE))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.CLEARED);
              assertThat(v.getClearReason()).contains("system-reboot", "rebooted and Ready");
            });
  }

  @Test
  void shouldNotRebootANodeTheKubeletReportsNotReadyWithoutAGpuFault() {
    Duration stale = h.rules.node().telemetryStaleAfter();
    h.inventory.pipeInput(N, inventory(N, "p5.48xlarge", "al2023-nvidia", T0));
    heartbeat(N, T0);
    ready("False", "kubelet", "KubeletNotReady", T0.plusSeconds(10));
    for (int s = 20; s <= stale.toSeconds() + 30; s += 10) {
      heartbeat("p5-train-0", T0.plusSeconds(s));
    }
    assertThat(verdicts(FaultClass.NODE_NOT_READY_GPU)).isEmpty();
  }

  // ---------------------------------------------------------------- EKS node monitoring agent

  /** The EKS node monitoring agent's AcceleratedHardwareReady transition on {@code N}. */
  private void agentCondition(Instant at, String status, String reason, String message) {
    h.events.pipeInput(
        N,
        event(
            N,
            NodeEventKind.CONDITION_CHANGED,
            at,
            b ->
                b.setSource("eks-node-monitoring-agent")
                    .setConditionType("AcceleratedHardwareReady")
                    .setConditionStatus(status)
                    .setReason(reason)
                    .setMessage(message)));
  }

  @Test
  void shouldOpenGpuLostFromTheAgentsAcceleratedHardwareConditionAndClearWhenReady() {
    String msg = "detected XID-79 on the instance, review kernel logs for additional information.";
    agentCondition(T0, "False", "NvidiaXID79Error", msg);
    assertThat(verdicts(FaultClass.GPU_LOST))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.REBOOT);
              assertThat(v.getEvidence().get(0).getDetail()).isEqualTo("NvidiaXID79Error: " + msg);
            });
    agentCondition(T0.plusSeconds(120), "True", "NvidiaGPUIsReady", null);
    assertThat(verdicts(FaultClass.GPU_LOST))
        .singleElement()
        .satisfies(v -> assertThat(v.getState()).isEqualTo(VerdictState.CLEARED));
  }

  @Test
  void shouldNotClearAnXidVerdictWhenTheAgentReportsReadyAfterARestart() {
    h.xid.pipeInput(N, xid(N, 79, uuid(0), T0));
    agentCondition(
        T0.plusSeconds(5), "False", "NvidiaXID79Error", "detected XID-79 on the instance");
    agentCondition(T0.plusSeconds(30), "True", "NvidiaGPUIsReady", null);
    assertThat(verdicts(FaultClass.GPU_LOST))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
              assertThat(v.getRuleId()).isEqualTo("xid.code.79");
            });
  }

  // ---------------------------------------------------------------- APP_XID

  @Test
  void shouldEscalateAnApplicationXidRepeatedOnOneGpu() {
    h.xid.pipeInput(N, xid(N, 13, uuid(1), T0));
    h.xid.pipeInput(N, xid(N, 13, uuid(1), T0.plusSeconds(60)));
    assertThat(verdicts(FaultClass.APP_XID))
        .singleElement()
        .satisfies(v -> assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.NONE));
    h.xid.pipeInput(N, xid(N, 13, uuid(1), T0.plusSeconds(120)));
    assertThat(verdicts(FaultClass.APP_XID))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getState()).isEqualTo(VerdictState.UPDATED);
              assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.ESCALATE);
            });
  }

  @Test
  void shouldNotEscalateApplicationXidsSpreadOverTime() {
    Duration within = h.rules.appRepeat().within();
    h.xid.pipeInput(N, xid(N, 13, uuid(1), T0));
    h.xid.pipeInput(N, xid(N, 13, uuid(1), T0.plus(within).plusSeconds(1)));
    h.xid.pipeInput(N, xid(N, 13, uuid(1), T0.plus(within.multipliedBy(2)).plusSeconds(2)));
    assertThat(h.verdicts.readValuesToList())
        .noneSatisfy(
            v -> assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.ESCALATE));
  }

  // ---------------------------------------------------------------- event time

  @Test
  void shouldCountOutOfOrderSamplesInsideTheGraceAndDeadLetterLaterOnes() {
    long grace = h.rules.sampleWindow().grace().toSeconds();
    // A hot window whose samples arrive shuffled, some after the window ended but inside grace.
    for (long s = window - 1; s >= 0; s -= 2) {
      h.gpu.pipeInput(N, sample(N, 0, uuid(0), 97.0, T0.plusSeconds(s)));
    }
    h.gpu.pipeInput(N, sample(N, 0, uuid(0), 50.0, T0.plusSeconds(window + grace - 1)));
    for (long s = window - 2; s >= 0; s -= 2) {
      h.gpu.pipeInput(N, sample(N, 0, uuid(0), 97.0, T0.plusSeconds(s)));
    }
    closeWindowsUpTo(N, window + grace);
    assertThat(verdicts(FaultClass.GPU_THERMAL))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getEvidence().get(0).getDetail())
                    .startsWith(window + " of " + window + " samples"));
    // Now a sample for the first window, long after it closed.
    h.gpu.pipeInput(N, sample(N, 0, uuid(0), 97.0, T0.plusSeconds(3)));
    List<DeadLetter> dead = h.dlq.readValuesToList();
    assertThat(dead)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getKind()).isEqualTo(DeadLetterKind.LATE_EVENT);
              assertThat(d.getReason()).contains("past its window's grace");
            });
    assertThat(h.meters.get(EngineMetrics.DEAD_LETTERS).tag("kind", "LATE_EVENT").counter().count())
        .isEqualTo(1.0);
  }
}
