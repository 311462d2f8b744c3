package io.gpuward.exporter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Meters of the node exporter (Micrometer), names as constants under {@code gpuward.exporter.};
 * tags are bounded enums.
 */
public final class ExporterMetrics {

  /** Successful dcgm-exporter scrapes. */
  public static final String SCRAPES = "gpuward.exporter.scrapes";

  /** Failed scrapes; tag {@code reason}: connect, timeout, http_status, io. */
  public static final String SCRAPE_ERRORS = "gpuward.exporter.scrape.errors";

  /** Malformed lines skipped; tag {@code source}: dcgm, or kmsg (NVRM Xid lines with no XID). */
  public static final String MALFORMED_LINES = "gpuward.exporter.malformed.lines";

  /** GpuSamples parsed and handed to the buffer. */
  public static final String SAMPLES = "gpuward.exporter.samples";

  /** XidEvents parsed and handed to the buffer. */
  public static final String XIDS = "gpuward.exporter.xids";

  /** Kernel log lines read. */
  public static final String KMSG_LINES = "gpuward.exporter.kmsg.lines";

  /** Heartbeats emitted. */
  public static final String HEARTBEATS = "gpuward.exporter.heartbeats";

  /** Records dropped by the full buffer; tag {@code kind}: gpu, xid, other. */
  public static final String BUFFER_DROPS = "gpuward.exporter.buffer.drops";

  /** Records the downstream refused for good (not retried); tag {@code kind}. */
  public static final String SEND_ERRORS = "gpuward.exporter.send.errors";

  /** Records waiting in the buffer (gauge). */
  public static final String BUFFERED = "gpuward.exporter.buffer.size";

  /** Help text ({@code # HELP}) of these meters, by name. */
  public static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(SCRAPES, "Successful dcgm-exporter scrapes."),
          Map.entry(SCRAPE_ERRORS, "Failed dcgm-exporter scrapes, by reason."),
          Map.entry(MALFORMED_LINES, "Malformed input lines skipped, by source."),
          Map.entry(SAMPLES, "GPU samples parsed and buffered."),
          Map.entry(XIDS, "XID events parsed and buffered."),
          Map.entry(KMSG_LINES, "Kernel log lines read."),
          Map.entry(HEARTBEATS, "Exporter heartbeats emitted."),
          Map.entry(BUFFER_DROPS, "Records dropped by the full send buffer, by kind."),
          Map.entry(SEND_ERRORS, "Records the broker refused for good, by kind."),
          Map.entry(BUFFERED, "Records waiting in the send buffer."));

  /** What a buffered record is, as a bounded tag value. */
  public enum Kind {
    GPU,
    XID,
    OTHER;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  final Counter scrapes;
  final Map<DcgmScraper.ScrapeException.Reason, Counter> scrapeErrors =
      new EnumMap<>(DcgmScraper.ScrapeException.Reason.class);
  final Counter dcgmMalformed;
  final Counter kmsgMalformed;
  final Counter samples;
  final Counter xids;
  final Counter kmsgLines;
  final Counter heartbeats;
  final Map<Kind, Counter> drops = new EnumMap<>(Kind.class);
  final Map<Kind, Counter> sendErrors = new EnumMap<>(Kind.class);

  public ExporterMetrics(MeterRegistry registry) {
    this.registry = registry;
    scrapes = registry.counter(SCRAPES);
    for (var r : DcgmScraper.ScrapeException.Reason.values()) {
      scrapeErrors.put(r, registry.counter(SCRAPE_ERRORS, "reason", r.tag()));
    }
    dcgmMalformed = registry.counter(MALFORMED_LINES, "source", "dcgm");
    kmsgMalformed = registry.counter(MALFORMED_LINES, "source", "kmsg");
    samples = registry.counter(SAMPLES);
    xids = registry.counter(XIDS);
    kmsgLines = registry.counter(KMSG_LINES);
    heartbeats = registry.counter(HEARTBEATS);
    for (Kind k : Kind.values()) {
      drops.put(k, registry.counter(BUFFER_DROPS, "kind", k.tag()));
      sendErrors.put(k, registry.counter(SEND_ERRORS, "kind", k.tag()));
    }
  }

  /** Registers the buffer-size gauge. */
  void bufferSize(Supplier<Number> size) {
    // strong reference: the supplier is a lambda nobody else holds
    Gauge.builder(BUFFERED, size, s -> s.get().doubleValue())
        .strongReference(true)
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }
}
