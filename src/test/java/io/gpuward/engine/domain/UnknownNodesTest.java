package io.gpuward.engine.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Telemetry of a node without inventory: accepted inside the grace, rejected with a reason after.
 */
class UnknownNodesTest {
  private static final Duration GRACE = Duration.ofMinutes(2);
  private static final long FIRST = 1_800_000_000_000L;

  @Test
  void shouldAcceptInsideTheGraceIncludingOutOfOrderRecords() {
    assertThat(UnknownNodes.check("n", FIRST, FIRST, GRACE)).isEmpty();
    assertThat(UnknownNodes.check("n", FIRST, FIRST + GRACE.toMillis(), GRACE)).isEmpty();
    assertThat(UnknownNodes.check("n", FIRST, FIRST - 5_000, GRACE)).isEmpty();
  }

  @Test
  void shouldRejectAfterTheGraceNamingTheNode() {
    assertThat(UnknownNodes.check("p5-ghost-1", FIRST, FIRST + GRACE.toMillis() + 1, GRACE))
        .hasValueSatisfying(
            r -> assertThat(r).contains("unknown node 'p5-ghost-1'").contains("no inventory"));
  }
}
