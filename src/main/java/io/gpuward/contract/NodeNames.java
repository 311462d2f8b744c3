package io.gpuward.contract;

/**
 * Kubernetes node names, the key of every node-keyed topic. A name no Kubernetes node can have (a
 * 10 KB string, SQL, upper case) is refused wherever gpuward reads one, before it becomes a
 * verdict, a budget scope or a dashboard row.
 */
public final class NodeNames {
  /** Longest name Kubernetes accepts: a DNS-1123 subdomain. */
  public static final int MAX_LENGTH = 253;

  private NodeNames() {}

  /** Whether {@code s} is a name a Kubernetes node can have (RFC 1123 subdomain, ≤ 253). */
  public static boolean isValid(String s) {
    if (s == null || s.isEmpty() || s.length() > MAX_LENGTH) {
      return false;
    }
    // By hand, not a regex: this runs for every record of every node-keyed topic.
    // Labels of [-a-z0-9] that start and end alphanumeric, joined by dots.
    char prev = '.';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          c == '.'
              ? prev != '.' && prev != '-'
              : c == '-' ? prev != '.' : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
      prev = c;
    }
    return prev != '.' && prev != '-';
  }
}
