package io.gpuward.contract.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.gpuward.contract.SchemaRegistryException;
import io.gpuward.testing.ProbeSchemas;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class RegistryCoreTest {

  // v1 {a}; v2 {a, b?}; {a, c} adds a required field; {b?} drops a.
  private static final String V1 =
      SchemaBuilder.record("R").fields().requiredString("a").endRecord().toString();
  private static final String V2 =
      SchemaBuilder.record("R")
          .fields()
          .requiredString("a")
          .optionalInt("b")
          .endRecord()
          .toString();
  private static final String V3_REQUIRED_C =
      SchemaBuilder.record("R")
          .fields()
          .requiredString("a")
          .requiredLong("c")
          .endRecord()
          .toString();
  private static final String V3_WITHOUT_A =
      SchemaBuilder.record("R").fields().optionalInt("b").endRecord().toString();

  private final InMemorySchemaStore store = new InMemorySchemaStore();
  private final RegistryCore core = new RegistryCore(store);

  @Test
  void shouldNumberVersionsAndIgnoreWhitespaceWhenComparing() {
    var first = core.register("s", V1);
    var second = core.register("s", V2);
    var again = core.register("s", "  " + V1.replace(",", " ,\n  ") + "\n");

    assertThat(first.version()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
    assertThat(again.version()).isEqualTo(1);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(core.versions("s")).containsExactly(1, 2);
    assertThat(core.version("s", "latest").id()).isEqualTo(second.id());
    assertThat(core.version("s", "1").id()).isEqualTo(first.id());
  }

  @Test
  void shouldTreatDifferentDefaultsAsDifferentSchemas() {
    String withDefault = V1.replace("\"type\":\"string\"", "\"type\":\"string\",\"default\":\"x\"");
    int a = core.register("s", V1).id();
    int b = core.register("s", withDefault).id();

    assertThat(b).isNotEqualTo(a);
  }

  @Test
  void shouldCheckOnlyLatestUnlessTransitive() {
    core.register("t", V1); // {a: string}
    core.setCompatibility("t", "NONE");
    core.register("t", V3_WITHOUT_A); // {b?}
    // {a: int = 0, b?} reads {b?} data (a from its default) but not {a: string} data
    String intA =
        SchemaBuilder.record("R")
            .fields()
            .name("a")
            .type()
            .intType()
            .intDefault(0)
            .optionalInt("b")
            .endRecord()
            .toString();

    core.setCompatibility("t", "BACKWARD");
    assertThat(core.isCompatible("t", "latest", intA)).isTrue();
    assertThat(core.isCompatible("t", "1", intA)).isFalse();

    core.setCompatibility("t", "BACKWARD_TRANSITIVE");
    assertThat(core.isCompatible("t", "latest", intA)).isFalse();
    assertThat(code(() -> core.register("t", intA))).isEqualTo(40901);
  }

  @Test
  void shouldRefuseForwardIncompatibleSchema() {
    core.setCompatibility("s", "FORWARD");
    core.register("s", V1);

    assertThat(core.isCompatible("s", "latest", V3_REQUIRED_C)).isTrue(); // old reader ignores c
    assertThat(core.isCompatible("s", "latest", V3_WITHOUT_A)).isFalse(); // old reader needs a
  }

  @Test
  void shouldApplyFullCompatibilityBothWays() {
    core.setCompatibility(null, "FULL");
    core.register("s", V1);

    assertThat(core.isCompatible("s", "latest", V2)).isTrue(); // optional field with default
    assertThat(core.isCompatible("s", "latest", V3_REQUIRED_C)).isFalse(); // new can't read old
    assertThat(core.isCompatible("s", "latest", V3_WITHOUT_A)).isFalse(); // old can't read new
    assertThat(core.compatibility("s")).isEqualTo(CompatibilityLevel.FULL);
  }

  @Test
  void shouldAnswerConfluentErrorCodes() {
    core.register("s", V1);

    assertThat(code(() -> core.lookup("nope", V1))).isEqualTo(40401);
    assertThat(code(() -> core.lookup("s", V2))).isEqualTo(40403);
    assertThat(code(() -> core.version("s", "7"))).isEqualTo(40402);
    assertThat(code(() -> core.version("s", "zero"))).isEqualTo(42202);
    assertThat(code(() -> core.versions("nope"))).isEqualTo(40401);
    assertThat(code(() -> core.schemaById(99))).isEqualTo(40403);
    assertThat(code(() -> core.register("s", "{\"type\":\"record\"}"))).isEqualTo(42201);
    assertThat(code(() -> core.register("s", V3_REQUIRED_C))).isEqualTo(40901);
    assertThat(code(() -> core.setCompatibility("s", "LOOSE"))).isEqualTo(42203);
  }

  @Test
  void shouldRebuildTheSameStateFromItsStore() {
    int v1 = core.register("s", V1).id();
    int v2 = core.register("s", V2).id();
    int shared = core.register("other", V1).id();
    core.setCompatibility("s", "FULL_TRANSITIVE");

    RegistryCore reopened = new RegistryCore(store);

    assertThat(shared).isEqualTo(v1);
    assertThat(reopened.subjects()).containsExactly("other", "s");
    assertThat(reopened.version("s", "latest").id()).isEqualTo(v2);
    assertThat(reopened.compatibility("s")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
    assertThat(reopened.register("new", V3_REQUIRED_C).id()).isEqualTo(v2 + 1);
  }

  @Test
  void shouldLeaveStateUnchangedWhenTheStoreFails() {
    RegistryCore broken = new RegistryCore(ProbeSchemas.failingStore());

    assertThatThrownBy(() -> broken.register("s", V1))
        .asInstanceOf(type(SchemaRegistryException.class))
        .satisfies(e -> assertThat(e.httpStatus()).isEqualTo(500))
        .satisfies(e -> assertThat(e.errorCode()).isEqualTo(50001))
        .satisfies(e -> assertThat(e.getMessage()).contains("disk full"));
    assertThat(broken.subjects()).isEmpty();
  }

  @Test
  void shouldLeaveSoftDeletedVersionsOutOfCompatibilityChecks() {
    core.register("s", V1);
    core.deleteVersion("s", "1", false);

    // V3_WITHOUT_A cannot read V1's data, but V1 is soft-deleted and no longer checked.
    var registered = core.register("s", V3_WITHOUT_A);

    assertThat(registered.version()).isEqualTo(2);
    assertThat(core.versions("s")).containsExactly(2);
    assertThat(core.versions("s", true)).containsExactly(1, 2);
  }

  @Test
  void shouldRegisterASoftDeletedSchemaAgainAsANewVersionWithItsId() {
    int id = core.register("s", V1).id();
    core.deleteSubject("s", false);

    var again = core.register("s", V1);

    assertThat(again.id()).isEqualTo(id);
    assertThat(again.version()).isEqualTo(2);
  }

  @Test
  void shouldKeepSoftDeletesAndNeverReuseAPermanentlyDeletedIdAfterReopening() {
    core.register("keep", V1);
    int dropped = core.register("drop", V3_REQUIRED_C).id();
    core.deleteSubject("keep", false);
    core.deleteSubject("drop", false);
    core.deleteSubject("drop", true);
    // A compacted topic loses the deleted registration's record; only the watermark remains.
    var compacted = new InMemorySchemaStore();
    store.load().stream()
        .filter(e -> !(e instanceof SchemaStore.SchemaEntry s) || !s.subject().equals("drop"))
        .filter(e -> !(e instanceof SchemaStore.SchemaRemoved))
        .forEach(compacted::append);

    RegistryCore reopened = new RegistryCore(compacted);

    assertThat(reopened.subjects()).isEmpty();
    assertThat(reopened.subjects(true, false, "")).containsExactly("keep");
    assertThat(reopened.register("new", V3_WITHOUT_A).id()).isEqualTo(dropped + 1);
  }

  @Test
  void shouldAnswerConfluentCodesForDeletes() {
    core.register("s", V1);

    assertThat(code(() -> core.deleteSubject("none", false))).isEqualTo(40401);
    assertThat(code(() -> core.deleteSubject("s", true))).isEqualTo(40405);
    assertThat(code(() -> core.deleteVersion("s", "9", false))).isEqualTo(40402);
    assertThat(code(() -> core.deleteVersion("s", "1", true))).isEqualTo(40407);
    core.deleteVersion("s", "1", false);
    assertThat(code(() -> core.deleteVersion("s", "1", false))).isEqualTo(40406);
    assertThat(code(() -> core.deleteSubject("s", false))).isEqualTo(40404);
    assertThat(code(() -> core.ownCompatibility("s"))).isEqualTo(40408);
    assertThat(code(() -> core.ownMode("s"))).isEqualTo(40409);
  }

  @Test
  void shouldDropASubjectsCompatibilityAndModeWithItsPermanentDelete() {
    core.register("s", V1);
    core.setCompatibility("s", "FULL");
    core.setMode("s", "READWRITE");
    core.deleteSubject("s", false);

    core.deleteSubject("s", true);

    assertThat(code(() -> core.ownCompatibility("s"))).isEqualTo(40408);
    assertThat(code(() -> core.ownMode("s"))).isEqualTo(40409);
  }

  @Test
  void shouldMakeEverySubjectReadOnlyUnderAGlobalOverride() {
    core.register("s", V1);
    core.setMode("s", "READWRITE");
    core.setMode(null, "READONLY_OVERRIDE");

    assertThat(code(() -> core.register("s", V2))).isEqualTo(42205);
    assertThat(code(() -> core.register("s", V1))).isEqualTo(42205);
    assertThat(core.version("s", "latest").version()).isEqualTo(1);
    core.deleteMode(null);
    assertThat(core.register("s", V2).version()).isEqualTo(2);
  }

  private static int code(Runnable call) {
    try {
      call.run();
    } catch (SchemaRegistryException e) {
      return e.errorCode();
    }
    throw new AssertionError("expected a SchemaRegistryException");
  }
}
