package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UnknownIdsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final UnknownIds ids = new UnknownIds(Duration.ofSeconds(30), nanos::get);
  private final SchemaRegistryException notFound =
      new SchemaRegistryException(404, 40403, "GET /schemas/ids/77: Schema 77 not found");

  @Test
  void shouldAnswerAnUnknownIdFromMemoryUntilTheTtlPasses() {
    ids.remember(77, notFound);

    assertThatThrownBy(() -> ids.check(77))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("Schema 77 not found")
        .hasMessageContaining("remembered for 30s")
        .matches(e -> ((SchemaRegistryException) e).isNotFound());
    nanos.addAndGet(Duration.ofSeconds(31).toNanos());
    assertThatCode(() -> ids.check(77)).doesNotThrowAnyException();
  }

  @Test
  void shouldNeverAnswerAnIdItWasNotToldAbout() {
    ids.remember(77, notFound);
    assertThatCode(() -> ids.check(78)).doesNotThrowAnyException();
  }

  @Test
  void shouldForgetTheOldestIdsBeyondItsBound() {
    for (int id = 0; id <= UnknownIds.MAX_ENTRIES; id++) {
      ids.remember(id, notFound);
    }
    assertThatCode(() -> ids.check(0)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ids.check(UnknownIds.MAX_ENTRIES))
        .isInstanceOf(SchemaRegistryException.class);
  }

  @Test
  void shouldLookUpAtMostItsBudgetOfIdsASecond() {
    for (int i = 0; i < UnknownIds.LOOKUPS_PER_SECOND; i++) {
      int id = i;
      assertThatCode(() -> ids.takeLookup(id)).doesNotThrowAnyException();
    }
    assertThatThrownBy(() -> ids.takeLookup(999))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("schema id 999 not looked up");
    nanos.addAndGet(Duration.ofMillis(50).toNanos());
    assertThatCode(() -> ids.takeLookup(999)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ids.takeLookup(1000)).isInstanceOf(SchemaRegistryException.class);
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    for (int i = 0; i < UnknownIds.LOOKUPS_PER_SECOND; i++) {
      int id = i;
      assertThatCode(() -> ids.takeLookup(id)).doesNotThrowAnyException();
    }
  }
}
