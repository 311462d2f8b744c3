package io.gpuward;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Optional;
import java.util.TimeZone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of {@link PackageLayersTest}, checked again over the compiled classes, where
 * nothing hides: a dependency through a field type, a lambda, a generic bound or a constant counts
 * as much as an import. Layers come from {@link PackageLayersTest#LAYERS}.
 */
class ArchitectureTest {

  private static final String ROOT = "io.gpuward";
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void shouldHaveNoCycleBetweenTopLevelPackages() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void shouldDependOnlyOnTheSamePackageOrALowerLayer() {
    ArchRule rule = classes().that().resideInAPackage(ROOT + "..").should(dependOnlyDownwards());
    rule.check(main);
  }

  @Test
  void shouldKeepTheRolesApartFromTheSimulatorAndTheExporter() {
    noClasses()
        .that()
        .resideInAnyPackage(ROOT + ".engine..", ROOT + ".remediation..", ROOT + ".watch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(ROOT + ".exporter..", ROOT + ".sim..")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage(ROOT + ".exporter..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT + ".sim..")
        .check(main);
  }

  /** Rules and facts are pure: no Kafka, and nothing that changes the JVM for everybody. */
  @Test
  void shouldKeepTheDomainFreeOfKafkaAndOfGlobalSideEffects() {
    noClasses()
        .that()
        .resideInAnyPackage(ROOT + ".engine.domain..", ROOT + ".fleet..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.kafka..")
        .check(main);
    // typed config is built on Kafka's ConfigDef on purpose, so it is checked for side effects only
    noClasses()
        .that()
        .resideInAnyPackage(
            ROOT + ".engine.domain..", ROOT + ".fleet..", ROOT + ".config..", ROOT + ".remediation")
        .should()
        .callMethod(System.class, "setProperty", String.class, String.class)
        .orShould()
        .callMethod(System.class, "setOut", PrintStream.class)
        .orShould()
        .callMethod(Locale.class, "setDefault", Locale.class)
        .orShould()
        .callMethod(TimeZone.class, "setDefault", TimeZone.class)
        .check(main);
  }

  @Test
  void shouldImportTheWholeMainCode() {
    assertThat(main.containPackage(ROOT + ".engine.domain")).isTrue();
    assertThat(main.stream().filter(c -> c.getSimpleName().endsWith("Test"))).isEmpty();
  }

  private static ArchCondition<JavaClass> dependOnlyDownwards() {
    return new ArchCondition<>("depend only on their own package or a lower layer") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        String from = topPackage(item.getPackageName()).orElseThrow();
        for (Dependency d : item.getDirectDependenciesFromSelf()) {
          Optional<String> to = topPackage(d.getTargetClass().getPackageName());
          if (to.isPresent() && !allowed(from, to.get())) {
            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
          }
        }
      }
    };
  }

  private static boolean allowed(String from, String to) {
    Integer toLayer = PackageLayersTest.LAYERS.get(to);
    Integer fromLayer = PackageLayersTest.LAYERS.get(from);
    return to.equals(from) || (toLayer != null && fromLayer != null && toLayer < fromLayer);
  }

  private static Optional<String> topPackage(String pkg) {
    if (!pkg.startsWith(ROOT + ".")) {
      return Optional.empty();
    }
    String rest = pkg.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return Optional.of(dot < 0 ? rest : rest.substring(0, dot));
  }
}
