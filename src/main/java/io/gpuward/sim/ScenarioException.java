package io.gpuward.sim;

/**
 * A scenario file is invalid. The message starts with the offending key's path, e.g. {@code
 * faults[2].at: '20x' is not a duration (use 90s, 5m)}.
 */
public class ScenarioException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ScenarioException(String key, String problem) {
    super(key.isEmpty() ? problem : key + ": " + problem);
    this.key = key;
  }

  public ScenarioException(String key, String problem, Throwable cause) {
    super(key.isEmpty() ? problem : key + ": " + problem, cause);
    this.key = key;
  }

  /** Path of the offending key, e.g. {@code faults[2].at}; empty for the whole document. */
  public String key() {
    return key;
  }
}
