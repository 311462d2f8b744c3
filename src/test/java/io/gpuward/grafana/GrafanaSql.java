package io.gpuward.grafana;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands a Grafana PostgreSQL panel query into plain SQL, the way Grafana's SQL datasource does
 * before it sends the query: the time macros ({@code $__timeFilter}, {@code $__timeFrom}, {@code
 * $__timeTo}, {@code $__time}, {@code $__timeGroup}, {@code $__timeGroupAlias}, {@code
 * $__unixEpochFilter}), {@code $__interval} and dashboard variables. Like Grafana's PostgreSQL
 * datasource, a single-value variable ({@code $name}, {@code ${name}}) goes in raw, unescaped, and
 * {@code ${name:sqlstring}} goes in as a quoted literal with its quotes doubled. Lets tests run
 * every panel's SQL against the real sink tables, with hostile values too.
 */
final class GrafanaSql {

  private static final Pattern MACRO = Pattern.compile("\\$__(\\w+)\\(([^)]*)\\)");

  /** {@code ${name}}, {@code ${name:format}} or {@code $name}. */
  static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::(\\w+))?}|\\$(\\w+)");

  private final Instant from;
  private final Instant to;
  private final Duration interval;
  private final Map<String, String> variables;

  GrafanaSql(Instant from, Instant to, Duration interval, Map<String, String> variables) {
    this.from = from;
    this.to = to;
    this.interval = interval;
    this.variables = Map.copyOf(variables);
  }

  /**
   * The SQL Grafana would run for {@code rawSql}; fails on a macro or variable it does not know.
   */
  String expand(String rawSql) {
    String withMacros = replace(MACRO, rawSql, m -> macro(m.group(1), m.group(2).split(",")));
    String withInterval = withMacros.replace("$__interval_ms", Long.toString(interval.toMillis()));
    withInterval = withInterval.replace("$__interval", interval.toSeconds() + "s");
    return replace(
        VARIABLE,
        withInterval,
        m -> {
          String name = m.group(1) != null ? m.group(1) : m.group(3);
          String value = variables.get(name);
          if (value == null) {
            throw new IllegalArgumentException("unknown dashboard variable $" + name);
          }
          String format = m.group(2);
          if (format == null) {
            return value;
          }
          if (format.equals("sqlstring")) {
            return "'" + value.replace("'", "''") + "'";
          }
          throw new IllegalArgumentException("unknown variable format " + m.group());
        });
  }

  private String macro(String name, String[] args) {
    String column = args[0].trim();
    return switch (name) {
      case "timeFilter" -> column + " BETWEEN " + literal(from) + " AND " + literal(to);
      case "timeFrom" -> literal(from);
      case "timeTo" -> literal(to);
      case "time" -> column + " AS \"time\"";
      case "timeGroup" -> timeGroup(column, args);
      case "timeGroupAlias" -> timeGroup(column, args) + " AS \"time\"";
      case "unixEpochFilter" ->
          column + " >= " + from.getEpochSecond() + " AND " + column + " <= " + to.getEpochSecond();
      default -> throw new IllegalArgumentException("unknown Grafana macro $__" + name);
    };
  }

  private String timeGroup(String column, String[] args) {
    if (args.length < 2) {
      throw new IllegalArgumentException("$__timeGroup needs a column and an interval");
    }
    String spec = args[1].trim().replace("'", "");
    long seconds =
        spec.equals("$__interval") ? interval.toSeconds() : parseInterval(spec).toSeconds();
    return "floor(extract(epoch from "
        + column
        + ")/"
        + seconds
        + ")*"
        + seconds
        + " * interval '1 second' + timestamp with time zone 'epoch'";
  }

  private static Duration parseInterval(String spec) {
    long n = Long.parseLong(spec.substring(0, spec.length() - 1));
    return switch (spec.charAt(spec.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException("bad interval " + spec);
    };
  }

  private static String literal(Instant t) {
    return "'" + t + "'";
  }

  private interface Replacement {
    String apply(Matcher m);
  }

  private static String replace(Pattern pattern, String text, Replacement replacement) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
