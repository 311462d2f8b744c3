package io.gpuward.remediation.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.remediation.aws.AwsFailures.Call;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ssm.model.InvalidInstanceIdException;

class AwsFailuresTest {

  private static AwsServiceException aws(int status, String code) {
    return AwsServiceException.builder()
        .statusCode(status)
        .requestId("req-1")
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage("message of " + code)
                .serviceName("Test")
                .build())
        .build();
  }

  private static SdkClientException httpFailure(Throwable cause) {
    return SdkClientException.builder()
        .message("Unable to execute HTTP request: " + cause.getMessage())
        .cause(cause)
        .build();
  }

  @ParameterizedTest(name = "HTTP {0} {1} -> {2}")
  @CsvSource({
    // throttling, whatever the service calls it
    "400, Throttling, TRANSIENT",
    "400, ThrottlingException, TRANSIENT",
    "503, RequestLimitExceeded, TRANSIENT",
    "400, TooManyRequestsException, TRANSIENT",
    "429, SomethingNew, TRANSIENT",
    // server side
    "500, InternalError, TRANSIENT",
    "500, InternalServerError, TRANSIENT",
    "503, ServiceUnavailable, TRANSIENT",
    "502, , TRANSIENT",
    // Auto Scaling busy: rejected without acting, accepted later
    "400, ScalingActivityInProgress, TRANSIENT",
    "400, ResourceContention, TRANSIENT",
    // credentials that the provider refreshes
    "400, ExpiredToken, TRANSIENT",
    // validation, not found, denied
    "400, ValidationError, PERMANENT",
    "400, ValidationException, PERMANENT",
    "400, InvalidInstanceID.NotFound, PERMANENT",
    "400, InvalidInstanceID.Malformed, PERMANENT",
    "400, InvalidInstanceId, PERMANENT",
    "404, ResourceNotFoundException, PERMANENT",
    "403, AccessDenied, PERMANENT",
    "400, AccessDeniedException, PERMANENT",
    "403, UnauthorizedOperation, PERMANENT",
    "401, AuthFailure, PERMANENT",
    "400, IncorrectInstanceState, PERMANENT",
    "400, SomeOtherClientError, PERMANENT",
  })
  void shouldClassifyServiceErrorsByCodeThenStatus(int status, String code, Kind expected) {
    assertThat(AwsFailures.classify(aws(status, code))).isEqualTo(expected);
    // a service answer means AWS decided: the same for mutating calls
    assertThat(AwsFailures.classify(aws(status, code), Call.MUTATING)).isEqualTo(expected);
  }

  static Stream<Arguments> clientFailures() {
    return Stream.of(
        Arguments.of(
            "connection refused",
            httpFailure(new ConnectException("Connection refused")),
            Kind.TRANSIENT,
            Kind.TRANSIENT),
        Arguments.of(
            "unknown host",
            httpFailure(new UnknownHostException("ec2.example")),
            Kind.TRANSIENT,
            Kind.TRANSIENT),
        Arguments.of(
            "connect timeout",
            httpFailure(new SocketTimeoutException("connect timed out")),
            Kind.TRANSIENT,
            Kind.TRANSIENT),
        Arguments.of(
            "read timeout",
            httpFailure(new SocketTimeoutException("Read timed out")),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "connection reset",
            httpFailure(new SocketException("Connection reset")),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "unexpected end of stream",
            httpFailure(new IOException("Unexpected end of file")),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "attempt timeout",
            ApiCallAttemptTimeoutException.create(5000),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "call timeout", ApiCallTimeoutException.create(20000), Kind.TRANSIENT, Kind.AMBIGUOUS),
        Arguments.of(
            "interrupted",
            AbortedException.create("Thread was interrupted"),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "HTTP failure, cause unknown",
            SdkClientException.create("Unable to execute HTTP request: ?"),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "garbled response",
            SdkClientException.create(
                "Unable to unmarshall response (ParseError). Response Code: 200"),
            Kind.TRANSIENT,
            Kind.AMBIGUOUS),
        Arguments.of(
            "credentials cannot be loaded",
            SdkClientException.create("Unable to load credentials from any of the providers"),
            Kind.PERMANENT,
            Kind.PERMANENT),
        Arguments.of("a bug", new NullPointerException("x"), Kind.PERMANENT, Kind.PERMANENT));
  }

  @ParameterizedTest(name = "{0}: read {2}, mutating {3}")
  @MethodSource("clientFailures")
  void shouldClassifyClientFailuresByWhetherTheRequestMayHaveArrived(
      String what, Throwable failure, Kind read, Kind mutating) {
    assertThat(AwsFailures.classify(failure, Call.READ)).isEqualTo(read);
    assertThat(AwsFailures.classify(failure, Call.MUTATING)).isEqualTo(mutating);
  }

  @Test
  void shouldDefaultToReadSemantics() {
    assertThat(AwsFailures.classify(ApiCallAttemptTimeoutException.create(1)))
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void shouldWalkTheCauseChainToTheDecidingLink() {
    Throwable wrapped =
        new CompletionException(
            new RuntimeException("outer", aws(400, "InvalidInstanceID.NotFound")));
    assertThat(AwsFailures.classify(wrapped, Call.MUTATING)).isEqualTo(Kind.PERMANENT);

    Throwable deep =
        new IllegalStateException(
            "wrapper", httpFailure(new IOException("x", new ConnectException("refused"))));
    // the first deciding link is the IOException (after connecting: ambiguous for mutations)
    assertThat(AwsFailures.classify(deep, Call.MUTATING)).isEqualTo(Kind.AMBIGUOUS);
    assertThat(AwsFailures.classify(deep, Call.READ)).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void shouldKeepTheKindOfAnActuatorExceptionInTheChain() {
    Throwable t = new RuntimeException(new ActuatorException(Kind.AMBIGUOUS, "deadline", null));
    assertThat(AwsFailures.classify(t)).isEqualTo(Kind.AMBIGUOUS);
  }

  @Test
  void shouldSurviveACausalCycle() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(AwsFailures.classify(a)).isEqualTo(Kind.PERMANENT);
  }

  @Test
  void shouldClassifyTheSdksModelledServiceExceptions() {
    assertThat(
            AwsFailures.classify(
                InvalidInstanceIdException.builder()
                    .statusCode(400)
                    .awsErrorDetails(
                        AwsErrorDetails.builder().errorCode("InvalidInstanceId").build())
                    .build()))
        .isEqualTo(Kind.PERMANENT);
    assertThat(
            AwsFailures.classify(
                Ec2Exception.builder()
                    .statusCode(503)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("Unavailable").build())
                    .build()))
        .isEqualTo(Kind.TRANSIENT);
    assertThat(
            AwsFailures.classify(
                AutoScalingException.builder()
                    .statusCode(400)
                    .awsErrorDetails(
                        AwsErrorDetails.builder().errorCode("ScalingActivityInProgress").build())
                    .build()))
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void shouldWrapWithApiTargetCodeAndOperation() {
    ActuatorException e =
        AwsFailures.wrap(
            "EC2 RebootInstances",
            "i-0123456789abcdef0",
            "op-1",
            aws(400, "InvalidInstanceID.NotFound"),
            Call.MUTATING);
    assertThat(e.kind()).isEqualTo(Kind.PERMANENT);
    assertThat(e.getMessage())
        .isEqualTo(
            "EC2 RebootInstances i-0123456789abcdef0 failed (PERMANENT): InvalidInstanceID.NotFound:"
                + " message of InvalidInstanceID.NotFound [HTTP 400, request req-1] op=op-1");
    assertThat(AwsFailures.errorCode(e)).isEqualTo("InvalidInstanceID.NotFound");

    ActuatorException io =
        AwsFailures.wrap(
            "SSM SendCommand",
            "i-0123456789abcdef0",
            null,
            httpFailure(new SocketTimeoutException("Read timed out")),
            Call.MUTATING);
    assertThat(io.kind()).isEqualTo(Kind.AMBIGUOUS);
    assertThat(io.getMessage())
        .startsWith("SSM SendCommand i-0123456789abcdef0 failed (AMBIGUOUS): SdkClientException")
        .contains("Read timed out");
  }
}
