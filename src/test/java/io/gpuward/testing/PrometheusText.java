package io.gpuward.testing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests when promtool is not
 * there: every sample line must parse, belong to a family declared by {@code # TYPE} before it,
 * with a legal name, well-formed labels and a float value; a family is declared once.
 */
public final class PrometheusText {
  private PrometheusText() {}

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})?"
              + " ([^ ]+)( -?[0-9]+)?");
  private static final Pattern VALUE =
      Pattern.compile(
          "[+-]?(Inf|NaN|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");

  /** Samples by their full series text ({@code name{labels}}), after checking every line. */
  public static Map<String, Double> parse(String text) {
    Map<String, String> types = new HashMap<>();
    Map<String, Double> samples = new LinkedHashMap<>();
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.split(" ");
        if (parts.length != 4 || !NAME.matcher(parts[2]).matches()) {
          throw new AssertionError("line " + n + ": bad TYPE line: " + line);
        }
        if (!parts[3].matches("counter|gauge|histogram|summary|untyped")) {
          throw new AssertionError("line " + n + ": unknown type: " + line);
        }
        if (types.put(parts[2], parts[3]) != null) {
          throw new AssertionError("line " + n + ": family declared twice: " + parts[2]);
        }
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("line " + n + ": not a sample: " + line);
      }
      if (!VALUE.matcher(m.group(4)).matches()) {
        throw new AssertionError("line " + n + ": bad value: " + line);
      }
      String name = m.group(1);
      if (family(name, types) == null) {
        throw new AssertionError("line " + n + ": sample of an undeclared family: " + line);
      }
      String series = name + (m.group(2) == null ? "" : m.group(2));
      if (samples.put(series, Double.parseDouble(m.group(4).replace("Inf", "Infinity"))) != null) {
        throw new AssertionError("line " + n + ": duplicate series: " + series);
      }
    }
    return samples;
  }

  private static String family(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : new String[] {"_bucket", "_count", "_sum", "_total", "_created", "_max"}) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if (types.containsKey(base)) {
          return base;
        }
      }
    }
    return null;
  }
}
