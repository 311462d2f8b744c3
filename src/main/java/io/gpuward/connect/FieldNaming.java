package io.gpuward.connect;

import java.util.Locale;

/** How the converter names the Connect fields of the top-level record (the table's columns). */
public enum FieldNaming {
  /** The Avro field names as they are ({@code verdictId}). */
  AVRO,
  /**
   * snake_case ({@code verdictId} → {@code verdict_id}, {@code avgGpuUtilPct} → {@code
   * avg_gpu_util_pct}).
   */
  SNAKE_CASE;

  /** {@code name} under this naming. */
  public String apply(String name) {
    return this == AVRO ? name : snake(name);
  }

  /**
   * camelCase to snake_case. A run of capitals is one word ({@code pciBusID} → {@code pci_bus_id});
   * a capital after a run of capitals starts a word only when followed by a lower-case letter that
   * continues it ({@code HTTPServer} → {@code http_server}).
   */
  static String snake(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        char prev = name.charAt(i - 1);
        boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
        boolean prevUpper = Character.isUpperCase(prev);
        boolean acronymEnd = prevUpper && nextLower;
        if ((!prevUpper && prev != '_') || acronymEnd) {
          out.append('_');
        }
      }
      out.append(Character.toLowerCase(c));
    }
    return out.toString();
  }

  /** Parses a config value ({@code avro}, {@code snake_case}), case-insensitively. */
  public static FieldNaming parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }
}
