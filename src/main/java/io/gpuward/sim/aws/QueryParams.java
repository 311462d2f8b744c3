package io.gpuward.sim.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parameters of a Query-protocol request (EC2, Auto Scaling): a form body of {@code key=value}
 * pairs where lists are numbered from 1, {@code InstanceId.1}, {@code
 * AutoScalingGroupNames.member.1}, {@code Filter.1.Value.2}.
 */
final class QueryParams {

  private final Map<String, String> params;

  private QueryParams(Map<String, String> params) {
    this.params = params;
  }

  /** Parses a form-encoded body or query string. */
  static QueryParams parse(String form) {
    Map<String, String> out = new LinkedHashMap<>();
    if (form != null && !form.isEmpty()) {
      for (String pair : form.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        String v = eq < 0 ? "" : pair.substring(eq + 1);
        out.put(decode(k), decode(v));
      }
    }
    return new QueryParams(out);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw AwsError.badRequest(
          "MalformedQueryString", "cannot decode " + s + ": " + e.getMessage());
    }
  }

  /** The value of {@code key}, or null. */
  String get(String key) {
    return params.get(key);
  }

  /** The value of {@code key}; a 400 naming it when absent or blank. */
  String required(String key, String missingCode) {
    String v = params.get(key);
    if (v == null || v.isBlank()) {
      throw AwsError.badRequest(missingCode, "The request must contain the parameter " + key);
    }
    return v;
  }

  /** {@code prefix.1}, {@code prefix.2}, ... in index order. */
  List<String> list(String prefix) {
    TreeMap<Integer, String> byIndex = new TreeMap<>();
    String dotted = prefix + ".";
    for (Map.Entry<String, String> e : params.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(dotted)) {
        Integer i = index(k.substring(dotted.length()));
        if (i != null) {
          byIndex.put(i, e.getValue());
        }
      }
    }
    return new ArrayList<>(byIndex.values());
  }

  /** The numbered groups under {@code prefix}: {@code Filter.1.*}, {@code Filter.2.*}, ... */
  List<Integer> indexes(String prefix) {
    TreeMap<Integer, Boolean> seen = new TreeMap<>();
    String dotted = prefix + ".";
    for (String k : params.keySet()) {
      if (k.startsWith(dotted)) {
        String rest = k.substring(dotted.length());
        int dot = rest.indexOf('.');
        Integer i = index(dot < 0 ? rest : rest.substring(0, dot));
        if (i != null) {
          seen.put(i, true);
        }
      }
    }
    return new ArrayList<>(seen.keySet());
  }

  private static Integer index(String s) {
    if (s.isEmpty() || s.length() > 6 || !s.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return Integer.valueOf(s);
  }
}
