package io.gpuward.remediation.k8s;

import static io.gpuward.remediation.port.ActuatorException.Kind.AMBIGUOUS;
import static io.gpuward.remediation.port.ActuatorException.Kind.PERMANENT;
import static io.gpuward.remediation.port.ActuatorException.Kind.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class KubernetesFailuresTest {

  private static KubernetesClientException status(int code) {
    return new KubernetesClientException(
        "Failure executing: PATCH at: https://10.100.0.1/api/v1/nodes/n. Message: x.",
        code,
        new StatusBuilder().withCode(code).withMessage("x").build());
  }

  private static KubernetesClientException wrapped(Throwable cause) {
    return new KubernetesClientException("An error has occurred.", cause);
  }

  @ParameterizedTest(name = "HTTP {0}, mutating={1} -> {2}")
  @CsvSource({
    "400, false, PERMANENT",
    "403, false, PERMANENT",
    "403, true,  PERMANENT",
    "404, false, PERMANENT",
    "405, true,  PERMANENT",
    "415, true,  PERMANENT",
    "422, true,  PERMANENT",
    "401, false, TRANSIENT",
    "408, true,  TRANSIENT",
    "409, true,  TRANSIENT",
    "410, false, TRANSIENT",
    "429, true,  TRANSIENT",
    "500, true,  TRANSIENT",
    "502, false, TRANSIENT",
    "503, true,  TRANSIENT",
    "504, false, TRANSIENT",
    "504, true,  AMBIGUOUS",
  })
  void shouldClassifyApiServerStatuses(int code, boolean mutating, Kind expected) {
    assertThat(KubernetesFailures.classify(status(code), mutating)).isEqualTo(expected);
    assertThat(KubernetesFailures.classify(new RuntimeException("outer", status(code)), mutating))
        .isEqualTo(expected);
  }

  static Stream<Arguments> transportFailures() {
    return Stream.of(
        Arguments.of(new ConnectException("Connection refused"), TRANSIENT, TRANSIENT),
        Arguments.of(new HttpConnectTimeoutException("connect timed out"), TRANSIENT, TRANSIENT),
        Arguments.of(new UnknownHostException("kubernetes.default.svc"), TRANSIENT, TRANSIENT),
        Arguments.of(new SocketTimeoutException("Read timed out"), TRANSIENT, AMBIGUOUS),
        Arguments.of(new HttpTimeoutException("request timed out"), TRANSIENT, AMBIGUOUS),
        Arguments.of(new InterruptedIOException("timeout"), TRANSIENT, AMBIGUOUS),
        Arguments.of(new IOException("Connection reset"), TRANSIENT, AMBIGUOUS),
        Arguments.of(new java.util.concurrent.TimeoutException(), TRANSIENT, AMBIGUOUS),
        Arguments.of(new InterruptedException(), TRANSIENT, TRANSIENT));
  }

  @ParameterizedTest(name = "{0}: read -> {1}, mutation -> {2}")
  @MethodSource("transportFailures")
  void shouldClassifyTransportFailuresByWhetherAMutationWasSent(
      Throwable cause, Kind onRead, Kind onMutation) {
    Throwable chain = wrapped(new ExecutionException(cause));
    assertThat(KubernetesFailures.classify(chain, false)).isEqualTo(onRead);
    assertThat(KubernetesFailures.classify(chain, true)).isEqualTo(onMutation);
  }

  @Test
  void shouldPreferTheOutermostStatus() {
    KubernetesClientException e =
        new KubernetesClientException(
            "Forbidden",
            new java.io.IOException("body", new SocketTimeoutException()),
            403,
            null,
            null);
    assertThat(KubernetesFailures.classify(e, true)).isEqualTo(PERMANENT);
  }

  @Test
  void shouldTreatAClientExceptionWithoutStatusAsTransient() {
    assertThat(KubernetesFailures.classify(new KubernetesClientException("closed")))
        .isEqualTo(TRANSIENT);
  }

  @Test
  void shouldTreatUnknownFailuresAsPermanent() {
    assertThat(KubernetesFailures.classify(new NullPointerException())).isEqualTo(PERMANENT);
    assertThat(KubernetesFailures.classify(new IllegalStateException("bug"))).isEqualTo(PERMANENT);
  }

  @Test
  void shouldKeepAnActuatorExceptionsKind() {
    assertThat(
            KubernetesFailures.classify(
                new RuntimeException(new ActuatorException(AMBIGUOUS, "x"))))
        .isEqualTo(AMBIGUOUS);
  }

  @Test
  void shouldSurviveACauseCycle() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(KubernetesFailures.classify(a)).isEqualTo(PERMANENT);
  }

  @Test
  void shouldWrapWithKindAndStatus() {
    ActuatorException e =
        KubernetesFailures.toActuatorException("cordon node n", status(503), true);
    assertThat(e.kind()).isEqualTo(TRANSIENT);
    assertThat(e).hasMessageContaining("cordon node n failed (HTTP 503)");
    assertThat(e.getCause()).isInstanceOf(KubernetesClientException.class);
    assertThat(KubernetesFailures.statusCode(new RuntimeException(status(429)))).isEqualTo(429);
  }
}
