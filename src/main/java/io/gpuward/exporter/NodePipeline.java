package io.gpuward.exporter;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.NodeEventKind;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.dcgm.DcgmParser;
import io.gpuward.exporter.dcgm.DcgmScrape;
import io.gpuward.exporter.kmsg.KmsgParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one node's exporter makes of its inputs during one boot: a dcgm-exporter scrape's text
 * becomes one {@link GpuSample} per GPU (and teaches the kernel log parser which GPU UUID sits at
 * which PCI address), an {@code NVRM: Xid} kernel line becomes an {@code XidEvent}, and a heartbeat
 * becomes an {@code EXPORTER_HEARTBEAT} {@link NodeEvent} with the counts so far.
 *
 * <p>It does no I/O and keeps no schedule: {@link ExporterService} drives one from its timers, the
 * scraper and the kernel log follower; {@link ExporterFleet} drives one per simulated node from the
 * simulator's thread. Both therefore publish exactly the same records for the same inputs. A new
 * boot needs a new pipeline: the kernel log, its sequence numbers and boot time start again.
 *
 * <p>Thread-safe: scrapes, kernel lines and heartbeats may come from different threads.
 */
public final class NodePipeline {
  private static final Logger log = LoggerFactory.getLogger(NodePipeline.class);

  private final String node;
  private final String bootId;
  private final TelemetrySink out;
  private final ExporterMetrics metrics;
  private final DcgmParser dcgm;
  private final KmsgParser kmsg;

  private final AtomicLong scrapes = new AtomicLong();
  private final AtomicLong scrapeErrors = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong xids = new AtomicLong();
  private final AtomicLong heartbeats = new AtomicLong();
  private volatile int lastGpus = -1;
  private volatile boolean lastScrapeOk;
  private volatile String lastScrapeError;
  private long unparseableSeen;

  /**
   * @param node the node every record is keyed by, whatever dcgm-exporter's labels say
   * @param bootId this boot's id (in event ids and records), or null when unknown
   * @param bootTime when this boot began, for the kernel log's monotonic stamps; null when unknown
   * @param clock the exporter's clock: the time of a kernel line without one, and the reference of
   *     the kernel line times believed ({@link KmsgParser#PLAUSIBLE})
   * @param out where records go
   * @param metrics the exporter's meters (shared by the pipelines of one process)
   */
  public NodePipeline(
      String node,
      String bootId,
      Instant bootTime,
      Clock clock,
      TelemetrySink out,
      ExporterMetrics metrics) {
    this.node = Objects.requireNonNull(node, "node");
    this.bootId = bootId;
    this.out = Objects.requireNonNull(out, "out");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.dcgm = DcgmParser.forNode(node);
    this.kmsg = new KmsgParser(node, bootId, bootTime, ZoneOffset.UTC, clock, KmsgParser.PLAUSIBLE);
  }

  public String node() {
    return node;
  }

  /** This boot's id, or null when unknown. */
  public String bootId() {
    return bootId;
  }

  /** The kernel log parser (its PCI to UUID map, counters). */
  public KmsgParser kmsgParser() {
    return kmsg;
  }

  /**
   * One successful scrape taken at {@code at}: publishes its samples, learns their PCI addresses.
   *
   * @return the parsed scrape, for the caller's reporting
   */
  public DcgmScrape scraped(Instant at, String text) {
    DcgmScrape scrape = dcgm.parse(text, at, bootId);
    scrapes.incrementAndGet();
    metrics.scrapes.increment();
    lastScrapeOk = true;
    lastScrapeError = null;
    for (GpuSample s : scrape.samples()) {
      kmsg.learn(s.getPciBusId(), s.getUuid());
      out.gpuSample(s);
    }
    samples.addAndGet(scrape.samples().size());
    metrics.samples.increment(scrape.samples().size());
    malformed.addAndGet(scrape.malformedLines());
    metrics.dcgmMalformed.increment(scrape.malformedLines());
    lastGpus = scrape.samples().size();
    return scrape;
  }

  /** A scrape that got no metrics page: counted by reason, nothing published. */
  public void scrapeFailed(DcgmScraper.ScrapeException.Reason reason, String message) {
    scrapeErrors.incrementAndGet();
    metrics.scrapeErrors.get(reason).increment();
    lastScrapeOk = false;
    lastScrapeError = message;
  }

  /** One kernel log line: an XidEvent when it is an {@code NVRM: Xid} line. */
  public void kernelLine(String line) {
    metrics.kmsgLines.increment();
    kmsg.parseLine(line)
        .ifPresent(
            e -> {
              xids.incrementAndGet();
              metrics.xids.increment();
              log.info(
                  "exporter node {}: XID {} on {} (GPU {}, event {}): {}",
                  e.getNode(),
                  e.getXid(),
                  e.getPciBusId(),
                  e.getGpuUuid(),
                  e.getEventId(),
                  e.getMessage());
              out.xid(e);
            });
    synchronized (this) {
      long u = kmsg.unparseableXidLines();
      if (u > unparseableSeen) {
        metrics.kmsgMalformed.increment(u - unparseableSeen);
        unparseableSeen = u;
      }
    }
  }

  /**
   * Publishes a heartbeat stamped {@code at}.
   *
   * @param transport the sender's own counts appended to the message (buffer, send failures), or
   *     empty
   */
  public void heartbeat(Instant at, String transport) {
    NodeEvent e =
        new NodeEvent(
            node + "/exporter_heartbeat/" + at.toEpochMilli(),
            node,
            NodeEventKind.EXPORTER_HEARTBEAT,
            at,
            ExporterService.SOURCE,
            null,
            null,
            heartbeatReason(),
            heartbeatMessage(transport),
            bootId,
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
    heartbeats.incrementAndGet();
    metrics.heartbeats.increment();
    out.nodeEvent(e);
  }

  private String heartbeatReason() {
    if (scrapes.get() == 0 && scrapeErrors.get() == 0) {
      return "NotScrapedYet";
    } else if (!lastScrapeOk) {
      return "ScrapeFailing";
    }
    return lastGpus == 0 ? "NoGpus" : "ScrapeOk";
  }

  private String heartbeatMessage(String transport) {
    String error = lastScrapeError;
    return "scrapes="
        + scrapes.get()
        + " scrapeErrors="
        + scrapeErrors.get()
        + " gpus="
        + lastGpus
        + " samples="
        + samples.get()
        + " malformedLines="
        + malformed.get()
        + " kmsgLines="
        + kmsg.linesRead()
        + " xids="
        + xids.get()
        + " xidTimesRefused="
        + kmsg.refusedTimes()
        + (transport.isEmpty() ? "" : " " + transport)
        + (error == null ? "" : " lastError=\"" + error + "\"");
  }

  public long scrapes() {
    return scrapes.get();
  }

  public long scrapeErrors() {
    return scrapeErrors.get();
  }

  /** GPUs in the last successful scrape; -1 before the first. */
  public int lastGpus() {
    return lastGpus;
  }

  public long samples() {
    return samples.get();
  }

  public long malformedLines() {
    return malformed.get();
  }

  public long xids() {
    return xids.get();
  }

  public long heartbeats() {
    return heartbeats.get();
  }

  /** The last scrape failure, or null after a successful scrape. */
  public String lastScrapeError() {
    return lastScrapeError;
  }
}
