package io.gpuward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gpuward.avro.GpuSample;
import io.gpuward.avro.XidEvent;
import io.gpuward.contract.AvroJson;
import io.gpuward.exporter.DcgmScraper;
import io.gpuward.exporter.NodeIdentity;
import io.gpuward.exporter.dcgm.DcgmParser;
import io.gpuward.exporter.dcgm.DcgmScrape;
import io.gpuward.exporter.kmsg.KmsgParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gpuward inspect}: parses what a node exporter reads and prints what it would publish, one
 * JSON object per record (Avro field names, times as epoch milliseconds), so a user can check a
 * node's dcgm-exporter output or kernel log before trusting the exporter with it.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description =
        "Parse dcgm-exporter output or a kernel log and print what the exporter would "
            + "publish, one JSON object per line; a one-line summary of parse problems goes to "
            + "stderr.",
    subcommands = {InspectCommand.Dcgm.class, InspectCommand.Kmsg.class})
final class InspectCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Longest line read; longer ones are skipped and counted. A /dev/kmsg record is at most about 8
   * KiB and a dcgm-exporter series a few hundred bytes.
   */
  static final int MAX_LINE = 64 * 1024;

  /**
   * Most text {@code inspect dcgm} reads from a file or stdin: some 50 times a scrape of 8 GPUs.
   */
  static final int MAX_SCRAPE = 4 * 1024 * 1024;

  /** The parser's summary with the skipped over-long lines, if any. */
  static String withSkipped(String summary, BoundedLines lines) {
    String skipped = lines.skippedSummary();
    return skipped.isEmpty() ? summary : summary + ", " + skipped;
  }

  /** Expected failures: one line on stderr, exit 1. */
  static final class InspectException extends Exception {
    private static final long serialVersionUID = 1L;

    InspectException(String message) {
      super(message);
    }
  }

  static int fail(CommandSpec spec, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("gpuward inspect " + spec.name() + ": error: " + message);
    err.flush();
    return 1;
  }

  /** A usage error in the house style: the message and a hint, exit 2. */
  static int usage(CommandSpec spec, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("gpuward inspect " + spec.name() + ": " + message);
    err.println("Try 'gpuward inspect " + spec.name() + " --help' for the options.");
    err.flush();
    return 2;
  }

  static InputStream open(String source) throws InspectException {
    if (source.equals("-")) {
      return System.in;
    }
    Path p = Path.of(source);
    try {
      if (Files.isDirectory(p)) {
        throw new InspectException(source + " is a folder, not a file");
      }
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new InspectException("no such file: " + source);
    } catch (IOException e) {
      throw new InspectException("cannot read " + source + ": " + e.getMessage());
    }
  }

  static String nodeOrDefault(String node) {
    return NodeIdentity.detect(node).node();
  }

  // ------------------------------------------------------------------ dcgm

  @Command(
      name = "dcgm",
      mixinStandardHelpOptions = true,
      description =
          "Parse dcgm-exporter /metrics text (a file, an http(s) URL, or - for stdin) and "
              + "print one GpuSample per GPU as JSON, plus \"gpu\" (the index). Exit 1 when the "
              + "source cannot be read or holds no GPU.")
  static final class Dcgm implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "FILE|URL",
        description = "dcgm-exporter output: a file, http://host:9400/metrics, or - for stdin.")
    String source;

    @Option(
        names = "--node",
        paramLabel = "NAME",
        description =
            "Node for GPUs whose series carry no Hostname/hostname label (default: $NODE_NAME,"
                + " else this host's name).")
    String node;

    @Option(
        names = "--boot-id",
        paramLabel = "ID",
        description = "Boot id to put in the samples (default: none).")
    String bootId;

    private String skipped = "";

    @Override
    public Integer call() {
      String text;
      try {
        text = read();
      } catch (InspectException e) {
        return fail(spec, e.getMessage());
      }
      DcgmScrape scrape = new DcgmParser(nodeOrDefault(node)).parse(text, Instant.now(), bootId);
      if (scrape.samples().isEmpty()) {
        return fail(spec, "no GPU found in " + source + " (" + scrape.summary() + ")");
      }
      PrintWriter out = spec.commandLine().getOut();
      for (GpuSample s : scrape.samples()) {
        out.println(json(s));
      }
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println(skipped.isEmpty() ? scrape.summary() : scrape.summary() + ", " + skipped);
      err.flush();
      return 0;
    }

    private String read() throws InspectException {
      if (DcgmScraper.isUrl(source)) {
        try {
          return new DcgmScraper(URI.create(source), FETCH_TIMEOUT).fetch();
        } catch (DcgmScraper.ScrapeException e) {
          throw new InspectException(e.getMessage());
        } catch (IllegalArgumentException e) {
          throw new InspectException("'" + source + "' is not a URL: " + e.getMessage());
        }
      }
      try (InputStream in = open(source);
          Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        return readBounded(r);
      } catch (IOException e) {
        throw new InspectException("cannot read " + source + ": " + e.getMessage());
      }
    }

    /**
     * The text, up to {@link #MAX_SCRAPE} characters: a scrape is parsed whole (a GPU's series are
     * spread over the metric families), so its size is what bounds memory.
     */
    private String readBounded(Reader r) throws IOException, InspectException {
      BoundedLines lines = new BoundedLines(r, MAX_LINE);
      StringBuilder text = new StringBuilder();
      String line;
      while ((line = lines.next()) != null) {
        if (text.length() + line.length() + 1 > MAX_SCRAPE) {
          throw new InspectException(
              source
                  + " holds more than "
                  + MAX_SCRAPE / (1024 * 1024)
                  + " MiB of text: not one dcgm-exporter scrape (8 GPUs with pods are about"
                  + " 85 KiB)");
        }
        text.append(line).append('\n');
      }
      skipped = lines.skippedSummary();
      return text.toString();
    }

    /** The sample's JSON with {@code gpu} (the index) right after {@code gpuIndex}. */
    static String json(GpuSample s) {
      ObjectNode avro = AvroJson.toJson(s);
      ObjectNode out = JSON.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = avro.fields(); it.hasNext(); ) {
        var f = it.next();
        out.set(f.getKey(), f.getValue());
        if (f.getKey().equals("gpuIndex")) {
          out.put("gpu", s.getGpuIndex());
        }
      }
      return out.toString();
    }
  }

  // ------------------------------------------------------------------ kmsg

  @Command(
      name = "kmsg",
      mixinStandardHelpOptions = true,
      description =
          "Parse a kernel log (/dev/kmsg records, dmesg, dmesg -T, syslog or journald "
              + "lines; - for stdin) and print one XidEvent per NVRM Xid line as JSON. Kernel "
              + "monotonic stamps need --boot-time; lines without a usable time get the current "
              + "time.")
  static final class Kmsg implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The log, or - for stdin.")
    String source;

    @Option(
        names = "--node",
        paramLabel = "NAME",
        description = "Node the log is from (default: $NODE_NAME, else this host's name).")
    String node;

    @Option(
        names = "--boot-id",
        paramLabel = "ID",
        description = "Boot id of the log's boot, for event ids (default: none).")
    String bootId;

    @Option(
        names = "--boot-time",
        paramLabel = "ISO",
        description =
            "When the node booted, e.g. 2025-11-24T09:00:00Z, to turn [seconds] and kmsg stamps"
                + " into wall time (default: unknown).")
    String bootTime;

    @Option(
        names = "--zone",
        paramLabel = "ZONE",
        defaultValue = "UTC",
        description = "Zone of wall times written without one (syslog, dmesg -T) (default: UTC).")
    String zone;

    @Override
    public Integer call() {
      Instant booted = null;
      if (bootTime != null) {
        booted = parseInstant(bootTime);
        if (booted == null) {
          return usage(
              spec,
              "--boot-time: '" + bootTime + "' is not an ISO time (e.g. 2025-11-24T09:00:00Z)");
        }
      }
      ZoneId z;
      try {
        z = ZoneId.of(zone);
      } catch (DateTimeException e) {
        return usage(spec, "--zone: '" + zone + "' is not a time zone (e.g. UTC, Europe/Berlin)");
      }
      KmsgParser parser = new KmsgParser(nodeOrDefault(node), bootId, booted, z, Clock.systemUTC());
      try {
        return report(parser, read(parser));
      } catch (InspectException e) {
        return fail(spec, e.getMessage());
      } catch (IOException | UncheckedIOException e) {
        return fail(spec, "cannot read " + source + ": " + e.getMessage());
      }
    }

    /** Streams the log through {@code parser}, printing each XID; the line counts. */
    private LineCounts read(KmsgParser parser) throws IOException, InspectException {
      PrintWriter out = spec.commandLine().getOut();
      long text = 0;
      try (InputStream in = open(source);
          Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        BoundedLines lines = new BoundedLines(r, MAX_LINE);
        String line;
        while ((line = lines.next()) != null) {
          text += isText(line) ? 1 : 0;
          parser.parseLine(line).ifPresent(e -> out.println(AvroJson.toJson(e).toString()));
        }
        out.flush();
        return new LineCounts(lines, text);
      }
    }

    /** Lines read (with those skipped for length) and how many of them were text. */
    private record LineCounts(BoundedLines lines, long text) {}

    private int report(KmsgParser parser, LineCounts counts) {
      BoundedLines lines = counts.lines();
      String summary = withSkipped(parser.summary(), lines);
      long notText = lines.lines() - counts.text();
      // Random bytes still hold the odd short printable run: garbage is mostly not text.
      if (parser.xidCount() == 0 && lines.lines() > 0 && notText * 2 >= lines.lines()) {
        return fail(
            spec,
            "no kernel log in "
                + source
                + " ("
                + summary
                + "; "
                + notText
                + " of "
                + lines.lines()
                + " lines are not text)");
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println(summary);
      err.flush();
      return 0;
    }

    /**
     * Whether a line is text a kernel log could hold: not blank, no control characters other than
     * tab, nothing that failed to decode as UTF-8.
     */
    static boolean isText(String line) {
      if (line.isBlank()) {
        return false;
      }
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '\uFFFD' || (c < 0x20 && c != '\t') || c == 0x7f) {
          return false;
        }
      }
      return true;
    }

    /** An ISO instant or offset date-time; null when it is neither. */
    static Instant parseInstant(String text) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeException e) {
        try {
          return Instant.parse(text);
        } catch (DateTimeException e2) {
          return null;
        }
      }
    }

    static String json(XidEvent e) {
      return AvroJson.toJson(e).toString();
    }
  }
}
