package io.gpuward.exporter;

import io.gpuward.config.Durations;
import io.gpuward.contract.TelemetrySink;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gpuward's exporters of a whole simulated fleet in one process: one {@link NodePipeline} per node,
 * created on the node's first boot or scrape and replaced on a new boot, the same code {@link
 * ExporterService} runs on a real node. Time is the feed's: a scrape's time is its samples' time,
 * and a node heartbeats at its first scrape and then on the first scrape at least one heartbeat
 * interval after the previous heartbeat, for as long as its exporter scrapes (successfully or not).
 *
 * <p>Not thread-safe: one feeding thread, as {@link NodeFeed} says. Deterministic: no wall clock.
 */
public final class ExporterFleet implements NodeFeed {
  private static final Logger log = LoggerFactory.getLogger(ExporterFleet.class);

  private final TelemetrySink out;
  private final Duration heartbeat;
  private final ExporterMetrics metrics;
  private final FeedClock clock = new FeedClock();
  private final Map<String, Exporter> exporters = new HashMap<>();

  private static final class Exporter {
    final NodePipeline pipeline;
    Instant lastHeartbeat;

    Exporter(NodePipeline pipeline) {
      this.pipeline = pipeline;
    }
  }

  /**
   * @param out where every node's records go
   * @param heartbeat time between a node's heartbeats
   * @param meters the exporter meters, summed over the nodes
   */
  public ExporterFleet(TelemetrySink out, Duration heartbeat, MeterRegistry meters) {
    this.out = Objects.requireNonNull(out, "out");
    if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat must be > 0, was " + heartbeat);
    }
    this.heartbeat = heartbeat;
    this.metrics = new ExporterMetrics(meters);
  }

  @Override
  public void boot(String node, String bootId, Instant bootTime) {
    Exporter current = exporters.get(node);
    if (current != null && Objects.equals(current.pipeline.bootId(), bootId)) {
      return;
    }
    exporters.put(node, start(node, bootId, bootTime));
  }

  @Override
  public void scrape(String node, Instant at, String text) {
    clock.advance(at);
    Exporter e = exporter(node);
    e.pipeline.scraped(at, text);
    heartbeatIfDue(e, at);
  }

  @Override
  public void scrapeFailed(String node, Instant at, String error) {
    clock.advance(at);
    Exporter e = exporter(node);
    e.pipeline.scrapeFailed(DcgmScraper.ScrapeException.Reason.CONNECT, error);
    heartbeatIfDue(e, at);
  }

  @Override
  public void kernelLine(String node, Instant readAt, String line) {
    clock.advance(readAt);
    exporter(node).pipeline.kernelLine(line);
  }

  @Override
  public void nodeGone(String node) {
    exporters.remove(node);
  }

  /** The node's current pipeline, if it has one. */
  public NodePipeline pipeline(String node) {
    Exporter e = exporters.get(node);
    return e == null ? null : e.pipeline;
  }

  private Exporter exporter(String node) {
    return exporters.computeIfAbsent(node, n -> start(n, null, null));
  }

  private Exporter start(String node, String bootId, Instant bootTime) {
    log.debug(
        "exporter fleet: node={} exporter starts, boot id {} since {}", node, bootId, bootTime);
    return new Exporter(new NodePipeline(node, bootId, bootTime, clock, out, metrics));
  }

  private void heartbeatIfDue(Exporter e, Instant at) {
    if (e.lastHeartbeat != null && Duration.between(e.lastHeartbeat, at).compareTo(heartbeat) < 0) {
      return;
    }
    e.lastHeartbeat = at;
    e.pipeline.heartbeat(at, "");
  }

  @Override
  public String toString() {
    return "ExporterFleet["
        + exporters.size()
        + " nodes, heartbeat "
        + Durations.format(heartbeat)
        + "]";
  }

  /**
   * The exporters' clock: the latest time the feed has shown. Kernel lines are judged against it
   * (not too far ahead), exactly as a real exporter judges them against its wall clock.
   */
  private static final class FeedClock extends Clock {
    private Instant now = Instant.EPOCH;

    void advance(Instant t) {
      if (t.isAfter(now)) {
        now = t;
      }
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the feed clock is UTC");
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
