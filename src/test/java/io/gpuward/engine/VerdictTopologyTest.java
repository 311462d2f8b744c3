package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.CloudScheduledEvent;
import io.gpuward.avro.DeadLetter;
import io.gpuward.avro.DeadLetterKind;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.FaultVerdict;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.HealthState;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.NodeHealth;
import io.gpuward.avro.NodeInventory;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.VerdictState;
import io.gpuward.avro.XidEvent;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.fleet.InstanceTypeCatalog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerdictTopologyTest {
  private static final String H100 = "GPU-81d79b08-40a0-40ae-3fc5-82b8ff8b8138";

  @TempDir Path stateDir;

  private EngineHarness h;
  private RuleCatalog rules;
  private io.gpuward.contract.Topics topics;
  private SimpleMeterRegistry meters;
  private TestInputTopic<String, XidEvent> xid;
  private TestInputTopic<String, byte[]> xidRaw;
  private TestInputTopic<String, GpuSample> gpu;
  private TestInputTopic<String, NodeEvent> events;
  private TestInputTopic<String, NodeInventory> inventory;
  private TestOutputTopic<String, FaultVerdict> verdicts;
  private TestOutputTopic<String, NodeHealth> health;
  private TestOutputTopic<String, DeadLetter> dlq;

  @BeforeEach
  void setUp() {
    h = new EngineHarness(stateDir);
    rules = h.rules;
    topics = h.topics;
    meters = h.meters;
    xid = h.xid;
    xidRaw = h.xidRaw;
    gpu = h.gpu;
    events = h.events;
    inventory = h.inventory;
    verdicts = h.verdicts;
    health = h.health;
    dlq = h.dlq;
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void shouldNameEveryStoreAndProcessorStably() {
    String described =
        VerdictTopology.build(
                topics,
                rules,
                InstanceTypeCatalog.load(),
                "engine-test",
                meters,
                EngineHarness.WALL,
                EngineHarness.BOUNDS)
            .describe()
            .toString();
    for (String name :
        List.of(
            EngineNames.XID_SOURCE,
            EngineNames.GPU_SOURCE,
            EngineNames.EVENTS_SOURCE,
            EngineNames.INVENTORY_SOURCE,
            EngineNames.INVENTORY_CHECK,
            EngineNames.INVENTORY_TABLE,
            EngineNames.XID_CHECK,
            EngineNames.GPU_CHECK,
            EngineNames.XID_SIGNALS,
            EngineNames.GPU_WINDOW,
            EngineNames.GPU_WINDOW_SIGNALS,
            EngineNames.NODE_STATE,
            EngineNames.NOT_READY_JOIN,
            EngineNames.NODE_STATE_STORE,
            EngineNames.PRESENCE_STORE,
            EngineNames.NOT_READY_JOIN_STORE,
            EngineNames.INVENTORY_SIGNALS,
            EngineNames.VERDICT_DECIDER,
            EngineNames.VERDICTS_SINK,
            EngineNames.HEALTH_SINK,
            EngineNames.INVENTORY_STORE,
            EngineNames.GPU_WINDOW_STORE,
            EngineNames.COUNTER_CARRY_STORE,
            EngineNames.VERDICT_STORE)) {
      assertThat(described).as("topology names %s", name).contains(name);
    }
    // Everything is node-keyed and co-partitioned; only fleet correlation regroups, by scope.
    assertThat(described.split("repartition", -1).length - 1)
        .as("repartition mentions")
        .isEqualTo(
            described.split(EngineNames.CORRELATION_REPARTITION + "-repartition", -1).length - 1);
    assertThat(described).contains(EngineNames.CORRELATION_REPARTITION + "-repartition");
    assertThat(described).doesNotContain("KSTREAM-").doesNotContain("KTABLE-");
    // node-state reads the open verdicts: the GPUs they name explain an allocatable shortfall.
    assertThat(described)
        .containsPattern(
            "Processor: "
                + EngineNames.NODE_STATE
                + " \\(stores: \\[[^]]*"
                + EngineNames.VERDICT_STORE
                + "[^]]*\\]\\)");
  }

  @Test
  void shouldOpenOneFatalXidVerdictAndNotRepeatIt() {
    inventory.pipeInput("p5-train-6", inventory("p5-train-6", "p5.48xlarge", "al2023-nvidia", T0));
    xid.pipeInput("p5-train-6", xid("p5-train-6", 119, H100, T0.plusSeconds(12)));
    xid.pipeInput("p5-train-6", xid("p5-train-6", 119, H100, T0.plusSeconds(13)));

    List<FaultVerdict> out = verdicts.readValuesToList();
    assertThat(out).hasSize(1);
    FaultVerdict v = out.get(0);
    assertThat(v.getState()).isEqualTo(VerdictState.OPEN);
    assertThat(v.getFaultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.RESET_GPU);
    assertThat(v.getNodegroup()).isEqualTo("p5-train");
    assertThat(v.getInstanceId()).isEqualTo("i-0123456789abcdef0");
    assertThat(v.getRuleVersion()).isEqualTo(rules.version());
    assertThat(v.getGpus()).extracting(g -> g.getUuid()).containsExactly(H100);
    assertThat(v.getEvidence().get(0).getSource()).isEqualTo(topics.xid.name());
    assertThat(v.getEvidence().get(0).getOffset()).isEqualTo(0L);
    assertThat(v.getDetectedAt()).isEqualTo(T0.plusSeconds(12));
    assertThat(v.getValidUntil()).isAfter(T0.plusSeconds(13));
    assertThat(health.readValuesToList())
        .last()
        .satisfies(h -> assertThat(h.getState()).isEqualTo(HealthState.FAULTY));
  }

  @Test
  void shouldClearGpuLostWhenTheNodeReboots() {
    xid.pipeInput("p5-train-2", xid("p5-train-2", 79, H100, T0.plusSeconds(20)));
    events.pipeInput("p5-train-2", rebooted("p5-train-2", "boot-2", T0.plusSeconds(50)));

    List<FaultVerdict> out = verdicts.readValuesToList();
    assertThat(out)
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN, VerdictState.CLEARED);
    assertThat(out.get(0).getFaultClass()).isEqualTo(FaultClass.GPU_LOST);
    assertThat(out.get(0).getRecommendedAction()).isEqualTo(RemediationAction.REBOOT);
    assertThat(out.get(1).getVerdictId()).isEqualTo(out.get(0).getVerdictId());
    assertThat(out.get(1).getClearReason()).contains("rebooted");
    assertThat(health.readValuesToList())
        .last()
        .satisfies(h -> assertThat(h.getState()).isEqualTo(HealthState.HEALTHY));
  }

  @Test
  void shouldOpenThermalOnlyAfterTheWindowClosesAndClearOnACoolWindow() {
    Duration window = rules.sampleWindow().size();
    // One sample a second: the first window is hot throughout.
    for (int s = 0; s < window.toSeconds(); s++) {
      gpu.pipeInput("p5-train-5", sample("p5-train-5", 1, H100, 97.0, T0.plusSeconds(s)));
    }
    assertThat(verdicts.isEmpty()).as("no verdict before the window closes").isTrue();
    // Second window cool; its samples advance stream time past the first window's end + grace.
    long w2 = window.toSeconds();
    for (int s = 0; s < window.toSeconds(); s++) {
      gpu.pipeInput("p5-train-5", sample("p5-train-5", 1, H100, 55.0, T0.plusSeconds(w2 + s)));
    }
    List<FaultVerdict> opened = verdicts.readValuesToList();
    assertThat(opened).hasSize(1);
    assertThat(opened.get(0).getFaultClass()).isEqualTo(FaultClass.GPU_THERMAL);
    assertThat(opened.get(0).getState()).isEqualTo(VerdictState.OPEN);
    assertThat(opened.get(0).getEvidence().get(0).getWindowStart()).isEqualTo(T0);
    // Close the cool window.
    gpu.pipeInput("p5-train-5", sample("p5-train-5", 1, H100, 55.0, T0.plusSeconds(3 * w2)));
    List<FaultVerdict> cleared = verdicts.readValuesToList();
    assertThat(cleared).extracting(FaultVerdict::getState).containsExactly(VerdictState.CLEARED);
  }

  @Test
  void shouldCarryTheGpusPodsIntoAThermalVerdictAndAnXidVerdictAfterIt() {
    Duration window = rules.sampleWindow().size();
    long w = window.toSeconds();
    for (int s = 0; s < w; s++) {
      gpu.pipeInput("g5-infer-1", withPod(sample("g5-infer-1", 1, H100, 97.0, T0.plusSeconds(s))));
    }
    for (int s = 0; s < w; s++) {
      gpu.pipeInput(
          "g5-infer-1", withPod(sample("g5-infer-1", 1, H100, 97.0, T0.plusSeconds(w + s))));
    }
    xid.pipeInput("g5-infer-1", xid("g5-infer-1", 119, H100, T0.plusSeconds(2 * w)));

    List<FaultVerdict> out = verdicts.readValuesToList();
    assertThat(out)
        .filteredOn(v -> v.getFaultClass() == FaultClass.GPU_THERMAL)
        .first()
        .satisfies(v -> assertThat(v.getGpus().get(0).getPods()).containsExactly("ml/train-0"));
    assertThat(out)
        .filteredOn(v -> v.getFaultClass() == FaultClass.GPU_XID_FATAL)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.getGpus().get(0).getPods()).containsExactly("ml/train-0");
              assertThat(v.getGpus().get(0).getIndex()).isEqualTo(1);
            });
  }

  @Test
  void shouldLeaveAnXidVerdictsPodsUnknownWithoutAWindowBeforeIt() {
    xid.pipeInput("p5-train-6", xid("p5-train-6", 119, H100, T0.plusSeconds(12)));

    assertThat(verdicts.readValuesToList())
        .singleElement()
        .satisfies(v -> assertThat(v.getGpus().get(0).getPods()).isEmpty());
  }

  private static GpuSample withPod(GpuSample s) {
    return GpuSample.newBuilder(s).setPod("ml/train-0").build();
  }

  @Test
  void shouldNotOpenThermalForABriefSpike() {
    for (int s = 0; s < 30; s++) {
      double t = s < 5 ? 97.0 : 60.0; // 5 of 30 samples hot: below openFraction
      gpu.pipeInput("p5-train-5", sample("p5-train-5", 1, H100, t, T0.plusSeconds(s)));
    }
    gpu.pipeInput("p5-train-5", sample("p5-train-5", 1, H100, 60.0, T0.plusSeconds(90)));
    assertThat(verdicts.isEmpty()).isTrue();
  }

  @Test
  void shouldFlagAnNvidiaImageOnACpuInstanceTypeAsMisconfigured() {
    inventory.pipeInput(
        "cache-warm-0",
        inventory("cache-warm-0", "m5.large", "bottlerocket-aws-k8s-1.32-nvidia-x86_64", T0));
    FaultVerdict v = verdicts.readValue();
    assertThat(v.getFaultClass()).isEqualTo(FaultClass.IMAGE_INSTANCE_MISMATCH);
    assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.ESCALATE);
    assertThat(v.getFixHint()).contains("non-NVIDIA image");
    assertThat(health.readValue().getState()).isEqualTo(HealthState.MISCONFIGURED);
    // A correct image on the same type is a cancel pair.
    inventory.pipeInput(
        "cache-warm-0",
        inventory(
            "cache-warm-0", "m5.large", "bottlerocket-aws-k8s-1.32-x86_64", T0.plusSeconds(60)));
    assertThat(verdicts.readValue().getState()).isEqualTo(VerdictState.CLEARED);
  }

  @Test
  void shouldNotFlagAGpuInstanceWithAnNvidiaImage() {
    inventory.pipeInput(
        "p5-train-0",
        inventory("p5-train-0", "p5.48xlarge", "bottlerocket-aws-k8s-1.32-nvidia-x86_64", T0));
    assertThat(verdicts.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterPoisonBytesCountThemAndKeepProcessing() {
    xidRaw.pipeInput("p5-train-1", "{not avro}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    xidRaw.pipeInput("p5-train-1", new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2, 3});
    xid.pipeInput("p5-train-1", xid("p5-train-1", 119, H100, T0));

    assertThat(verdicts.readValue().getFaultClass()).isEqualTo(FaultClass.GPU_XID_FATAL);
    assertThat(dlq.readValuesToList())
        .extracting(DeadLetter::getKind, DeadLetter::getOriginalOffset)
        .containsExactly(
            Tuple.tuple(DeadLetterKind.DESERIALIZATION, 0L),
            Tuple.tuple(DeadLetterKind.DESERIALIZATION, 1L));
    assertThat(
            meters.get(EngineMetrics.DEAD_LETTERS).tag("kind", "DESERIALIZATION").counter().count())
        .isEqualTo(2.0);
  }

  @Test
  void shouldDeadLetterInvalidTelemetryWithTheReason() {
    gpu.pipeInput("p5-train-3", sample("p5-train-3", 0, H100, Double.NaN, T0));
    gpu.pipeInput("p5-train-3", sample("other-node", 0, H100, 50.0, T0));
    xid.pipeInput("p5-train-3", xid("p5-train-3", -4, H100, T0));

    List<DeadLetter> dead = dlq.readValuesToList();
    assertThat(dead).extracting(DeadLetter::getKind).containsOnly(DeadLetterKind.VALIDATION);
    assertThat(dead)
        .extracting(DeadLetter::getReason)
        .anySatisfy(r -> assertThat(r).contains("temperatureC NaN"))
        .anySatisfy(r -> assertThat(r).contains("is not its node"))
        .anySatisfy(r -> assertThat(r).contains("not a valid XID"));
    assertThat(dead.get(0).getOriginalValue()).isNotNull();
  }

  @Test
  void shouldTakeScheduledEventsOnlyFromInventoryAndDeadLetterThemAsNodeEvents() {
    Instant start = T0.plus(Duration.ofMinutes(30));
    inventory.pipeInput("p5-train-4", inventory("p5-train-4", "p5.48xlarge", "al2023-nvidia", T0));
    events.pipeInput(
        "p5-train-4",
        NodeEvent.newBuilder(rebooted("p5-train-4", "boot-1", T0.plusSeconds(1)))
            .setEventId("p5-train-4/SCHEDULED_EVENT/forged")
            .setKind(NodeEventKind.SCHEDULED_EVENT)
            .setSource("watcher")
            .setReason("instance-retirement")
            .setNotBefore(start)
            .setScheduledState("scheduled")
            .build());

    assertThat(verdicts.isEmpty()).isTrue();
    assertThat(dlq.readValuesToList())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getKind()).isEqualTo(DeadLetterKind.VALIDATION);
              assertThat(d.getReason()).contains("SCHEDULED_EVENT", "watcher's inventory");
            });

    inventory.pipeInput(
        "p5-train-4",
        NodeInventory.newBuilder(
                inventory("p5-train-4", "p5.48xlarge", "al2023-nvidia", T0.plusSeconds(2)))
            .setScheduledEvents(
                List.of(
                    CloudScheduledEvent.newBuilder()
                        .setEventId("instance-event-0d59937288b749b32")
                        .setCode("instance-retirement")
                        .setNotBefore(start)
                        .build()))
            .build());

    FaultVerdict v = verdicts.readValue();
    assertThat(v.getFaultClass()).isEqualTo(FaultClass.SCHEDULED_MAINTENANCE);
    assertThat(v.getRecommendedAction()).isEqualTo(RemediationAction.REPLACE);
  }

  @Test
  void shouldDeadLetterTelemetryOfAnUnknownNodeAfterTheGraceAndAcceptItOnceInventoryArrives() {
    Duration grace = rules.node().unknownNodeGrace();
    String n = "p5-ghost-0";
    // Inside the grace: accepted (inventory may still be on its way).
    gpu.pipeInput(n, sample(n, 0, H100, 50.0, T0));
    gpu.pipeInput(n, sample(n, 0, H100, 50.0, T0.plus(grace)));
    assertThat(dlq.isEmpty()).isTrue();
    // Past the grace with no inventory: dead-lettered with the reason, processing continues.
    gpu.pipeInput(n, sample(n, 0, H100, 50.0, T0.plus(grace).plusSeconds(1)));
    xid.pipeInput(n, xid(n, 119, H100, T0.plus(grace).plusSeconds(2)));
    List<DeadLetter> dead = dlq.readValuesToList();
    assertThat(dead).hasSize(2);
    assertThat(dead).extracting(DeadLetter::getKind).containsOnly(DeadLetterKind.VALIDATION);
    assertThat(dead)
        .extracting(DeadLetter::getReason)
        .allSatisfy(r -> assertThat(r).contains("unknown node '" + n + "'"));
    assertThat(verdicts.readValuesToList()).noneMatch(v -> v.getNode().equals(n));
    assertThat(meters.find(EngineMetrics.DEAD_LETTERS).counters())
        .anySatisfy(c -> assertThat(c.count()).isPositive());
    // Inventory arrives: the node's telemetry is accepted again.
    inventory.pipeInput(n, inventory(n, "p5.48xlarge", "al2023-nvidia", T0.plus(grace)));
    xid.pipeInput(n, xid(n, 119, H100, T0.plus(grace).plusSeconds(3)));
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(verdicts.readValuesToList()).anySatisfy(v -> assertThat(v.getNode()).isEqualTo(n));
  }

  @Test
  void shouldExpireAVerdictWithNoNewEvidence() {
    xid.pipeInput("p5-train-4", xid("p5-train-4", 119, H100, T0));
    Duration ttl = rules.ttl(FaultClass.GPU_XID_FATAL);
    // Any later input on the partition advances stream time past validUntil.
    gpu.pipeInput("p5-train-4", sample("p5-train-4", 0, H100, 50.0, T0.plus(ttl).plusSeconds(20)));
    List<FaultVerdict> out = verdicts.readValuesToList();
    assertThat(out)
        .extracting(FaultVerdict::getState)
        .containsExactly(VerdictState.OPEN, VerdictState.CLEARED);
    assertThat(out.get(1).getClearReason()).startsWith("expired");
  }
}
