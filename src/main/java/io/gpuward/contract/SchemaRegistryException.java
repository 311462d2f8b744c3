package io.gpuward.contract;

/**
 * A schema registry refused a request or could not be reached. {@code httpStatus} is 0 when no HTTP
 * answer arrived; {@code errorCode} is the registry's {@code error_code} (e.g. 40403), or the HTTP
 * status when the body carried none.
 */
public class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(int httpStatus, int errorCode, String message) {
    this(httpStatus, errorCode, message, null);
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int errorCode() {
    return errorCode;
  }

  /** True for 404 answers (unknown subject, version or schema id). */
  public boolean isNotFound() {
    return httpStatus == 404;
  }

  /** True for 409 answers (incompatible schema). */
  public boolean isIncompatible() {
    return httpStatus == 409;
  }
}
