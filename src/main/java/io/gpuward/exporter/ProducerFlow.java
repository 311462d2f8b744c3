package io.gpuward.exporter;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer interceptor that counts records in flight and failed sends, so a {@link BufferedSink}
 * in front of {@link TelemetryPublisher} can see the broker is not taking records without changing
 * the publisher. {@link #install} adds it to the producer properties together with the {@link
 * State} it reports to.
 */
public final class ProducerFlow implements ProducerInterceptor<Object, Object> {

  /** Producer property holding the {@link State} instance. */
  public static final String STATE_CONFIG = "gpuward.exporter.producer.flow.state";

  /** The counts one producer reports. Thread-safe. */
  public static final class State implements Backpressure {
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String lastError;

    @Override
    public long inFlight() {
      return inFlight.get();
    }

    @Override
    public long failures() {
      return failed.get();
    }

    /** Records the broker acknowledged. */
    public long acknowledged() {
      return acknowledged.get();
    }

    /** The last send error, or null. */
    public String lastError() {
      return lastError;
    }
  }

  private State state = new State();

  /** {@code props} plus this interceptor reporting to {@code state}. */
  public static Map<String, Object> install(Map<String, Object> props, State state) {
    Map<String, Object> p = new HashMap<>(props);
    Object existing = p.get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
    String mine = ProducerFlow.class.getName();
    p.put(
        ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
        existing == null || existing.toString().isBlank() ? mine : existing + "," + mine);
    p.put(STATE_CONFIG, state);
    return p;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object s = configs.get(STATE_CONFIG);
    if (s instanceof State given) {
      state = given;
    }
  }

  @Override
  public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
    state.inFlight.incrementAndGet();
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    state.inFlight.decrementAndGet();
    if (exception == null) {
      state.acknowledged.incrementAndGet();
    } else {
      state.failed.incrementAndGet();
      state.lastError = exception.getClass().getSimpleName() + ": " + exception.getMessage();
    }
  }

  @Override
  public void close() {}
}
