package io.gpuward.exporter;

import io.gpuward.avro.GpuSample;
import io.gpuward.avro.NodeEvent;
import io.gpuward.avro.XidEvent;
import io.gpuward.config.Durations;
import io.gpuward.contract.TelemetrySink;
import io.gpuward.exporter.dcgm.DcgmScrape;
import io.gpuward.exporter.kmsg.KmsgParser;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node exporter: every {@code interval} it scrapes dcgm-exporter and publishes one {@link
 * GpuSample} per GPU; it follows the kernel log and publishes one {@link XidEvent} per NVRM Xid
 * line; every {@code heartbeat} it publishes an {@code EXPORTER_HEARTBEAT} {@link NodeEvent} with
 * its scrape statistics, so the engine can tell a silent exporter from an idle node. Everything
 * goes through a {@link BufferedSink}, so a broker that is down never blocks the node.
 *
 * <p>Scrape failures (refused connections, timeouts, HTTP errors) are counted by reason and logged
 * at most once per minute; they are never fatal. The PCI address to UUID map of each scrape is
 * taught to the kernel log parser, so XIDs carry the GPU UUID.
 *
 * <p>Other signal sources (the Kubernetes node and event watcher) plug in as {@link SignalSource}s
 * and publish through the same buffer ({@link #sink()}).
 */
public final class ExporterService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExporterService.class);
  private static final Duration LOG_EVERY = Duration.ofMinutes(1);

  /** {@link NodeEvent#getSource()} of the exporter's heartbeats. */
  public static final String SOURCE = "exporter";

  /**
   * What the exporter does.
   *
   * @param identity node name, boot id, boot time
   * @param dcgmUrl dcgm-exporter's {@code /metrics}
   * @param interval time between scrapes
   * @param scrapeTimeout connect and answer timeout of one scrape
   * @param kmsg kernel log to follow ({@code /dev/kmsg}, or a file), or null for none
   * @param heartbeat time between heartbeats
   * @param bufferCapacity records the buffer holds before it drops the oldest samples
   * @param maxInFlight unacknowledged producer records at which the buffer stops handing on (0: no
   *     limit)
   */
  public record Settings(
      NodeIdentity identity,
      URI dcgmUrl,
      Duration interval,
      Duration scrapeTimeout,
      Path kmsg,
      Duration heartbeat,
      int bufferCapacity,
      long maxInFlight) {

    /** Default dcgm URL, intervals and buffer. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    public static final Duration DEFAULT_SCRAPE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
    public static final int DEFAULT_BUFFER = 10_000;
    public static final long DEFAULT_MAX_IN_FLIGHT = 2_000;

    public Settings {
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(dcgmUrl, "dcgmUrl");
      positive("interval", interval);
      positive("scrape timeout", scrapeTimeout);
      positive("heartbeat", heartbeat);
      if (bufferCapacity < 1) {
        throw new IllegalArgumentException("buffer must be >= 1 record, was " + bufferCapacity);
      }
    }

    /** The defaults for {@code identity}: local dcgm-exporter, /dev/kmsg. */
    public static Settings defaults(NodeIdentity identity) {
      return new Settings(
          identity,
          URI.create(DcgmScraper.DEFAULT_URL),
          DEFAULT_INTERVAL,
          DEFAULT_SCRAPE_TIMEOUT,
          Path.of("/dev/kmsg"),
          DEFAULT_HEARTBEAT,
          DEFAULT_BUFFER,
          DEFAULT_MAX_IN_FLIGHT);
    }

    private static void positive(String what, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be > 0, was " + d);
      }
    }
  }

  /**
   * Counts so far.
   *
   * @param scrapes successful scrapes
   * @param scrapeErrors failed scrapes
   * @param lastGpus GPUs in the last successful scrape (-1 before the first)
   * @param samples GpuSamples published
   * @param malformedLines malformed dcgm lines skipped
   * @param kmsgLines kernel log lines read
   * @param xids XidEvents published
   * @param unparseableXidLines NVRM Xid lines with no XID code
   * @param heartbeats heartbeats published
   * @param buffer the buffer's counts
   * @param lastScrapeError the last scrape failure, or null
   */
  public record Stats(
      long scrapes,
      long scrapeErrors,
      int lastGpus,
      long samples,
      long malformedLines,
      long kmsgLines,
      long xids,
      long unparseableXidLines,
      long heartbeats,
      BufferedSink.Stats buffer,
      String lastScrapeError) {}

  private final Settings settings;
  private final Clock clock;
  private final ExporterMetrics metrics;
  private final BufferedSink buffer;
  private final DcgmScraper scraper;
  private final NodePipeline pipeline;
  private final KmsgFollower follower;
  private final ScheduledExecutorService timer;
  private final List<SignalSource> sources;
  private final AtomicBoolean followerStarted = new AtomicBoolean();

  private Instant lastScrapeLog = Instant.EPOCH;
  private long failuresSinceLog;
  private long consecutiveFailures;
  private Instant lastProblemLog = Instant.EPOCH;
  private volatile boolean closed;

  private ExporterService(
      Settings settings,
      TelemetrySink downstream,
      Backpressure backpressure,
      MeterRegistry meters,
      Clock clock,
      List<SignalSource> sources) {
    this.settings = settings;
    this.clock = clock;
    this.metrics = new ExporterMetrics(meters);
    String node = settings.identity().node();
    this.buffer =
        new BufferedSink(
            downstream,
            settings.bufferCapacity(),
            backpressure,
            settings.maxInFlight(),
            metrics,
            clock,
            node);
    this.scraper = new DcgmScraper(settings.dcgmUrl(), settings.scrapeTimeout());
    this.pipeline =
        new NodePipeline(
            node,
            settings.identity().bootId(),
            settings.identity().bootTime(),
            clock,
            buffer,
            metrics);
    this.follower =
        settings.kmsg() == null
            ? null
            : new KmsgFollower(
                settings.kmsg(),
                pipeline::kernelLine,
                Duration.ofMillis(200),
                Duration.ofSeconds(5),
                clock);
    this.timer =
        Executors.newScheduledThreadPool(
            2, // a hanging scrape must not delay the heartbeat
            r -> {
              Thread t = new Thread(r, "gpuward-exporter-" + node);
              t.setDaemon(true);
              return t;
            });
    this.sources = List.copyOf(sources);
  }

  /**
   * Starts scraping, following the kernel log, heartbeating, and the signal sources.
   *
   * @param downstream where records go (the Kafka publisher), behind the buffer
   * @param backpressure what the downstream reports (see {@link ProducerFlow}), or {@link
   *     Backpressure#NONE}
   * @param sources further publishers on this node (the Kubernetes watcher), started last
   */
  public static ExporterService start(
      Settings settings,
      TelemetrySink downstream,
      Backpressure backpressure,
      MeterRegistry meters,
      Clock clock,
      List<SignalSource> sources) {
    ExporterService s =
        new ExporterService(settings, downstream, backpressure, meters, clock, sources);
    s.begin();
    return s;
  }

  private void begin() {
    NodeIdentity id = settings.identity();
    log.info(
        "exporter on node {} (boot id {}{}): scraping {} every {}, kernel log {}, heartbeat every"
            + " {}, buffer {} records",
        id.node(),
        id.bootId(),
        id.bootIdGenerated() ? ", generated" : "",
        settings.dcgmUrl(),
        Durations.format(settings.interval()),
        settings.kmsg() == null ? "off" : settings.kmsg(),
        Durations.format(settings.heartbeat()),
        settings.bufferCapacity());
    timer.scheduleAtFixedRate(
        this::heartbeatSafely, 0, settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleAtFixedRate(
        this::scrapeSafely, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    for (SignalSource source : sources) {
      source.start(buffer);
    }
  }

  /** The buffered sink everything on this node publishes through; thread-safe. */
  public TelemetrySink sink() {
    return buffer;
  }

  /** The kernel log parser (its PCI to UUID map, counters). */
  public KmsgParser kmsgParser() {
    return pipeline.kmsgParser();
  }

  public Stats stats() {
    KmsgParser kmsg = pipeline.kmsgParser();
    return new Stats(
        pipeline.scrapes(),
        pipeline.scrapeErrors(),
        pipeline.lastGpus(),
        pipeline.samples(),
        pipeline.malformedLines(),
        kmsg.linesRead(),
        pipeline.xids(),
        kmsg.unparseableXidLines(),
        pipeline.heartbeats(),
        buffer.stats(),
        pipeline.lastScrapeError());
  }

  /** Waits until the buffer has handed everything on; false when {@code timeout} passed first. */
  public boolean flush(Duration timeout) throws InterruptedException {
    return buffer.flush(timeout);
  }

  // ------------------------------------------------------------------ scrape

  private void scrapeSafely() {
    try {
      scrapeOnce();
    } catch (RuntimeException e) {
      // a bug: keep the schedule alive, say so
      log.error(
          "exporter node {}: scrape of {} failed", settings.identity().node(), scraper.url(), e);
    } finally {
      // The kernel log starts after the first scrape (or its failure), so the XIDs replayed from
      // the ring buffer at start already carry the GPU UUIDs that scrape taught the parser.
      if (follower != null && followerStarted.compareAndSet(false, true)) {
        follower.start();
      }
    }
  }

  /** One scrape and its samples (the timer's task). */
  void scrapeOnce() {
    Instant t = clock.instant();
    String text;
    try {
      text = scraper.fetch();
    } catch (DcgmScraper.ScrapeException e) {
      if (!closed) { // when closed, close() interrupted it: not a failure of dcgm-exporter
        scrapeFailed(e, t);
      }
      return;
    }
    int before = pipeline.lastGpus();
    DcgmScrape scrape = pipeline.scraped(t, text);
    if (consecutiveFailures > 0) {
      log.info(
          "exporter node {}: dcgm scrape of {} works again after {} failures",
          pipeline.node(),
          scraper.url(),
          consecutiveFailures);
      consecutiveFailures = 0;
      failuresSinceLog = 0;
    }
    reportScrape(scrape, before, t);
  }

  private void scrapeFailed(DcgmScraper.ScrapeException e, Instant t) {
    pipeline.scrapeFailed(e.reason(), e.getMessage());
    failuresSinceLog++;
    consecutiveFailures++;
    if (Duration.between(lastScrapeLog, t).compareTo(LOG_EVERY) >= 0) {
      log.warn(
          "exporter node {}: dcgm scrape failed ({} failures since the last report, {} in all):"
              + " {}",
          pipeline.node(),
          failuresSinceLog,
          pipeline.scrapeErrors(),
          e.getMessage());
      lastScrapeLog = t;
      failuresSinceLog = 0;
    }
  }

  private void reportScrape(DcgmScrape scrape, int before, Instant t) {
    String node = pipeline.node();
    // problems such as a hostname label that is not this node repeat every scrape: say them with
    // the first scrape, then only along with malformed lines or a scrape without GPUs
    boolean noteworthy =
        scrape.samples().isEmpty()
            || scrape.malformedLines() > 0
            || (pipeline.scrapes() == 1 && !scrape.problems().isEmpty());
    if (noteworthy && Duration.between(lastProblemLog, t).compareTo(LOG_EVERY) >= 0) {
      lastProblemLog = t;
      log.warn("exporter node {}: dcgm scrape of {}: {}", node, scraper.url(), scrape.summary());
    }
    int now = pipeline.lastGpus();
    if (before >= 0 && before != now) {
      log.warn("exporter node {}: dcgm-exporter now reports {} GPUs (was {})", node, now, before);
    }
  }

  // ------------------------------------------------------------------ heartbeat

  private void heartbeatSafely() {
    try {
      heartbeat();
    } catch (RuntimeException e) {
      log.error("exporter node {}: heartbeat failed", settings.identity().node(), e);
    }
  }

  void heartbeat() {
    BufferedSink.Stats b = buffer.stats();
    pipeline.heartbeat(
        clock.instant(),
        "buffered="
            + b.buffered()
            + " dropped="
            + b.dropped()
            + " sendFailures="
            + (b.transientFailures() + b.permanentFailures()));
  }

  /** Stops the sources, the scrapes and the kernel log, then drains the buffer (5 s at most). */
  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  /** As {@link #close()}, waiting at most {@code drainTimeout} for the buffer to empty. */
  public void close(Duration drainTimeout) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<RuntimeException> failures = new ArrayList<>();
    for (SignalSource source : sources) {
      try {
        source.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (follower != null) {
      follower.close();
    }
    buffer.close(drainTimeout);
    for (RuntimeException e : failures) {
      log.warn(
          "exporter node {}: a signal source failed to close: {}",
          settings.identity().node(),
          e.toString());
    }
    Stats s = stats();
    log.info(
        "exporter node {} stopped: {} scrapes ({} failed), {} samples, {} XIDs, {} heartbeats, {}"
            + " records dropped",
        settings.identity().node(),
        s.scrapes(),
        s.scrapeErrors(),
        s.samples(),
        s.xids(),
        s.heartbeats(),
        s.buffer().dropped());
  }
}
