package io.gpuward.exporter;

/**
 * What a {@link BufferedSink} learns from the sink behind it (the Kafka producer) to hold records
 * while the broker cannot take them: how many handed-over records are not acknowledged yet, and how
 * many sends failed so far.
 */
public interface Backpressure {

  /** Records handed to the downstream and neither acknowledged nor failed yet. */
  long inFlight();

  /** Sends that failed so far, including ones that failed inside the send call. */
  long failures();

  /** No backpressure: nothing in flight, nothing fails. */
  Backpressure NONE =
      new Backpressure() {
        @Override
        public long inFlight() {
          return 0;
        }

        @Override
        public long failures() {
          return 0;
        }
      };
}
