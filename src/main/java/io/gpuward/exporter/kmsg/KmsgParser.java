package io.gpuward.exporter.kmsg;

import io.gpuward.avro.XidEvent;
import io.gpuward.contract.EventTimeBounds;
import io.gpuward.exporter.PciBusIds;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses kernel log text into {@link XidEvent}s, one per {@code NVRM: Xid} line.
 *
 * <p><b>Framings</b>, told apart line by line, so one text may mix them:
 *
 * <ul>
 *   <li>/dev/kmsg records {@code priority,sequence,timestamp_us,flags[,...];message}: the sequence
 *       becomes {@code kmsgSequence} and the event id; the timestamp is microseconds since boot, so
 *       the event time is {@code bootTime} plus it. Continuation lines (starting with a space:
 *       {@code SUBSYSTEM=}, {@code DEVICE=}) carry no NVRM text and are skipped; {@code \xNN}
 *       escapes in the message are decoded.
 *   <li>dmesg {@code [seconds.micros] message} (monotonic, as kmsg), {@code dmesg -T} {@code [Mon
 *       Nov 24 10:00:00 2025] message} (wall time), {@code dmesg -x} facility prefixes, {@code <4>}
 *       priority prefixes.
 *   <li>syslog and journald: {@code Nov 24 10:00:00 host kernel: [123.456] NVRM: ...} (RFC 3164;
 *       the year is the one that puts the time at most a day ahead of the clock), ISO timestamps
 *       ({@code 2025-11-24T10:00:00.123456+00:00 host kernel: ...}, {@code dmesg
 *       --time-format=iso}, RFC 5424 {@code <3>1 2025-...Z host kernel - - - ...}), epoch seconds
 *       ({@code journalctl -o short-unix}). The wall time of the prefix wins over a bracketed
 *       monotonic stamp after it.
 * </ul>
 *
 * Times without a zone are in the parser's zone (UTC unless given). A line with no usable time (no
 * prefix, or monotonic with no boot time) gets the clock's time.
 *
 * <p><b>XID lines.</b> {@code NVRM: Xid (PCI:<domain:bus:device[.function]>): <xid>, [pid=<pid>,
 * ][name=<process>, ]<free text>}: the PCI address is normalised to DCGM form ({@code 0000:17:00}
 * becomes {@code 00000000:17:00.0}); pid and name are optional, may be quoted, and are null when
 * {@code <unknown>}; a name runs to the next {@code ", "}, so it may hold colons, brackets and
 * spaces; other layouts after the code (NVLink5 XIDs 144-150, recovery action 154) keep all their
 * text as the message. A line that names {@code NVRM: Xid} but yields no XID code is counted as
 * unparseable.
 *
 * <p><b>PCI to UUID.</b> {@code NVRM: GPU at PCI:0000:66:00: GPU-<uuid>} lines teach the parser
 * which GPU sits at which address, and so does {@link #learn} (the exporter seeds it from DCGM
 * samples); later XIDs on that address carry {@code gpuUuid}.
 *
 * <p><b>Event ids</b> are deterministic: {@code <node>/xid/<boot id 8>/<sequence>} for kmsg
 * records, {@code <node>/xid/h<hash of the line>} otherwise, so re-reading a log yields the same
 * ids.
 *
 * <p>Never throws on any line. Thread-safe; counters and the PCI map are shared by all callers.
 */
public final class KmsgParser {

  /** How many problem messages {@link #problems()} keeps. */
  public static final int MAX_PROBLEMS = 10;

  private static final String NVRM = "NVRM:";

  /** Monotonic stamps beyond 100 years of uptime are not times. */
  private static final long MAX_UPTIME_MICROS = 100L * 366 * 24 * 3600 * 1_000_000;

  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private final String node;
  private final String bootId;
  private final Instant bootTime;
  private final EventTimeBounds bounds;

  /**
   * What a kernel log line's time may be when nothing stricter is asked for: the engine's skew
   * ahead of the clock, and any age an old log file can have.
   */
  public static final EventTimeBounds PLAUSIBLE =
      new EventTimeBounds(EventTimeBounds.DEFAULT.maxAhead(), Duration.ofDays(365L * 30));

  private final ZoneId zone;
  private final Clock clock;
  private final Map<String, String> uuids = new ConcurrentHashMap<>();
  private final AtomicLong lines = new AtomicLong();
  private final AtomicLong xids = new AtomicLong();
  private final AtomicLong unparseable = new AtomicLong();
  private final AtomicLong refusedTimes = new AtomicLong();
  private final AtomicLong mappings = new AtomicLong();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

  /**
   * A parser for one node's log, times in UTC, the system clock as the default time.
   *
   * @param node the node the log is from
   * @param bootId the node's boot id (in event ids and events), or null when unknown
   * @param bootTime when the node booted, for kmsg/dmesg monotonic stamps; null when unknown
   */
  public KmsgParser(String node, String bootId, Instant bootTime) {
    this(node, bootId, bootTime, ZoneOffset.UTC, Clock.systemUTC());
  }

  /**
   * @param zone the zone of wall times written without one (syslog, dmesg -T)
   * @param clock gives the time of a line that has none, and the year of syslog stamps
   */
  public KmsgParser(String node, String bootId, Instant bootTime, ZoneId zone, Clock clock) {
    this(node, bootId, bootTime, zone, clock, PLAUSIBLE);
  }

  /**
   * @param bounds the event times believed, against {@code clock}: a line stamped outside them is
   *     counted as unparseable with the reason (a {@code dmesg -T} date in 2099, a syslog zone
   *     hours off), never published with a time that would mislead the engine
   */
  public KmsgParser(
      String node,
      String bootId,
      Instant bootTime,
      ZoneId zone,
      Clock clock,
      EventTimeBounds bounds) {
    this.bounds = Objects.requireNonNull(bounds, "bounds");
    this.node = Objects.requireNonNull(node, "node");
    this.bootId = bootId;
    this.bootTime = bootTime;
    this.zone = Objects.requireNonNull(zone, "zone");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Parses every line of {@code text}; the XIDs in order. */
  public List<XidEvent> parse(String text) {
    List<XidEvent> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    int n = text.length();
    int pos = 0;
    while (pos < n) {
      int eol = text.indexOf('\n', pos);
      if (eol < 0) {
        eol = n;
      }
      parseLine(text.substring(pos, eol)).ifPresent(out::add);
      pos = eol + 1;
    }
    return out;
  }

  /**
   * Parses one line (a trailing {@code \r} or {@code \n} is ignored).
   *
   * @return the XID, or empty for any other line (including {@code NVRM: GPU at} lines, which are
   *     learnt)
   */
  public Optional<XidEvent> parseLine(String line) {
    long lineNo = lines.incrementAndGet();
    if (line == null) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(parse(line, lineNo));
    } catch (RuntimeException e) {
      // A bug, not bad input: every path above is bounds-checked. Count it as unparseable.
      unparseable.incrementAndGet();
      problem(lineNo, "cannot parse (" + e + ")", line);
      return Optional.empty();
    }
  }

  /**
   * Teaches the parser that the GPU at {@code pciBusId} (any form {@link PciBusIds} takes) is
   * {@code uuid}; ignored when either is missing or the address is not one.
   */
  public void learn(String pciBusId, String uuid) {
    if (pciBusId == null || uuid == null || uuid.isBlank()) {
      return;
    }
    PciBusIds.normalise(pciBusId)
        .ifPresent(
            pci -> {
              if (!uuid.equals(uuids.put(pci, uuid))) {
                mappings.incrementAndGet();
              }
            });
  }

  /** The UUID of the GPU at {@code pciBusId}, when known. */
  public Optional<String> uuidOf(String pciBusId) {
    return PciBusIds.normalise(pciBusId).map(uuids::get);
  }

  /** The PCI address to GPU UUID map as known now, sorted by address. */
  public Map<String, String> gpuUuids() {
    return Collections.unmodifiableMap(new TreeMap<>(uuids));
  }

  /**
   * XID lines refused because their time is outside the bounds of the parser's clock: a clock, a
   * zone or a log that cannot be believed (also counted in {@link #unparseableXidLines}).
   */
  public long refusedTimes() {
    return refusedTimes.get();
  }

  /** Lines given to the parser so far. */
  public long linesRead() {
    return lines.get();
  }

  /** XID events parsed so far. */
  public long xidCount() {
    return xids.get();
  }

  /** Lines naming {@code NVRM: Xid} that yielded no XID. */
  public long unparseableXidLines() {
    return unparseable.get();
  }

  /** The first {@link #MAX_PROBLEMS} problems, each with its line number. */
  public List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }

  /**
   * One line for people, e.g. {@code read 1200 lines: 3 XIDs, 1 unparseable NVRM Xid line (line 17:
   * no XID code after the PCI address)}.
   */
  public String summary() {
    StringBuilder b = new StringBuilder();
    long x = xids.get();
    long u = unparseable.get();
    b.append("read ")
        .append(lines.get())
        .append(lines.get() == 1 ? " line: " : " lines: ")
        .append(x)
        .append(x == 1 ? " XID" : " XIDs");
    if (u > 0) {
      b.append(", ")
          .append(u)
          .append(u == 1 ? " unparseable NVRM Xid line" : " unparseable NVRM Xid lines");
    }
    if (!uuids.isEmpty()) {
      b.append(", ").append(uuids.size()).append(" PCI to UUID mappings");
    }
    List<String> p = problems();
    if (!p.isEmpty()) {
      b.append(" (").append(p.get(0));
      if (p.size() > 1) {
        b.append("; ").append(p.size() - 1).append(" more");
      }
      b.append(')');
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ one line

  /** Time and sequence found in a line's prefix. */
  private static final class Frame {
    long sequence = -1;
    long monotonicMicros = -1;
    Instant wall;
    boolean kmsg;
  }

  private XidEvent parse(String raw, long lineNo) {
    String line = stripEol(raw);
    int nv = line.indexOf(NVRM);
    if (nv < 0) {
      return null;
    }
    int i = skipSpaces(line, nv + NVRM.length(), line.length());
    if (line.startsWith("GPU at ", i)) {
      gpuAt(line, i + "GPU at ".length());
      return null;
    }
    if (!line.regionMatches(true, i, "Xid", 0, 3)) {
      return null;
    }
    Frame frame = frame(line, nv);
    String msg = line.substring(i + 3);
    if (frame.kmsg && msg.indexOf('\\') >= 0) {
      msg = unescapeKmsg(msg);
    }
    return xid(line, msg, frame, lineNo);
  }

  private XidEvent xid(String line, String s, Frame frame, long lineNo) {
    int n = s.length();
    int i = skipSpaces(s, 0, n);
    String pci = null;
    if (i < n && s.charAt(i) == '(') {
      int close = s.indexOf(')', i + 1);
      if (close < 0) {
        return unparseable(lineNo, "no ')' after the PCI address", line);
      }
      pci = PciBusIds.normalise(s, i + 1, close);
      i = close + 1;
    }
    i = skipSpaces(s, i, n);
    if (i < n && s.charAt(i) == ':') {
      i = skipSpaces(s, i + 1, n);
    }
    int ds = i;
    long code = 0;
    while (i < n && isDigit(s.charAt(i)) && i - ds < 10) {
      code = code * 10 + (s.charAt(i) - '0');
      i++;
    }
    if (i == ds) {
      return unparseable(lineNo, "no XID code after the PCI address", line);
    }
    if (code <= 0 || code > Integer.MAX_VALUE || (i < n && isDigit(s.charAt(i)))) {
      return unparseable(lineNo, "XID code " + s.substring(ds, Math.min(n, ds + 12)), line);
    }
    // optional ',' then pid= / name= fields in any order, then the free text
    i = skipSpaces(s, i, n);
    if (i < n && s.charAt(i) == ',') {
      i = skipSpaces(s, i + 1, n);
    }
    Long pid = null;
    String name = null;
    boolean pidSeen = false;
    boolean nameSeen = false;
    while (i < n) {
      if (!pidSeen && s.startsWith("pid=", i)) {
        int vs = i + 4;
        int ve = valueEnd(s, vs, true);
        pid = pid(unquote(s, vs, ve));
        pidSeen = true;
        i = next(s, ve);
      } else if (!nameSeen && s.startsWith("name=", i)) {
        int vs = i + 5;
        int ve = valueEnd(s, vs, false);
        String v = unquote(s, vs, ve).strip();
        name = v.isEmpty() || v.equals("<unknown>") ? null : v;
        nameSeen = true;
        i = next(s, ve);
      } else {
        break;
      }
    }
    String message = s.substring(Math.min(i, n)).strip();
    String uuid = pci == null ? null : uuids.get(pci);
    Instant time = eventTime(frame);
    Optional<String> implausible = bounds.check(time.toEpochMilli(), clock.millis());
    if (implausible.isPresent()) {
      refusedTimes.incrementAndGet();
      return unparseable(lineNo, implausible.get(), line);
    }
    String eventId =
        frame.sequence >= 0
            ? node + "/xid/" + boot8() + "/" + frame.sequence
            : node + "/xid/h" + hash(line);
    xids.incrementAndGet();
    return new XidEvent(
        eventId,
        node,
        time,
        (int) code,
        pci,
        uuid,
        pid,
        name,
        message,
        bootId,
        frame.sequence >= 0 ? frame.sequence : null);
  }

  private XidEvent unparseable(long lineNo, String why, String line) {
    unparseable.incrementAndGet();
    problem(lineNo, why, line);
    return null;
  }

  private void problem(long lineNo, String why, String line) {
    synchronized (problems) {
      if (problems.size() < MAX_PROBLEMS) {
        String clip = line.length() > 80 ? line.substring(0, 80) + "…" : line;
        problems.add("line " + lineNo + ": " + why + ": " + clip.strip());
      }
    }
  }

  /**
   * End of a pid/name value starting at {@code vs}: after the matching quote when quoted; else the
   * next {@code ", "} (a name may hold spaces, colons, brackets), or for a pid the next comma or
   * blank; else the end.
   */
  private static int valueEnd(String s, int vs, boolean isPid) {
    int n = s.length();
    if (vs < n && (s.charAt(vs) == '\'' || s.charAt(vs) == '"')) {
      int close = s.indexOf(s.charAt(vs), vs + 1);
      if (close > 0) {
        return close + 1;
      }
    }
    if (isPid) {
      int i = vs;
      while (i < n && s.charAt(i) != ',' && s.charAt(i) != ' ') {
        i++;
      }
      return i;
    }
    int comma = s.indexOf(", ", vs);
    return comma < 0 ? n : comma;
  }

  /** Index after the separator following a value ending at {@code ve}. */
  private static int next(String s, int ve) {
    int n = s.length();
    int i = skipSpaces(s, ve, n);
    if (i < n && s.charAt(i) == ',') {
      i++;
    }
    return skipSpaces(s, i, n);
  }

  private static String unquote(String s, int vs, int ve) {
    ve = Math.min(ve, s.length());
    if (ve - vs >= 2) {
      char q = s.charAt(vs);
      if ((q == '\'' || q == '"') && s.charAt(ve - 1) == q) {
        return s.substring(vs + 1, ve - 1);
      }
    }
    return s.substring(vs, ve);
  }

  private static Long pid(String v) {
    v = v.strip();
    if (v.isEmpty() || v.length() > 18) {
      return null;
    }
    long p = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!isDigit(c)) {
        return null;
      }
      p = p * 10 + (c - '0');
    }
    return p;
  }

  /** {@code NVRM: GPU at PCI:0000:66:00: GPU-<uuid>}, from just after "GPU at ". */
  private void gpuAt(String line, int from) {
    int g = line.indexOf("GPU-", from);
    if (g < 0) {
      return;
    }
    int end = g;
    while (end > from && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == ':')) {
      end--;
    }
    String pci = PciBusIds.normalise(line, from, end);
    int u = g + 4;
    while (u < line.length() && isUuidChar(line.charAt(u))) {
      u++;
    }
    if (pci != null && u - g >= 12) {
      String uuid = line.substring(g, u);
      if (!uuid.equals(uuids.put(pci, uuid))) {
        mappings.incrementAndGet();
      }
    }
  }

  private static boolean isUuidChar(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-';
  }

  private Instant eventTime(Frame f) {
    if (f.wall != null) {
      return f.wall;
    }
    if (f.monotonicMicros >= 0 && f.monotonicMicros < MAX_UPTIME_MICROS && bootTime != null) {
      return bootTime.plus(f.monotonicMicros, ChronoUnit.MICROS);
    }
    return clock.instant();
  }

  private String boot8() {
    if (bootId == null || bootId.isBlank()) {
      return "noboot";
    }
    return bootId.length() <= 8 ? bootId : bootId.substring(0, 8);
  }

  // ------------------------------------------------------------------ framing

  /** Reads the time and sequence from {@code line[0, end)} (the part before "NVRM:"). */
  private Frame frame(String line, int end) {
    Frame f = new Frame();
    if (kmsgRecord(line, end, f)) {
      return f;
    }
    int p = skipSpaces(line, 0, end);
    // "<4>" priority prefix (raw /proc/kmsg, RFC 5424 syslog)
    if (p < end && line.charAt(p) == '<') {
      int q = p + 1;
      while (q < end && isDigit(line.charAt(q))) {
        q++;
      }
      if (q < end && q > p + 1 && line.charAt(q) == '>') {
        p = q + 1;
        // RFC 5424 version "1 "
        if (p + 1 < end && line.charAt(p) == '1' && line.charAt(p + 1) == ' ') {
          p += 2;
        }
      }
    }
    Instant wall = iso(line, p, end);
    if (wall == null) {
      wall = epochSeconds(line, p, end);
    }
    if (wall == null) {
      wall = rfc3164(line, p, end);
    }
    if (wall != null) {
      f.wall = wall;
      return f;
    }
    int open = line.indexOf('[', p);
    if (open >= 0 && open < end) {
      int close = line.indexOf(']', open + 1);
      if (close > open && close < end) {
        long micros = seconds(line, open + 1, close);
        if (micros >= 0) {
          f.monotonicMicros = micros;
        } else {
          f.wall = ctime(line.substring(open + 1, close));
        }
      }
    }
    return f;
  }

  /** {@code priority,sequence,timestamp_us,flags[,more];} at the start of the line. */
  private static boolean kmsgRecord(String line, int end, Frame f) {
    int i = 0;
    int ps = i;
    while (i < end && isDigit(line.charAt(i))) {
      i++;
    }
    if (i == ps || i - ps > 4 || i >= end || line.charAt(i) != ',') {
      return false;
    }
    int ss = ++i;
    long seq = 0;
    while (i < end && isDigit(line.charAt(i)) && i - ss < 19) {
      seq = seq * 10 + (line.charAt(i) - '0');
      i++;
    }
    if (i == ss || i >= end || line.charAt(i) != ',') {
      return false;
    }
    int ts = ++i;
    long micros = 0;
    while (i < end && isDigit(line.charAt(i)) && i - ts < 19) {
      micros = micros * 10 + (line.charAt(i) - '0');
      i++;
    }
    if (i == ts || i >= end || (line.charAt(i) != ',' && line.charAt(i) != ';')) {
      return false;
    }
    int semi = line.indexOf(';', i);
    if (semi < 0 || semi >= end) {
      return false;
    }
    f.kmsg = true;
    f.sequence = seq;
    f.monotonicMicros = micros;
    return true;
  }

  /** {@code [ ]seconds.fraction[ ]} as microseconds, or -1. */
  private static long seconds(String s, int from, int to) {
    from = skipSpaces(s, from, to);
    while (to > from && s.charAt(to - 1) == ' ') {
      to--;
    }
    long sec = 0;
    int i = from;
    while (i < to && isDigit(s.charAt(i)) && i - from < 12) {
      sec = sec * 10 + (s.charAt(i) - '0');
      i++;
    }
    if (i == from) {
      return -1;
    }
    long micros = 0;
    if (i < to && s.charAt(i) == '.') {
      int fs = ++i;
      int scale = 1_000_000;
      while (i < to && isDigit(s.charAt(i))) {
        if (i - fs < 6) {
          scale /= 10;
          micros += (s.charAt(i) - '0') * (long) scale;
        }
        i++;
      }
    }
    return i == to ? sec * 1_000_000 + micros : -1;
  }

  /**
   * ISO date-time at {@code p}: {@code yyyy-MM-dd[T ]HH:mm:ss[.,fraction][Z|+HH:MM|+HHMM]}; null
   * when there is none.
   */
  private Instant iso(String s, int p, int end) {
    if (end - p < 19
        || !digits(s, p, 4)
        || s.charAt(p + 4) != '-'
        || !digits(s, p + 5, 2)
        || s.charAt(p + 7) != '-'
        || !digits(s, p + 8, 2)
        || (s.charAt(p + 10) != 'T' && s.charAt(p + 10) != ' ')
        || !digits(s, p + 11, 2)
        || s.charAt(p + 13) != ':'
        || !digits(s, p + 14, 2)
        || s.charAt(p + 16) != ':'
        || !digits(s, p + 17, 2)) {
      return null;
    }
    int i = p + 19;
    int nanos = 0;
    if (i < end && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
      int fs = ++i;
      int scale = 100_000_000;
      while (i < end && isDigit(s.charAt(i))) {
        if (i - fs < 9) {
          nanos += (s.charAt(i) - '0') * scale;
          scale /= 10;
        }
        i++;
      }
    }
    ZoneId z = zone;
    if (i < end && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
      z = ZoneOffset.UTC;
    } else if (i < end && (s.charAt(i) == '+' || s.charAt(i) == '-') && digits(s, i + 1, 2)) {
      int sign = s.charAt(i) == '-' ? -1 : 1;
      int hh = num(s, i + 1, 2);
      int mm = 0;
      int j = i + 3;
      if (j < end && s.charAt(j) == ':') {
        j++;
      }
      if (digits(s, j, 2)) {
        mm = num(s, j, 2);
      }
      try {
        z = ZoneOffset.ofHoursMinutes(sign * hh, sign * mm);
      } catch (DateTimeException e) {
        return null;
      }
    }
    try {
      LocalDateTime t =
          LocalDateTime.of(
              num(s, p, 4),
              num(s, p + 5, 2),
              num(s, p + 8, 2),
              num(s, p + 11, 2),
              num(s, p + 14, 2),
              num(s, p + 17, 2),
              nanos);
      return t.atZone(z).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * {@code 1732442400.123456 } at {@code p} (journalctl {@code -o short-unix}): 9 to 11 digits of
   * epoch seconds, a fraction, a blank; null when there is none.
   */
  private static Instant epochSeconds(String s, int p, int end) {
    int i = p;
    while (i < end && isDigit(s.charAt(i))) {
      i++;
    }
    int digits = i - p;
    if (digits < 9 || digits > 11 || i >= end || s.charAt(i) != '.') {
      return null;
    }
    long micros = seconds(s, p, skipToBlank(s, i, end));
    return micros < 0 ? null : Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
  }

  private static int skipToBlank(String s, int i, int end) {
    while (i < end && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
      i++;
    }
    return i;
  }

  /** {@code Mmm dd HH:mm:ss} at {@code p} (syslog, no year); null when there is none. */
  private Instant rfc3164(String s, int p, int end) {
    if (end - p < 15) {
      return null;
    }
    int month = month(s, p);
    if (month < 0 || s.charAt(p + 3) != ' ') {
      return null;
    }
    int i = p + 4;
    if (s.charAt(i) == ' ') {
      i++;
    }
    int ds = i;
    while (i < end && isDigit(s.charAt(i)) && i - ds < 2) {
      i++;
    }
    if (i == ds || i + 9 > end || s.charAt(i) != ' ') {
      return null;
    }
    int day = num(s, ds, i - ds);
    i++;
    if (!digits(s, i, 2)
        || s.charAt(i + 2) != ':'
        || !digits(s, i + 3, 2)
        || s.charAt(i + 5) != ':'
        || !digits(s, i + 6, 2)) {
      return null;
    }
    int hh = num(s, i, 2);
    int mm = num(s, i + 3, 2);
    int ss = num(s, i + 6, 2);
    int nanos = 0;
    int f = i + 8;
    if (f < end && s.charAt(f) == '.') {
      int scale = 100_000_000;
      for (int k = f + 1; k < end && isDigit(s.charAt(k)) && k - f <= 9; k++) {
        nanos += (s.charAt(k) - '0') * scale;
        scale /= 10;
      }
    }
    try {
      ZonedDateTime now = clock.instant().atZone(zone);
      ZonedDateTime t =
          LocalDateTime.of(now.getYear(), month + 1, day, hh, mm, ss, nanos).atZone(zone);
      if (t.isAfter(now.plusDays(1))) {
        t = t.minusYears(1);
      }
      return t.toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** {@code Mon Nov 24 10:00:00 2025} (dmesg -T, ctime); null when it is not one. */
  private Instant ctime(String s) {
    String[] parts = s.trim().split("\\s+");
    if (parts.length != 5) {
      return null;
    }
    int month = parts[1].length() == 3 ? month(parts[1], 0) : -1;
    String[] hms = parts[3].split(":");
    if (month < 0 || hms.length != 3) {
      return null;
    }
    try {
      int year = Integer.parseInt(parts[4]);
      int day = Integer.parseInt(parts[2]);
      LocalDateTime t =
          LocalDate.of(year, month + 1, day)
              .atTime(Integer.parseInt(hms[0]), Integer.parseInt(hms[1]), Integer.parseInt(hms[2]));
      return t.atZone(zone).toInstant();
    } catch (NumberFormatException | DateTimeException e) {
      return null;
    }
  }

  private static int month(String s, int p) {
    if (p + 3 > s.length()) {
      return -1;
    }
    for (int m = 0; m < 12; m++) {
      if (s.startsWith(MONTHS[m], p)) {
        return m;
      }
    }
    return -1;
  }

  // ------------------------------------------------------------------ helpers

  private static String stripEol(String s) {
    int e = s.length();
    while (e > 0 && (s.charAt(e - 1) == '\n' || s.charAt(e - 1) == '\r')) {
      e--;
    }
    return e == s.length() ? s : s.substring(0, e);
  }

  /** Decodes /dev/kmsg's {@code \xNN} escapes of unprintable bytes. */
  static String unescapeKmsg(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\'
          && i + 3 < s.length()
          && s.charAt(i + 1) == 'x'
          && Character.digit(s.charAt(i + 2), 16) >= 0
          && Character.digit(s.charAt(i + 3), 16) >= 0) {
        int v = Character.digit(s.charAt(i + 2), 16) * 16 + Character.digit(s.charAt(i + 3), 16);
        b.append(v == '\n' || v == '\r' || v == '\t' ? ' ' : (char) v);
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static int skipSpaces(String s, int i, int end) {
    while (i < end && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean digits(String s, int p, int count) {
    if (p < 0 || p + count > s.length()) {
      return false;
    }
    for (int i = p; i < p + count; i++) {
      if (!isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int num(String s, int p, int count) {
    int v = 0;
    for (int i = p; i < p + count; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }

  /** 64-bit FNV-1a of the line, mixed (SplitMix64 finaliser), as 16 hex digits. */
  static String hash(String line) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < line.length(); i++) {
      h ^= line.charAt(i);
      h *= 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    h ^= h >>> 31;
    String hex = Long.toHexString(h);
    return "0".repeat(16 - hex.length()) + hex;
  }
}
