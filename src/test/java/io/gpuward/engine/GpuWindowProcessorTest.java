package io.gpuward.engine;

import static io.gpuward.engine.EngineFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.engine.domain.CounterCarry;
import io.gpuward.engine.domain.GpuWindow;
import io.gpuward.engine.domain.RuleCatalog;
import io.gpuward.engine.domain.SampleRules;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * GPU windows as live objects with a write-back store: a window closes once, after end + grace in
 * stream time; what was committed (flushed) before a restart comes back into the new processor, and
 * what was not is dropped with the uncommitted input (Streams replays that input).
 */
class GpuWindowProcessorTest {
  private static final String N = "p5-train-1";
  private static final String GPU = "GPU-w-0";

  private final RuleCatalog rules = RuleCatalog.load();
  private final long size = rules.sampleWindow().size().toMillis();
  private final long grace = rules.sampleWindow().grace().toMillis();
  private final long carryFor = rules.sampleWindow().counterCarry().toMillis();
  private final SampleRules sampleRules = new SampleRules(rules);
  private final WriteBackStore<GpuWindowProcessor.Key, GpuWindow> store =
      WriteBackStore.inMemoryForTests(
          EngineNames.GPU_WINDOW_STORE, new GpuWindowProcessor.KeySerde(), new GpuWindowSerde());

  private final KeyValueStore<String, CounterCarry> carries =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore(EngineNames.COUNTER_CARRY_STORE),
              Serdes.String(),
              new CounterCarrySerde())
          .withLoggingDisabled()
          .build();

  private MockProcessorContext<String, GpuWindowProcessor.Closed> context;
  private GpuWindowProcessor processor;

  /** A new processor over the same store, as after a restart that restored the store. */
  private void start() {
    context = new MockProcessorContext<>();
    if (!store.isOpen()) {
      store.init(context.getStateStoreContext(), store);
    }
    context.addStateStore(store);
    if (!carries.isOpen()) {
      carries.init(context.getStateStoreContext(), carries);
    }
    context.addStateStore(carries);
    processor = new GpuWindowProcessor(sampleRules, size, grace, carryFor);
    processor.init(context);
  }

  private void sample(long offsetMs, double temp) {
    GpuSample s = EngineFixtures.sample(N, 0, GPU, temp, T0.plusMillis(offsetMs));
    processor.process(new Record<>(N, s, T0.toEpochMilli() + offsetMs));
  }

  private List<GpuWindowProcessor.Closed> closed() {
    return context.forwarded().stream()
        .map(f -> (GpuWindowProcessor.Closed) f.record().value())
        .toList();
  }

  @Test
  void shouldEmitAWindowOnceAfterItsGraceWithEverySample() {
    start();
    for (int s = 0; s < 30; s++) {
      sample(s * 1000L, 97.0);
    }
    sample(size + grace - 1, 50.0); // inside the grace: window still open
    assertThat(closed()).isEmpty();
    sample(size + grace, 50.0);
    assertThat(closed())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.start()).isEqualTo(T0.toEpochMilli());
              assertThat(c.end()).isEqualTo(T0.toEpochMilli() + size);
              assertThat(c.window().gpus.get(GPU).samples).isEqualTo(30);
              assertThat(c.window().gpus.get(GPU).hot).isEqualTo(30);
            });
    assertThat(processor.openWindows()).isEqualTo(1);
  }

  @Test
  void shouldBringBackCommittedWindowsAfterARestartAndDropUncommittedOnes() {
    start();
    for (int s = 0; s < 15; s++) {
      sample(s * 1000L, 97.0);
    }
    store.flushCache(); // Streams commits the task
    sample(15_000, 97.0);
    assertThat(store.pending()).isEqualTo(1);
    store.clearCache(); // the task is closed dirty: this sample will be replayed

    start();
    assertThat(processor.openWindows()).isEqualTo(1);
    for (int s = 15; s < 30; s++) {
      sample(s * 1000L, 97.0);
    }
    sample(size + grace, 50.0);
    assertThat(closed())
        .singleElement()
        .satisfies(c -> assertThat(c.window().gpus.get(GPU).samples).isEqualTo(30));
    store.flushCache();
    start();
    assertThat(processor.openWindows()).as("the closed window was deleted").isEqualTo(1);
  }

  private void replay(long offsetMs, long replayErrors) {
    GpuSample s =
        GpuSample.newBuilder(EngineFixtures.sample(N, 0, GPU, 50.0, T0.plusMillis(offsetMs)))
            .setNvlinkReplayErrors(replayErrors)
            .build();
    processor.process(new Record<>(N, s, T0.toEpochMilli() + offsetMs));
  }

  /** Advances stream time with a sample of another node. */
  private void advanceTo(long offsetMs) {
    GpuSample s = EngineFixtures.sample("other", 0, "GPU-x", 50.0, T0.plusMillis(offsetMs));
    processor.process(new Record<>("other", s, T0.toEpochMilli() + offsetMs));
  }

  /** NVLink replay increments of {@link #GPU} in each window of node {@link #N} closed so far. */
  private List<Long> replayDeltas() {
    return context.forwarded().stream()
        .filter(f -> N.equals(f.record().key()))
        .map(f -> (GpuWindowProcessor.Closed) f.record().value())
        .map(c -> c.window().gpus.get(GPU).delta(GpuWindow.NVLINK_REPLAY))
        .toList();
  }

  @Test
  void shouldCountAnIncrementBetweenWindowsWhetherTheEarlierOneIsOpenOrClosed() {
    start();
    replay(size - 1000, 0); // the last sample of window 0
    replay(size + 1000, 1); // window 0 is still in its grace: read from the open window
    advanceTo(2 * size + grace); // closes windows 0 and 1: their readings go into the carry
    replay(2 * size + grace + 1000, 3); // read from the carry
    advanceTo(3 * size + grace);
    assertThat(replayDeltas()).containsExactly(0L, 1L, 2L);
  }

  @Test
  void shouldKeepTheCarryAcrossARestartAndForgetAGpuSilentForLongerThanIt() {
    start();
    replay(0, 5);
    advanceTo(size + grace);
    store.flushCache();
    start(); // restarted: the carry comes back from its store
    replay(size + grace + 1000, 6);
    advanceTo(2 * size + grace);
    assertThat(replayDeltas()).containsExactly(1L);
    assertThat(carries.get(N).gpus).containsKey(GPU);

    advanceTo(2 * size + grace + carryFor + size);
    assertThat(carries.get(N)).as("a GPU silent for longer than the carry is forgotten").isNull();
  }

  @Test
  void shouldCarryNothingWhenTheCarryIsZero() {
    context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    carries.init(context.getStateStoreContext(), carries);
    context.addStateStore(carries);
    processor = new GpuWindowProcessor(sampleRules, size, grace, 0);
    processor.init(context);
    replay(size - 1000, 0);
    replay(size + 1000, 1);
    advanceTo(2 * size + grace);
    assertThat(replayDeltas()).containsExactly(0L, 0L);
    assertThat(carries.get(N)).isNull();
  }
}
