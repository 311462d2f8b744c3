package io.gpuward.rollup;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.GpuTelemetryRollup;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.contract.Topics;
import io.gpuward.engine.EventTimeExtractor;
import java.time.Clock;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The telemetry rollup: GPU samples ({@code gpuward.telemetry.gpu.v1}, keyed by node) in tumbling
 * event-time windows per node, one {@link GpuTelemetryRollup} per GPU emitted once when the window
 * closes ({@code gpuward.telemetry.rollup.v1}, keyed by node). Separate from the verdict engine:
 * its own application id, store and output, so neither slows the other.
 */
public final class RollupTopology {

  /** Name of the window store. */
  public static final String STORE = "rollup-gpu-window";

  private RollupTopology() {}

  /**
   * The topology; pure: no I/O until it runs. Samples the engine dead-letters (invalid, or with an
   * event time outside {@code bounds} of {@code wall}) are dropped here: they are in the DLQ once
   * already, and one sample stamped hours ahead would otherwise close every open window.
   */
  public static Topology build(
      Topics topics, RollupSettings settings, Clock wall, EventTimeBounds bounds) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.<String, GpuSample>stream(
            topics.gpu.name(),
            Consumed.with(Serdes.String(), topics.gpu.valueSerde())
                .withTimestampExtractor(new EventTimeExtractor(wall, bounds))
                .withName("rollup-gpu-source"))
        .process(GoodSamples::new, Named.as("rollup-drop-invalid"))
        .groupByKey(Grouped.with(Serdes.String(), topics.gpu.valueSerde()))
        .windowedBy(TimeWindows.ofSizeAndGrace(settings.window(), settings.grace()))
        .aggregate(
            NodeWindow::empty,
            (node, sample, window) -> window.add(sample),
            Named.as("rollup-aggregate"),
            Materialized.<String, NodeWindow, WindowStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(new NodeWindowSerde()))
        .suppress(
            Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                .withName("rollup-until-window-closes"))
        .toStream(Named.as("rollup-closed-windows"))
        .flatMap(
            (windowed, window) ->
                window
                    .rollups(
                        windowed.key(), windowed.window().startTime(), windowed.window().endTime())
                    .stream()
                    .map(r -> KeyValue.pair(windowed.key(), r))
                    .toList(),
            Named.as("rollup-per-gpu"))
        .to(
            topics.rollup.name(),
            Produced.with(Serdes.String(), topics.rollup.valueSerde()).withName("rollup-sink"));
    return builder.build();
  }
}
