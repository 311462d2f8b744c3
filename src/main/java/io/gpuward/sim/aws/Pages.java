package io.gpuward.sim.aws;

import java.util.List;

/**
 * Pagination as AWS does it: a page of at most {@code size} items and an opaque token for the next,
 * absent on the last page. The token is the offset of the next item, so it stays valid while the
 * listing only grows at its end (instances are listed in launch order).
 */
record Pages<T>(List<T> items, String nextToken) {

  private static final String PREFIX = "sim-page-";

  /**
   * The page that {@code token} (null for the first) points at.
   *
   * @param badTokenCode the service's error code for a token it did not issue
   */
  static <T> Pages<T> of(List<T> all, String token, int size, String badTokenCode) {
    int from = offset(token, all.size(), badTokenCode);
    int to = Math.min(all.size(), from + size);
    String next = to < all.size() ? PREFIX + to : null;
    return new Pages<>(List.copyOf(all.subList(from, to)), next);
  }

  /**
   * The page size: what the caller asked for, else the service's default, never more than the
   * service's maximum nor the server's own cap.
   */
  static int size(String requested, int serviceDefault, int serviceMax, int cap, String param) {
    int n = serviceDefault;
    if (requested != null && !requested.isBlank()) {
      try {
        n = Integer.parseInt(requested.trim());
      } catch (NumberFormatException e) {
        throw AwsError.badRequest(
            "InvalidParameterValue", param + " is not a number: " + requested);
      }
      if (n < 1 || n > serviceMax) {
        throw AwsError.badRequest(
            "InvalidParameterValue", param + " must be 1.." + serviceMax + ", was " + n);
      }
    }
    return Math.max(1, Math.min(n, cap));
  }

  private static int offset(String token, int total, String badTokenCode) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    if (token.startsWith(PREFIX)) {
      try {
        int from = Integer.parseInt(token.substring(PREFIX.length()));
        if (from >= 0 && from <= total) {
          return from;
        }
      } catch (NumberFormatException e) {
        // falls through to the refusal below: the token was not one this server issued
      }
    }
    throw AwsError.badRequest(badTokenCode, "The pagination token is invalid: " + token);
  }
}
