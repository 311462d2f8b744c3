package io.gpuward.contract;

import java.util.regex.Pattern;

/**
 * Kubernetes node names, the key of every node-keyed topic. A name no Kubernetes node can have (a
 * 10 KB string, SQL, upper case) is refused wherever gpuward reads one, before it becomes a
 * verdict, a budget scope or a dashboard row.
 */
public final class NodeNames {
  /** Longest name Kubernetes accepts: a DNS-1123 subdomain. */
  public static final int MAX_LENGTH = 253;

  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private NodeNames() {}

  /** Whether {@code s} is a name a Kubernetes node can have (RFC 1123 subdomain, ≤ 253). */
  public static boolean isValid(String s) {
    return s != null && s.length() <= MAX_LENGTH && DNS_1123_SUBDOMAIN.matcher(s).matches();
  }
}
