package io.gpuward.remediation.port;

/** An actuator call failed; {@code kind} says whether retrying can help. */
public class ActuatorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Transient: retry later. Permanent: retrying cannot help. Ambiguous: it may have happened. */
  public enum Kind {
    TRANSIENT,
    PERMANENT,
    AMBIGUOUS
  }

  private final Kind kind;

  public ActuatorException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public ActuatorException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }
}
