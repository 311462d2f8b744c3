package io.gpuward.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.testing.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BufferedSinkTest {
  static final Instant T = Instant.parse("2025-11-24T10:00:00Z");
  static final Duration WAIT = Duration.ofSeconds(10);

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Recorder down = new Recorder();
  BufferedSink sink;

  @AfterEach
  void close() {
    if (sink != null) {
      down.hook = r -> {};
      sink.close(Duration.ofSeconds(2));
    }
  }

  private BufferedSink sink(int capacity, Backpressure bp, long maxInFlight) {
    sink =
        new BufferedSink(
            down,
            capacity,
            bp,
            maxInFlight,
            new ExporterMetrics(meters),
            Clock.systemUTC(),
            "test-node");
    return sink;
  }

  static GpuSample sample(int i) {
    GpuSample s = new GpuSample();
    s.put(GpuSample.getClassSchema().getField("node").pos(), "n");
    s.put(GpuSample.getClassSchema().getField("uuid").pos(), "GPU-" + i);
    s.put(GpuSample.getClassSchema().getField("gpuIndex").pos(), i);
    s.put(GpuSample.getClassSchema().getField("eventTime").pos(), T);
    return s;
  }

  static XidEvent xid(int i) {
    return new XidEvent("n/xid/" + i, "n", T, 79, null, null, null, null, "m" + i, null, null);
  }

  static NodeEvent event(int i) {
    return new NodeEvent(
        "n/e/" + i,
        "n",
        NodeEventKind.EXPORTER_HEARTBEAT,
        T,
        "exporter",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of(),
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static String id(Object r) {
    if (r instanceof GpuSample s) {
      return "s" + s.getGpuIndex();
    }
    if (r instanceof XidEvent x) {
      return "x" + x.getEventId().substring(6);
    }
    if (r instanceof NodeEvent e) {
      return "e" + e.getEventId().substring(4);
    }
    return r.toString();
  }

  private List<String> delivered() {
    return down.all.stream().map(BufferedSinkTest::id).toList();
  }

  /** Blocks the downstream on its first record until released. */
  private CountDownLatch blockFirst(CountDownLatch entered) {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    down.hook =
        r -> {
          if (calls.getAndIncrement() == 0) {
            entered.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    return release;
  }

  @Test
  void shouldHandRecordsOnInArrivalOrder() throws Exception {
    BufferedSink s = sink(100, Backpressure.NONE, 0);
    s.gpuSample(sample(1));
    s.xid(xid(1));
    s.nodeEvent(event(1));
    s.gpuSample(sample(2));
    s.inventoryRemoved("gone");
    assertThat(s.flush(WAIT)).isTrue();
    assertThat(delivered()).containsExactly("s1", "x1", "e1", "s2", "tombstone:gone");
    assertThat(s.stats().delivered()).isEqualTo(5);
    assertThat(s.stats().dropped()).isZero();
  }

  @Test
  void shouldDropTheOldestSamplesFirstWhenTheDownstreamBlocks() throws Exception {
    BufferedSink s = sink(5, Backpressure.NONE, 0);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = blockFirst(entered);
    s.gpuSample(sample(1));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue(); // s1 is being handed on
    s.xid(xid(1));
    for (int i = 2; i <= 6; i++) {
      s.gpuSample(sample(i));
    }
    s.nodeEvent(event(1));
    assertThat(s.size()).isEqualTo(6); // 5 waiting + 1 in delivery
    assertThat(meters.get(ExporterMetrics.BUFFERED).gauge().value()).isEqualTo(6.0);
    release.countDown();
    assertThat(s.flush(WAIT)).isTrue();
    assertThat(delivered()).containsExactly("s1", "x1", "s4", "s5", "s6", "e1");
    assertThat(s.stats().droppedSamples()).isEqualTo(2);
    assertThat(s.stats().droppedXids()).isZero();
    assertThat(meters.get(ExporterMetrics.BUFFER_DROPS).tag("kind", "gpu").counter().count())
        .isEqualTo(2.0);
  }

  @Test
  void shouldDropOtherRecordsBeforeXidsAndXidsOnlyWhenNothingElseIsLeft() throws Exception {
    BufferedSink s = sink(3, Backpressure.NONE, 0);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = blockFirst(entered);
    s.xid(xid(0));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    s.xid(xid(1));
    s.nodeEvent(event(1));
    s.xid(xid(2));
    s.xid(xid(3)); // full: the event goes
    s.xid(xid(4)); // only XIDs left: the oldest XID goes
    release.countDown();
    assertThat(s.flush(WAIT)).isTrue();
    assertThat(delivered()).containsExactly("x0", "x2", "x3", "x4");
    assertThat(s.stats().droppedOther()).isEqualTo(1);
    assertThat(s.stats().droppedXids()).isEqualTo(1);
  }

  @Test
  void shouldRetryTransientFailuresInOrder() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(3);
    down.hook =
        r -> {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new org.apache.kafka.common.errors.TimeoutException("broker down");
          }
        };
    BufferedSink s = sink(100, Backpressure.NONE, 0);
    s.xid(xid(1));
    s.gpuSample(sample(1));
    assertThat(s.flush(WAIT)).isTrue();
    assertThat(delivered()).containsExactly("x1", "s1");
    assertThat(s.stats().transientFailures()).isEqualTo(3);
    assertThat(s.stats().lastFailure()).contains("broker down");
  }

  @Test
  void shouldDropARecordTheDownstreamRefusesForGood() throws Exception {
    down.hook =
        r -> {
          if (r instanceof GpuSample g && g.getGpuIndex() == 2) {
            throw new org.apache.kafka.common.errors.SerializationException(
                "cannot serialise", new IllegalArgumentException("bad record"));
          }
        };
    BufferedSink s = sink(100, Backpressure.NONE, 0);
    for (int i = 1; i <= 3; i++) {
      s.gpuSample(sample(i));
    }
    assertThat(s.flush(WAIT)).isTrue();
    assertThat(delivered()).containsExactly("s1", "s3");
    assertThat(s.stats().permanentFailures()).isEqualTo(1);
    assertThat(meters.get(ExporterMetrics.SEND_ERRORS).tag("kind", "gpu").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void shouldTellTransientFromPermanentAlongTheCauseChain() {
    assertThat(BufferedSink.isTransient(new SchemaRegistryException(0, 0, "unreachable"))).isTrue();
    assertThat(
            BufferedSink.isTransient(
                new org.apache.kafka.common.errors.SerializationException(
                    "x", new SchemaRegistryException(503, 50301, "busy"))))
        .isTrue();
    assertThat(
            BufferedSink.isTransient(
                new RuntimeException(new java.net.ConnectException("refused"))))
        .isTrue();
    assertThat(BufferedSink.isTransient(new SchemaRegistryException(409, 409, "incompatible")))
        .isFalse();
    assertThat(BufferedSink.isTransient(new NullPointerException())).isFalse();
  }

  @Test
  void shouldHoldRecordsWhileTooManyAreInFlight() throws Exception {
    AtomicLong inFlight = new AtomicLong(10);
    Backpressure bp =
        new Backpressure() {
          @Override
          public long inFlight() {
            return inFlight.get();
          }

          @Override
          public long failures() {
            return 0;
          }
        };
    BufferedSink s = sink(3, bp, 10);
    for (int i = 1; i <= 5; i++) {
      s.gpuSample(sample(i));
    }
    s.xid(xid(1));
    assertThat(s.flush(Duration.ofMillis(300))).isFalse();
    assertThat(down.all).isEmpty();
    inFlight.set(0);
    assertThat(s.flush(WAIT)).isTrue();
    assertThat(delivered()).containsExactly("s4", "s5", "x1");
    assertThat(s.stats().droppedSamples()).isEqualTo(3);
  }

  @Test
  void shouldResendWhenTheSendFailedInsideTheCall() throws Exception {
    ProducerFlow.State state = new ProducerFlow.State();
    ProducerFlow flow = new ProducerFlow();
    flow.configure(Map.of(ProducerFlow.STATE_CONFIG, state));
    AtomicInteger calls = new AtomicInteger();
    down.hook =
        r -> {
          flow.onSend(null);
          if (calls.getAndIncrement() == 0) {
            flow.onAcknowledgement(
                null, new org.apache.kafka.common.errors.TimeoutException("metadata"));
          } else {
            flow.onAcknowledgement(null, null);
          }
        };
    BufferedSink s = sink(10, state, 100);
    s.xid(xid(1));
    assertThat(s.flush(WAIT)).isTrue();
    Eventually.await(WAIT, () -> assertThat(delivered()).containsExactly("x1", "x1"));
    assertThat(s.stats().transientFailures()).isEqualTo(1);
    assertThat(state.failures()).isEqualTo(1);
    assertThat(state.acknowledged()).isEqualTo(1);
    assertThat(state.inFlight()).isZero();
    assertThat(state.lastError()).contains("metadata");
  }

  @Test
  void shouldDropWhatArrivesAfterClose() {
    BufferedSink s = sink(10, Backpressure.NONE, 0);
    s.close(Duration.ofSeconds(1));
    s.gpuSample(sample(1));
    assertThat(s.stats().droppedSamples()).isEqualTo(1);
    assertThat(down.all).isEmpty();
  }
}
