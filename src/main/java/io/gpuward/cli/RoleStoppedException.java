package io.gpuward.cli;

/**
 * A role of an in-process run stopped or fell behind beyond recovery: the run is incomplete. The
 * message names the role and why, for the one error line.
 */
final class RoleStoppedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RoleStoppedException(String message) {
    super(message);
  }
}
