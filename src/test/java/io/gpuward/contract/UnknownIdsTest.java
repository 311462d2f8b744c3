package io.gpuward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class UnknownIdsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final UnknownIds ids = new UnknownIds(Duration.ofSeconds(30), nanos::get);
  private int nextId = 1_000;
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

  @Test
  void shouldRefuseSlowLookupsOnceTheirTimeBudgetIsSpentThoughTheCountWouldAllowMore() {
    int looked = lookUpUntilRefused(50, 200);

    assertThat(looked)
        .as("250 ms of lookups at 50 ms each, the last one overdrawing what refilled meanwhile")
        .isEqualTo(6)
        .isLessThan(UnknownIds.LOOKUPS_PER_SECOND);
    assertThatThrownBy(() -> ids.takeLookup(999))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("schema id 999 not looked up")
        .hasMessageContaining("took more than 5% of the time")
        .matches(e -> ((SchemaRegistryException) e).httpStatus() == 429);
  }

  @Test
  void shouldAllowExactlyTheBurstOfLookupTimeAtOnce() {
    for (int i = 0; i < 5; i++) {
      ids.takeLookup(i);
      ids.spent(Duration.ofMillis(50).toNanos());
    }
    assertThatThrownBy(() -> ids.takeLookup(5)).hasMessageContaining("5% of the time");
  }

  @Test
  void shouldBoundFastLookupsByTheirCount() {
    int looked = lookUpUntilRefused(1, 200);

    assertThat(looked).isEqualTo(UnknownIds.LOOKUPS_PER_SECOND);
    assertThatThrownBy(() -> ids.takeLookup(999))
        .hasMessageContaining("more than 20 unknown schema ids a second");
  }

  @Test
  void shouldRefillTheTimeBudgetAtItsShareOfWallTime() {
    lookUpUntilRefused(50, 200);
    assertThatThrownBy(() -> ids.takeLookup(999)).hasMessageContaining("5% of the time");

    // 6 x 50 ms = 300 ms charged, 12.5 ms refilled during the last 5 (the budget was full during
    // the first): 37.5 ms beyond the 250 ms burst, which 5% of 750 ms of wall time refills.
    nanos.addAndGet(Duration.ofMillis(740).toNanos());
    assertThatThrownBy(() -> ids.takeLookup(999)).hasMessageContaining("5% of the time");
    nanos.addAndGet(Duration.ofMillis(20).toNanos());
    assertThatCode(() -> ids.takeLookup(999)).doesNotThrowAnyException();

    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(lookUpUntilRefused(50, 200)).isEqualTo(6);
  }

  @Test
  void shouldChargeTheTimeOfAFailedLookup() {
    SchemaRegistryException timedOut =
        new SchemaRegistryException(0, 0, "schema registry did not answer in time");

    assertThatThrownBy(
            () ->
                ids.lookUp(
                    1,
                    () -> {
                      nanos.addAndGet(Duration.ofSeconds(10).toNanos());
                      throw timedOut;
                    }))
        .isSameAs(timedOut);

    assertThatThrownBy(() -> ids.takeLookup(2)).hasMessageContaining("5% of the time");
    assertThatCode(() -> ids.check(1))
        .as("only a 404 is remembered; a timeout may be asked again")
        .doesNotThrowAnyException();
    // 10 s at 5% takes 200 s of wall time to refill; the burst allows 250 ms of it overdrawn.
    nanos.addAndGet(Duration.ofSeconds(194).toNanos());
    assertThatThrownBy(() -> ids.takeLookup(2)).hasMessageContaining("5% of the time");
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThatCode(() -> ids.takeLookup(2)).doesNotThrowAnyException();
  }

  @Test
  void shouldRememberANotFoundAnswerOfALookupAndNotAskAgain() {
    AtomicInteger asked = new AtomicInteger();
    Supplier<String> registry =
        () -> {
          asked.incrementAndGet();
          throw notFound;
        };

    assertThatThrownBy(() -> ids.lookUp(77, registry)).isSameAs(notFound);
    assertThatThrownBy(() -> ids.lookUp(77, registry)).hasMessageContaining("remembered for");
    assertThat(asked).hasValue(1);
  }

  @Test
  void shouldNotChargeTheTimeOfLookupsThatFindTheirSchema() {
    for (int i = 0; i < UnknownIds.LOOKUPS_PER_SECOND; i++) {
      String found =
          ids.lookUp(
              i,
              () -> {
                nanos.addAndGet(Duration.ofMillis(400).toNanos()); // a cold client's first call
                return "schema";
              });
      assertThat(found).isEqualTo("schema");
    }
    // 20 slow lookups in 8 s: only the count bound applies, and it refilled meanwhile.
    assertThatCode(() -> ids.takeLookup(999)).doesNotThrowAnyException();
  }

  @Test
  void shouldStartWithAFullBudgetWhateverTheClockReads() {
    AtomicLong negative = new AtomicLong(Long.MIN_VALUE / 2);
    UnknownIds fresh = new UnknownIds(Duration.ofSeconds(30), negative::get);

    for (int i = 0; i < UnknownIds.LOOKUPS_PER_SECOND; i++) {
      int id = i;
      assertThatCode(() -> fresh.takeLookup(id)).doesNotThrowAnyException();
    }
  }

  /** Looks up distinct ids, each taking {@code millis} on the fake clock, until one is refused. */
  private int lookUpUntilRefused(long millis, int max) {
    AtomicInteger looked = new AtomicInteger();
    for (int i = 0; i < max; i++) {
      try {
        ids.lookUp(
            nextId++,
            () -> {
              looked.incrementAndGet();
              nanos.addAndGet(Duration.ofMillis(millis).toNanos());
              throw notFound;
            });
      } catch (SchemaRegistryException e) {
        if (e.httpStatus() == 429) {
          break;
        }
      }
    }
    return looked.get();
  }
}
