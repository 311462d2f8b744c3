package io.gpuward.ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Help text ({@code # HELP}) of gpuward's meters, by their constant names; other meters without a
 * description get their dotted name, so every family has help text. Each role keeps the help of its
 * meters beside their names (its metrics class); the process that serves them collects those maps,
 * so this package needs to know no role.
 */
public final class MeterHelp {

  /** No help texts: every meter without a description gets its name. */
  public static final MeterHelp NONE = new MeterHelp(Map.of());

  private final Map<String, String> texts;

  private MeterHelp(Map<String, String> texts) {
    this.texts = Map.copyOf(texts);
  }

  /**
   * The help texts of several roles together.
   *
   * @throws IllegalArgumentException when two roles describe the same meter name differently
   */
  public static MeterHelp of(List<Map<String, String>> parts) {
    Map<String, String> all = new HashMap<>();
    for (Map<String, String> part : parts) {
      part.forEach(
          (name, text) -> {
            String before = all.putIfAbsent(name, text);
            if (before != null && !before.equals(text)) {
              throw new IllegalArgumentException("two help texts for meter " + name);
            }
          });
    }
    return new MeterHelp(all);
  }

  /** The help text of {@code name}: gpuward's own, else the name itself. */
  public String describe(String name) {
    return texts.getOrDefault(name, name);
  }
}
