package io.gpuward.remediation.aws;

import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Classifies AWS SDK failures as {@link Kind#TRANSIENT} (retry later), {@link Kind#PERMANENT}
 * (retrying cannot help) or {@link Kind#AMBIGUOUS} (the call may have taken effect), by walking the
 * cause chain from the outermost exception inwards; the first link that decides wins.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>failure</th><th>read call</th><th>mutating call</th></tr>
 *   <tr><td>an {@link ActuatorException}</td><td colspan="2">its own kind</td></tr>
 *   <tr><td>AWS error code of a permanent kind: validation, not found ({@code
 *       InvalidInstanceID.NotFound}, {@code InvalidInstanceId}, {@code ResourceNotFoundException}),
 *       access denied, bad credentials, incorrect instance state; and any other 4xx</td>
 *       <td colspan="2">PERMANENT</td></tr>
 *   <tr><td>throttling codes or HTTP 429; HTTP 5xx; {@code InternalError}, {@code
 *       ServiceUnavailable}, {@code RequestTimeout}; expired credentials or request signature
 *       (refreshed on retry)</td><td colspan="2">TRANSIENT</td></tr>
 *   <tr><td>{@code ScalingActivityInProgress}, {@code ResourceContention} (Auto Scaling)</td>
 *       <td colspan="2">TRANSIENT: Auto Scaling rejected the request without acting, and it will
 *       accept it once the group's current activity ends</td></tr>
 *   <tr><td>connection refused, unknown host, no route, connect timeout (the request never left)
 *       </td><td colspan="2">TRANSIENT</td></tr>
 *   <tr><td>{@link ApiCallAttemptTimeoutException}, {@link ApiCallTimeoutException}, read timeout,
 *       connection reset or other I/O error after connecting, interruption ({@link
 *       AbortedException})</td><td>TRANSIENT</td><td>AMBIGUOUS: AWS may have accepted it</td></tr>
 *   <tr><td>an {@link SdkClientException} that failed to execute the HTTP request (cause unknown)
 *       or could not read the response</td><td>TRANSIENT</td><td>AMBIGUOUS</td></tr>
 *   <tr><td>anything else (credentials that cannot be loaded, marshalling errors, bugs)</td>
 *       <td colspan="2">PERMANENT</td></tr>
 * </table>
 */
public final class AwsFailures {

  /** Whether the failed call could have changed something in AWS. */
  public enum Call {
    /** A describe/get call: repeating it is always safe. */
    READ,
    /** A call that changes state (reboot, terminate, send command). */
    MUTATING
  }

  private static final Set<String> PERMANENT_CODES =
      Set.of(
          "validationerror",
          "validationexception",
          "invalidparametervalue",
          "invalidparametercombination",
          "invalidparameter",
          "invalidparameters",
          "missingparameter",
          "invalidinstanceid.notfound",
          "invalidinstanceid.malformed",
          "invalidinstanceid",
          "incorrectinstancestate",
          "invaliddocument",
          "invaliddocumentversion",
          "invocationdoesnotexist",
          "invalidcommandid",
          "resourcenotfoundexception",
          "notfoundexception",
          "accessdenied",
          "accessdeniedexception",
          "unauthorizedoperation",
          "authfailure",
          "invalidclienttokenid",
          "unrecognizedclientexception",
          "signaturedoesnotmatch",
          "optinrequired",
          "unsupportedoperation",
          "unsupportedplatformtype");

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "throttling",
          "throttlingexception",
          "throttledexception",
          "requestthrottledexception",
          "requestthrottled",
          "toomanyrequestsexception",
          "requestlimitexceeded",
          "bandwidthlimitexceeded",
          "ec2throttledexception",
          "slowdown",
          "priorrequestnotcomplete",
          "internalerror",
          "internalfailure",
          "internalservererror",
          "internalserverexception",
          "serviceunavailable",
          "serviceunavailableexception",
          "unavailable",
          "requesttimeout",
          "requesttimeoutexception",
          "requestexpired",
          "expiredtoken",
          "expiredtokenexception",
          "idpcommunicationerror",
          "scalingactivityinprogress",
          "resourcecontention");

  private static final int MAX_DEPTH = 32;

  private AwsFailures() {}

  /** Classifies a failure of a read call ({@link Call#READ}). */
  public static Kind classify(Throwable failure) {
    return classify(failure, Call.READ);
  }

  /**
   * Classifies a failure; timeouts and I/O errors after the request may have reached AWS are {@link
   * Kind#AMBIGUOUS} for {@link Call#MUTATING} calls and {@link Kind#TRANSIENT} for reads.
   */
  public static Kind classify(Throwable failure, Call call) {
    boolean mutating = call == Call.MUTATING;
    Kind sentButUnknown = mutating ? Kind.AMBIGUOUS : Kind.TRANSIENT;
    boolean httpExecutionFailed = false;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_DEPTH && seen.add(t); depth++, t = t.getCause()) {
      if (t instanceof ActuatorException ae) {
        return ae.kind();
      }
      if (t instanceof SdkServiceException se) {
        return classifyService(se);
      }
      if (t instanceof ApiCallAttemptTimeoutException
          || t instanceof ApiCallTimeoutException
          || t instanceof AbortedException) {
        return sentButUnknown;
      }
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof PortUnreachableException) {
        return Kind.TRANSIENT;
      }
      if (t instanceof SocketTimeoutException) {
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("connect") ? Kind.TRANSIENT : sentButUnknown;
      }
      if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
        return sentButUnknown;
      }
      if (t instanceof IOException) {
        return sentButUnknown;
      }
      if (t instanceof SdkClientException && requestMayHaveArrived(t.getMessage())) {
        httpExecutionFailed = true;
      }
    }
    return httpExecutionFailed ? sentButUnknown : Kind.PERMANENT;
  }

  private static boolean requestMayHaveArrived(String message) {
    String m = String.valueOf(message);
    return m.startsWith("Unable to execute HTTP request") || m.startsWith("Unable to unmarshall");
  }

  /** The AWS error code of the first service exception in the cause chain, or null. */
  public static String errorCode(Throwable failure) {
    AwsServiceException ase = serviceException(failure);
    return ase == null || ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
  }

  /**
   * Wraps a failed SDK call into an {@link ActuatorException} with its classification and a
   * readable message naming the API, the target (instance id) and the AWS error code.
   *
   * @param api the AWS operation, for example {@code RebootInstances}
   * @param target what it acted on, for example {@code i-0123456789abcdef0}
   * @param operationId the remediator's idempotency token / operation id, or null
   * @param failure what the SDK threw
   * @param call whether the call could have changed state
   */
  public static ActuatorException wrap(
      String api, String target, String operationId, Throwable failure, Call call) {
    if (failure instanceof ActuatorException ae) {
      return ae;
    }
    Kind kind = classify(failure, call);
    return new ActuatorException(kind, describe(api, target, operationId, failure, kind), failure);
  }

  static String describe(
      String api, String target, String operationId, Throwable failure, Kind kind) {
    StringBuilder sb = new StringBuilder();
    sb.append(api).append(' ').append(target).append(" failed (").append(kind).append("): ");
    AwsServiceException ase = serviceException(failure);
    if (ase != null && ase.awsErrorDetails() != null) {
      var d = ase.awsErrorDetails();
      sb.append(d.errorCode() == null ? "UnknownError" : d.errorCode());
      if (d.errorMessage() != null && !d.errorMessage().isBlank()) {
        sb.append(": ").append(d.errorMessage());
      }
      sb.append(" [HTTP ").append(ase.statusCode());
      if (ase.requestId() != null) {
        sb.append(", request ").append(ase.requestId());
      }
      sb.append(']');
    } else {
      sb.append(failure.getClass().getSimpleName());
      Throwable root = rootCause(failure);
      String msg = failure.getMessage();
      if (msg != null) {
        sb.append(": ").append(msg);
      }
      if (root != failure && root.getMessage() != null && !root.getMessage().equals(msg)) {
        sb.append(" (")
            .append(root.getClass().getSimpleName())
            .append(": ")
            .append(root.getMessage())
            .append(')');
      }
    }
    if (operationId != null) {
      sb.append(" op=").append(operationId);
    }
    return sb.toString();
  }

  private static Kind classifyService(SdkServiceException se) {
    String code = null;
    if (se instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
      code = ase.awsErrorDetails().errorCode();
    }
    String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
    if (PERMANENT_CODES.contains(c)) {
      return Kind.PERMANENT;
    }
    if (TRANSIENT_CODES.contains(c) || se.isThrottlingException()) {
      return Kind.TRANSIENT;
    }
    int status = se.statusCode();
    if (status == 429 || status >= 500) {
      return Kind.TRANSIENT;
    }
    return Kind.PERMANENT;
  }

  private static AwsServiceException serviceException(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof AwsServiceException ase) {
        return ase;
      }
    }
    return null;
  }

  private static Throwable rootCause(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = failure;
    while (t.getCause() != null && seen.add(t)) {
      t = t.getCause();
    }
    return t;
  }
}
