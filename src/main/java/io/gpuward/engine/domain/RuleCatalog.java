package io.gpuward.engine.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gpuward.avro.FaultClass;
import io.gpuward.avro.RemediationAction;
import io.gpuward.avro.Severity;
import io.gpuward.config.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The engine's rules ({@code streams/rules.yaml} and the files it names), loaded once at startup.
 * Every verdict carries {@link #version()}. A bad value fails with the offending key.
 */
public final class RuleCatalog {

  /** Classpath folder of the rules shipped in the jar. */
  public static final String RESOURCE_DIR = "/gpuward/streams/";

  private final String version;
  private final Duration defaultTtl;
  private final Map<FaultClass, Duration> ttl;
  private final XidPolicy xid;
  private final RuleParams.AppRepeat appRepeat;
  private final RuleParams.SampleWindow sampleWindow;
  private final ThermalParams thermal;
  private final HwSlowdownParams hwSlowdown;
  private final MemoryParams memory;
  private final NvlinkParams nvlink;
  private final RuleParams.Node node;
  private final Pattern nvidiaImage;
  private final List<RuleParams.ContainerError> containerErrors;
  private final RuleParams.GpuOperator gpuOperator;
  private final RuleParams.Correlation correlation;
  private final ScheduledMaintenanceParams scheduled;

  private RuleCatalog(Builder b) {
    this.version = b.version;
    this.defaultTtl = b.defaultTtl;
    this.ttl = Map.copyOf(b.ttl);
    this.xid = b.xid;
    this.appRepeat = b.appRepeat;
    this.sampleWindow = b.sampleWindow;
    this.thermal = b.thermal;
    this.hwSlowdown = b.hwSlowdown;
    this.memory = b.memory;
    this.nvlink = b.nvlink;
    this.node = b.node;
    this.nvidiaImage = b.nvidiaImage;
    this.containerErrors = List.copyOf(b.containerErrors);
    this.gpuOperator = b.gpuOperator;
    this.correlation = b.correlation;
    this.scheduled = b.scheduled;
  }

  private static final class Builder {
    String version;
    Duration defaultTtl;
    Map<FaultClass, Duration> ttl;
    XidPolicy xid;
    RuleParams.AppRepeat appRepeat;
    RuleParams.SampleWindow sampleWindow;
    ThermalParams thermal;
    HwSlowdownParams hwSlowdown;
    MemoryParams memory;
    NvlinkParams nvlink;
    RuleParams.Node node;
    Pattern nvidiaImage;
    List<RuleParams.ContainerError> containerErrors;
    RuleParams.GpuOperator gpuOperator;
    RuleParams.Correlation correlation;
    ScheduledMaintenanceParams scheduled;
  }

  /** Opens a file of the rule set by name (rules.yaml, xid-catalog.csv, ...). */
  @FunctionalInterface
  public interface Source {
    InputStream open(String name) throws IOException;
  }

  /** The rules shipped in the jar. */
  public static RuleCatalog load() {
    return load(
        name -> {
          InputStream in = RuleCatalog.class.getResourceAsStream(RESOURCE_DIR + name);
          if (in == null) {
            throw new IOException("rule file " + RESOURCE_DIR + name + " missing from classpath");
          }
          return in;
        });
  }

  /** The rules in folder {@code dir} (a copy of {@code streams/} a user edited). */
  public static RuleCatalog load(Path dir) {
    return load(name -> Files.newInputStream(dir.resolve(name)));
  }

  public static RuleCatalog load(Source source) {
    try (InputStream in = source.open("rules.yaml")) {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
      if (root == null || !root.isObject()) {
        throw new IllegalArgumentException("rules.yaml: not a YAML map");
      }
      // Sections are read in file order, so the first bad key named is the first one a user sees.
      Builder b = new Builder();
      b.version = text(root, "version");
      ttl(root.path("ttl"), b);
      b.xid = xidPolicy(root.path("xid"), source);
      b.appRepeat = appRepeat(root.path("xid").path("appRepeat"));
      b.sampleWindow = sampleWindow(root.path("sampleWindow"));
      b.thermal = thermal(root.path("thermal"));
      b.hwSlowdown = hwSlowdown(root.path("thermal").path("hwSlowdown"));
      b.memory = memory(root.path("memory"));
      b.nvlink = nvlink(root.path("nvlink"));
      b.node = node(root.path("node"));
      String pattern = text(root.path("imageInstance"), "nvidiaImagePattern", "imageInstance.");
      b.nvidiaImage = regex(pattern, "imageInstance.nvidiaImagePattern");
      b.containerErrors = containerErrors(text(root, "containerErrors"), source);
      b.gpuOperator = gpuOperator(root.path("gpuOperator"));
      b.correlation = correlation(root.path("correlation"));
      b.scheduled = scheduled(root.path("scheduledEvents"));
      return new RuleCatalog(b);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rules: " + e.getMessage(), e);
    }
  }

  private static void ttl(JsonNode ttl, Builder b) {
    b.ttl = new EnumMap<>(FaultClass.class);
    b.defaultTtl = Duration.ofMinutes(30);
    for (Iterator<Map.Entry<String, JsonNode>> it = ttl.fields(); it.hasNext(); ) {
      var e = it.next();
      Duration d = duration(e.getValue(), "ttl." + e.getKey());
      if (e.getKey().equals("default")) {
        b.defaultTtl = d;
      } else {
        b.ttl.put(enumValue(FaultClass.class, e.getKey(), "ttl." + e.getKey()), d);
      }
    }
  }

  private static RuleParams.AppRepeat appRepeat(JsonNode rep) {
    return guard(
        "xid.appRepeat",
        () ->
            new RuleParams.AppRepeat(
                (int) number(rep, "count", "xid.appRepeat."),
                duration(rep.get("within"), "xid.appRepeat.within"),
                enumValue(
                    RemediationAction.class,
                    text(rep, "action", "xid.appRepeat."),
                    "xid.appRepeat.action"),
                enumValue(
                    Severity.class,
                    text(rep, "severity", "xid.appRepeat."),
                    "xid.appRepeat.severity")));
  }

  private static RuleParams.SampleWindow sampleWindow(JsonNode sw) {
    return guard(
        "sampleWindow",
        () ->
            new RuleParams.SampleWindow(
                duration(sw.get("size"), "sampleWindow.size"),
                duration(sw.get("grace"), "sampleWindow.grace"),
                sw.hasNonNull("counterCarry")
                    ? duration(sw.get("counterCarry"), "sampleWindow.counterCarry")
                    : RuleParams.SampleWindow.DEFAULT_COUNTER_CARRY));
  }

  private static MemoryParams memory(JsonNode mem) {
    return guard(
        "memory",
        () ->
            new MemoryParams(
                (long) number(mem, "sbeStormPerWindow", "memory."),
                (long) number(mem, "sbeClearPerWindow", "memory.")));
  }

  private static NvlinkParams nvlink(JsonNode nv) {
    return guard(
        "nvlink",
        () ->
            new NvlinkParams(
                (long) number(nv, "crcErrorsPerWindow", "nvlink."),
                (long) number(nv, "replayOrRecoveryPerWindow", "nvlink.")));
  }

  private static RuleParams.Node node(JsonNode n) {
    return new RuleParams.Node(
        duration(n.get("notReadyJoinWindow"), "node.notReadyJoinWindow"),
        duration(n.get("notReadyJoinGrace"), "node.notReadyJoinGrace"),
        duration(n.get("allocatableGrace"), "node.allocatableGrace"),
        duration(n.get("telemetryStaleAfter"), "node.telemetryStaleAfter"),
        duration(n.get("registrationGrace"), "node.registrationGrace"),
        duration(n.get("operandGrace"), "node.operandGrace"),
        n.has("unknownNodeGrace")
            ? duration(n.get("unknownNodeGrace"), "node.unknownNodeGrace")
            : RuleParams.Node.DEFAULT_UNKNOWN_NODE_GRACE);
  }

  private static RuleParams.GpuOperator gpuOperator(JsonNode op) {
    return new RuleParams.GpuOperator(
        strings(op.path("requiredOperands")),
        strings(op.path("migOnlyOperands")),
        text(op, "labelPrefix", "gpuOperator."),
        strings(op.path("allocatableOperands")),
        strings(op.path("mpsOnlyOperands")));
  }

  private static RuleParams.Correlation correlation(JsonNode c) {
    return guard(
        "correlation",
        () ->
            new RuleParams.Correlation(
                duration(c.get("window"), "correlation.window"),
                (int) number(c, "minNodes", "correlation."),
                (int) number(c, "minPercent", "correlation."),
                strings(c.path("scopes"))));
  }

  private static XidPolicy xidPolicy(JsonNode x, Source source) throws IOException {
    String file = text(x, "catalog", "xid.");
    XidCatalog catalog;
    try (InputStream in = source.open(file)) {
      catalog = XidCatalog.parse(in, file);
    }
    Map<String, RemediationAction> fatal = new HashMap<>();
    x.path("fatalActions")
        .fields()
        .forEachRemaining(
            e ->
                fatal.put(
                    e.getKey(),
                    enumValue(
                        RemediationAction.class,
                        e.getValue().asText(),
                        "xid.fatalActions." + e.getKey())));
    if (fatal.isEmpty()) {
      throw new IllegalArgumentException("rules.yaml: xid.fatalActions must not be empty");
    }
    String appPrefix = text(x, "applicationCategoryPrefix", "xid.");
    Map<String, XidPolicy.Override> cats = new HashMap<>();
    x.path("categories")
        .fields()
        .forEachRemaining(
            e -> cats.put(e.getKey(), override(e.getValue(), "xid.categories." + e.getKey())));
    Map<Integer, XidPolicy.Override> codes = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = x.path("codes").fields(); it.hasNext(); ) {
      var e = it.next();
      int code;
      try {
        code = Integer.parseInt(e.getKey());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            "rules.yaml: xid.codes." + e.getKey() + " is not an XID number", ex);
      }
      codes.put(code, override(e.getValue(), "xid.codes." + code));
    }
    return new XidPolicy(catalog, fatal, appPrefix, cats, codes);
  }

  private static XidPolicy.Override override(JsonNode n, String key) {
    return new XidPolicy.Override(
        n.hasNonNull("class")
            ? enumValue(FaultClass.class, n.get("class").asText(), key + ".class")
            : null,
        n.hasNonNull("action")
            ? enumValue(RemediationAction.class, n.get("action").asText(), key + ".action")
            : null,
        n.hasNonNull("severity")
            ? enumValue(Severity.class, n.get("severity").asText(), key + ".severity")
            : null);
  }

  private static ThermalParams thermal(JsonNode t) {
    return guard(
        "thermal",
        () ->
            new ThermalParams(
                number(t, "gpuTempLimitC", "thermal."),
                number(t, "memoryTempLimitC", "thermal."),
                number(t, "openFraction", "thermal."),
                number(t, "clearFraction", "thermal."),
                (int) number(t, "minSamples", "thermal.")));
  }

  /** {@code thermal.hwSlowdown}; each key left out takes its default. */
  private static HwSlowdownParams hwSlowdown(JsonNode h) {
    HwSlowdownParams d = HwSlowdownParams.DEFAULTS;
    String p = "thermal.hwSlowdown.";
    return guard(
        "thermal.hwSlowdown",
        () ->
            new HwSlowdownParams(
                h.has("reasons") ? reasons(h.get("reasons")) : d.reasons(),
                h.has("minSamples") ? whole(h, "minSamples", p) : d.minSamples(),
                h.has("violationMsPerWindow")
                    ? whole(h, "violationMsPerWindow", p)
                    : d.violationMsPerWindow(),
                h.has("openWindows") ? whole(h, "openWindows", p) : d.openWindows(),
                h.has("clearWindows") ? whole(h, "clearWindows", p) : d.clearWindows()));
  }

  private static List<String> reasons(JsonNode array) {
    if (!array.isArray()) {
      throw new IllegalArgumentException(
          "rules.yaml: thermal.hwSlowdown.reasons must be a list (e.g. [hw_thermal])");
    }
    return strings(array);
  }

  /** A whole number that fits an int: a fraction of a sample or window is a typo. */
  private static int whole(JsonNode n, String field, String prefix) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "rules.yaml: " + prefix + field + " must be a whole number");
    }
    return v.asInt();
  }

  /** Runs a constructor that validates; its message gains the file name (keys are in it). */
  private static <T> T guard(String section, Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new IllegalArgumentException(
          m.startsWith("rules.yaml") ? m : "rules.yaml: " + section + ": " + m, e);
    }
  }

  private static Pattern regex(String pattern, String key) {
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "rules.yaml: " + key + " is not a regular expression: " + e.getDescription(), e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static List<RuleParams.ContainerError> containerErrors(String file, Source source)
      throws IOException {
    JsonNode root;
    try (InputStream in = source.open(file)) {
      root = new ObjectMapper(new YAMLFactory()).readTree(in);
    }
    List<RuleParams.ContainerError> out = new ArrayList<>();
    int i = 0;
    for (JsonNode p : root.path("patterns")) {
      String where = file + ": patterns[" + i++ + "]";
      String id = p.path("id").asText("");
      String match = p.path("match").asText("");
      if (id.isBlank() || match.isBlank()) {
        throw new IllegalArgumentException(where + ": id and match are required");
      }
      Pattern re;
      try {
        re = Pattern.compile(match);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(where + ".match is not a regular expression", e);
      }
      out.add(
          new RuleParams.ContainerError(
              id, re, p.path("setting").asText(""), p.path("fix").asText("")));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no patterns");
    }
    return out;
  }

  private static ScheduledMaintenanceParams scheduled(JsonNode n) {
    if (n.isMissingNode()) {
      return ScheduledMaintenanceParams.DEFAULTS;
    }
    Map<String, RemediationAction> actions = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.path("actions").fields(); it.hasNext(); ) {
      var e = it.next();
      String key = "scheduledEvents.actions." + e.getKey();
      actions.put(e.getKey(), enumValue(RemediationAction.class, e.getValue().asText(), key));
    }
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("rules.yaml: scheduledEvents.actions is required");
    }
    RemediationAction other =
        enumValue(
            RemediationAction.class,
            text(n, "otherCodes", "scheduledEvents."),
            "scheduledEvents.otherCodes");
    Duration lead = duration(n.get("lead"), "scheduledEvents.lead");
    Duration window = duration(n.get("openEndedWindow"), "scheduledEvents.openEndedWindow");
    return guard(
        "scheduledEvents", () -> new ScheduledMaintenanceParams(lead, window, actions, other));
  }

  private static String text(JsonNode n, String field) {
    return text(n, field, "");
  }

  private static String text(JsonNode n, String field, String prefix) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull() || v.asText().isBlank()) {
      throw new IllegalArgumentException("rules.yaml: " + prefix + field + " is required");
    }
    return v.asText();
  }

  private static double number(JsonNode n, String field, String prefix) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("rules.yaml: " + prefix + field + " must be a number");
    }
    return v.asDouble();
  }

  private static Duration duration(JsonNode v, String key) {
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("rules.yaml: " + key + " is required");
    }
    try {
      return Durations.parse(v.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rules.yaml: " + key + ": " + e.getMessage(), e);
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String key) {
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "rules.yaml: " + key + ": '" + value + "' is not a " + type.getSimpleName(), e);
    }
  }

  /** Version of this rule set; every verdict names it. */
  public String version() {
    return version;
  }

  /** How long a verdict of {@code faultClass} stays valid after its latest evidence. */
  public Duration ttl(FaultClass faultClass) {
    return ttl.getOrDefault(faultClass, defaultTtl);
  }

  /**
   * The longest TTL of a verdict an XID can open: an XID older than this behind stream time would
   * open a verdict already past its validUntil, expired at the next tick.
   */
  public Duration longestXidTtl() {
    Duration longest = Duration.ZERO;
    for (FaultClass c : xid.faultClasses()) {
      Duration d = ttl(c);
      if (d.compareTo(longest) > 0) {
        longest = d;
      }
    }
    return longest;
  }

  public XidPolicy xid() {
    return xid;
  }

  public ThermalParams thermal() {
    return thermal;
  }

  public HwSlowdownParams hwSlowdown() {
    return hwSlowdown;
  }

  public RuleParams.AppRepeat appRepeat() {
    return appRepeat;
  }

  public RuleParams.SampleWindow sampleWindow() {
    return sampleWindow;
  }

  public MemoryParams memory() {
    return memory;
  }

  public NvlinkParams nvlink() {
    return nvlink;
  }

  public RuleParams.Node node() {
    return node;
  }

  public List<RuleParams.ContainerError> containerErrors() {
    return containerErrors;
  }

  public RuleParams.GpuOperator gpuOperator() {
    return gpuOperator;
  }

  public RuleParams.Correlation correlation() {
    return correlation;
  }

  public ScheduledMaintenanceParams scheduledEvents() {
    return scheduled;
  }

  /** Whether {@code image} is an NVIDIA image variant. */
  public boolean isNvidiaImage(String image) {
    return image != null && nvidiaImage.matcher(image).find();
  }
}
