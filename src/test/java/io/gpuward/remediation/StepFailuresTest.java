package io.gpuward.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpuward.avro.RemediationAction;
import io.gpuward.remediation.port.ActuatorException;
import io.gpuward.remediation.port.ActuatorException.Kind;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class StepFailuresTest {

  @Test
  void shouldKeepTheKindOfAnActuatorExceptionFoundInTheCauseChain() {
    var inner = new ActuatorException(Kind.TRANSIENT, "throttled");
    assertThat(StepFailures.classify(new RuntimeException(inner), RemediationAction.REBOOT))
        .isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void shouldRetryWhenTheRequestNeverLeft() {
    var e = new UncheckedIOException(new ConnectException("refused"));
    assertThat(StepFailures.classify(e, RemediationAction.REPLACE)).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void shouldCallATimeoutOfAMutatingStepAmbiguous() {
    var e = new UncheckedIOException(new SocketTimeoutException("read timed out"));
    assertThat(StepFailures.classify(e, RemediationAction.REBOOT)).isEqualTo(Kind.AMBIGUOUS);
    assertThat(StepFailures.classify(e, RemediationAction.ESCALATE)).isEqualTo(Kind.TRANSIENT);
  }

  @Test
  void shouldNeverCallAnUnknownFailureOfAMutatingStepRetryable() {
    assertThat(StepFailures.classify(new IllegalStateException("bug"), RemediationAction.CORDON))
        .isEqualTo(Kind.AMBIGUOUS);
    assertThat(StepFailures.classify(new IllegalStateException("bug"), RemediationAction.NOTIFY))
        .isEqualTo(Kind.PERMANENT);
  }

  @Test
  void shouldSurviveACyclicCauseChain() {
    var a = new RuntimeException("a");
    var b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(StepFailures.wrap(a, RemediationAction.DRAIN).kind()).isEqualTo(Kind.AMBIGUOUS);
  }
}
