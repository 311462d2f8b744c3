package io.gpuward.sim.aws;

/**
 * A refusal as AWS words it: an HTTP status (4xx: the client's request, never retried by the SDK
 * unless the code says throttling) and an error code the SDK turns into its exception type.
 */
final class AwsError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  AwsError(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** A 400 with {@code code}. */
  static AwsError badRequest(String code, String message) {
    return new AwsError(400, code, message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
