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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
  private final ThermalParams thermal;
  private final Pattern nvidiaImage;

  private RuleCatalog(
      String version,
      Duration defaultTtl,
      Map<FaultClass, Duration> ttl,
      XidPolicy xid,
      ThermalParams thermal,
      Pattern nvidiaImage) {
    this.version = version;
    this.defaultTtl = defaultTtl;
    this.ttl = Map.copyOf(ttl);
    this.xid = xid;
    this.thermal = thermal;
    this.nvidiaImage = nvidiaImage;
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
      String version = text(root, "version");
      Map<FaultClass, Duration> ttl = new EnumMap<>(FaultClass.class);
      Duration defaultTtl = Duration.ofMinutes(30);
      for (Iterator<Map.Entry<String, JsonNode>> it = root.path("ttl").fields(); it.hasNext(); ) {
        var e = it.next();
        Duration d = duration(e.getValue(), "ttl." + e.getKey());
        if (e.getKey().equals("default")) {
          defaultTtl = d;
        } else {
          ttl.put(enumValue(FaultClass.class, e.getKey(), "ttl." + e.getKey()), d);
        }
      }
      XidPolicy xid = xidPolicy(root.path("xid"), source);
      ThermalParams thermal = thermal(root.path("thermal"));
      String pattern = text(root.path("imageInstance"), "nvidiaImagePattern", "imageInstance.");
      Pattern nvidia;
      try {
        nvidia = Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "rules.yaml: imageInstance.nvidiaImagePattern is not a regular expression: "
                + e.getDescription(),
            e);
      }
      return new RuleCatalog(version, defaultTtl, ttl, xid, thermal, nvidia);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rules: " + e.getMessage(), e);
    }
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
    try {
      return new ThermalParams(
          number(t, "gpuTempLimitC", "thermal."),
          number(t, "memoryTempLimitC", "thermal."),
          duration(t.get("window"), "thermal.window"),
          duration(t.get("grace"), "thermal.grace"),
          number(t, "openFraction", "thermal."),
          number(t, "clearFraction", "thermal."),
          (int) number(t, "minSamples", "thermal."));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage().startsWith("rules.yaml")
              ? e.getMessage()
              : "rules.yaml: " + e.getMessage(),
          e);
    }
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

  public XidPolicy xid() {
    return xid;
  }

  public ThermalParams thermal() {
    return thermal;
  }

  /** Whether {@code image} is an NVIDIA image variant. */
  public boolean isNvidiaImage(String image) {
    return image != null && nvidiaImage.matcher(image).find();
  }
}
