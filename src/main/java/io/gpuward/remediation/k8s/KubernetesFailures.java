package io.gpuward.remediation.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Classifies a Kubernetes client failure as transient, permanent or ambiguous by walking its cause
 * chain, outermost first; the first decisive link wins.
 *
 * <ul>
 *   <li>An HTTP status from the API server: 409 (conflict), 429 (throttled or PDB), 401 (token
 *       being rotated), 410 and 5xx are transient; 400, 403, 404, 405, 415, 422 and any other 4xx
 *       are permanent. A 504 after a mutating request is ambiguous: the server may have applied it.
 *   <li>No connection (connect refused or timed out, unknown host, no route): transient, since the
 *       request never left.
 *   <li>A timeout or other I/O error once the request may have been sent: ambiguous for a mutating
 *       request, transient for a read.
 *   <li>An {@link ActuatorException} keeps its kind; an interrupt is transient.
 *   <li>A {@link KubernetesClientException} with no status and nothing decisive below it is
 *       transient (a client-side transport problem); anything else is permanent (a bug or bad
 *       input, which retrying cannot fix).
 * </ul>
 */
public final class KubernetesFailures {

  private static final int MAX_DEPTH = 32;

  private KubernetesFailures() {}

  /** The kind of a failed read (no mutating request was sent). */
  public static Kind classify(Throwable t) {
    return classify(t, false);
  }

  /**
   * The kind of {@code t}; {@code mutating} says a mutating request (patch, eviction) may have been
   * sent, so that a lost reply is ambiguous rather than transient.
   */
  public static Kind classify(Throwable t, boolean mutating) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    boolean sawClientException = false;
    for (Throwable c = t;
        c != null && seen.put(c, Boolean.TRUE) == null && seen.size() <= MAX_DEPTH;
        c = c.getCause()) {
      if (c instanceof ActuatorException a) {
        return a.kind();
      }
      if (c instanceof KubernetesClientException k) {
        sawClientException = true;
        Kind byCode = byStatus(k.getCode(), mutating);
        if (byCode != null) {
          return byCode;
        }
        continue;
      }
      if (c instanceof ConnectException
          || c instanceof HttpConnectTimeoutException
          || c instanceof UnknownHostException
          || c instanceof NoRouteToHostException) {
        return Kind.TRANSIENT;
      }
      if (c instanceof InterruptedException) {
        return Kind.TRANSIENT;
      }
      if (c instanceof HttpTimeoutException
          || c instanceof InterruptedIOException
          || c instanceof TimeoutException
          || c instanceof IOException) {
        return mutating ? Kind.AMBIGUOUS : Kind.TRANSIENT;
      }
    }
    return sawClientException ? Kind.TRANSIENT : Kind.PERMANENT;
  }

  /**
   * {@code t} as an {@link ActuatorException} with its classification; an ActuatorException is
   * returned as it is.
   */
  public static ActuatorException toActuatorException(String what, Throwable t, boolean mutating) {
    if (t instanceof ActuatorException a) {
      return a;
    }
    Kind kind = classify(t, mutating);
    String status = statusOf(t);
    return new ActuatorException(
        kind, what + " failed" + (status.isEmpty() ? "" : " (" + status + ")") + ": " + t, t);
  }

  /** The HTTP status of the first {@link KubernetesClientException} in the chain, or 0. */
  public static int statusCode(Throwable t) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
      if (c instanceof KubernetesClientException k && k.getCode() > 0) {
        return k.getCode();
      }
    }
    return 0;
  }

  private static String statusOf(Throwable t) {
    int code = statusCode(t);
    return code > 0 ? "HTTP " + code : "";
  }

  private static Kind byStatus(int code, boolean mutating) {
    if (code <= 0) {
      return null;
    }
    if (code == 504) {
      return mutating ? Kind.AMBIGUOUS : Kind.TRANSIENT;
    }
    if (code >= 500 || code == 409 || code == 429 || code == 401 || code == 410 || code == 408) {
      return Kind.TRANSIENT;
    }
    if (code >= 400) {
      return Kind.PERMANENT;
    }
    return null;
  }
}
