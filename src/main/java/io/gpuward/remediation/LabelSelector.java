package io.gpuward.remediation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector in its string form ({@code kubectl -l}): comma-separated
 * requirements, all of which must hold: {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key}, {@code !key}, {@code key in (a,b)}, {@code key notin (a,b)}. Pure.
 */
public record LabelSelector(String text, List<Requirement> requirements) {

  /** One requirement on one label. */
  public record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case EXISTS -> v != null;
        case NOT_EXISTS -> v == null;
        case IN -> v != null && values.contains(v);
        case NOT_IN -> v == null || !values.contains(v);
      };
    }
  }

  /** How a requirement compares; {@code =} is IN with one value, {@code !=} NOT_IN with one. */
  public enum Op {
    EXISTS,
    NOT_EXISTS,
    IN,
    NOT_IN
  }

  private static final String KEY = "[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?";
  private static final String VALUE = "([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?";
  private static final Pattern SET =
      Pattern.compile("(" + KEY + ")\\s+(in|notin)\\s+\\(([^()]*)\\)");
  private static final Pattern EQUALITY =
      Pattern.compile("(" + KEY + ")\\s*(==|=|!=)\\s*(" + VALUE + ")");
  private static final Pattern EXISTS = Pattern.compile("(!?)\\s*(" + KEY + ")");

  public LabelSelector {
    requirements = List.copyOf(requirements);
  }

  /** True when every requirement holds for {@code labels}. */
  public boolean matches(Map<String, String> labels) {
    return requirements.stream().allMatch(r -> r.matches(labels));
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the requirement that does not parse
   */
  public static LabelSelector parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a label selector must not be empty");
    }
    List<Requirement> out = new ArrayList<>();
    for (String part : split(text)) {
      out.add(requirement(part.trim()));
    }
    return new LabelSelector(text.trim(), out);
  }

  @Override
  public String toString() {
    return text;
  }

  private static Requirement requirement(String s) {
    Matcher m = SET.matcher(s);
    if (m.matches()) {
      Set<String> values = values(m.group(4), s);
      return new Requirement(m.group(1), m.group(3).equals("in") ? Op.IN : Op.NOT_IN, values);
    }
    m = EQUALITY.matcher(s);
    if (m.matches()) {
      Op op = m.group(3).equals("!=") ? Op.NOT_IN : Op.IN;
      return new Requirement(m.group(1), op, Set.of(m.group(4)));
    }
    m = EXISTS.matcher(s);
    if (m.matches()) {
      return new Requirement(
          m.group(2), m.group(1).isEmpty() ? Op.EXISTS : Op.NOT_EXISTS, Set.of());
    }
    throw new IllegalArgumentException("'" + s + "' is not a label selector requirement");
  }

  private static Set<String> values(String list, String requirement) {
    Set<String> out = new LinkedHashSet<>();
    for (String v : list.split(",")) {
      String t = v.trim();
      if (!t.matches(VALUE)) {
        throw new IllegalArgumentException(
            "'" + t + "' is not a label value in '" + requirement + "'");
      }
      out.add(t);
    }
    return Set.copyOf(out);
  }

  /** Splits on commas outside parentheses ({@code a in (x,y),b} is two requirements). */
  private static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(text.substring(from, i));
        from = i + 1;
      }
    }
    out.add(text.substring(from));
    return out;
  }
}
