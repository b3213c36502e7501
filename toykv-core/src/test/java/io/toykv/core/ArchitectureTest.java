package io.toykv.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package arrows of the core run one way: the API in {@code io.toykv.core}, then the engine in
 * {@code io.toykv.core.engine}, then {@code log}, then {@code index} and {@code io}; {@code tools} sits on
 * top of the API. Each rule fails when an arrow runs back.
 *
 * <p>One arrow still runs back, named here as the only exception: {@code log} throws the API's
 * {@link CorruptionException}. Moving that public class, or giving it a base class in a lower package
 * that {@code log} would throw instead, would change what callers catch; see the package-info of
 * {@code io.toykv.core.log}.
 */
class ArchitectureTest {
    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.toykv.core");
    }

    /** What the engine may use of the API package: the value types and options, not the facade. */
    private static final DescribedPredicate<JavaClass> API_FACADE = JavaClass.Predicates.resideInAPackage(
                    "io.toykv.core")
            .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(
                    StoreOptions.class,
                    SyncMode.class,
                    StoreStats.class,
                    Entry.class,
                    ScanIterator.class,
                    CorruptionException.class)))
            .as("the API facade (io.toykv.core but its value types, options and CorruptionException)");

    private static final DescribedPredicate<JavaClass> API_AND_ENGINE_BUT_CORRUPTION =
            JavaClass.Predicates.resideInAPackage("io.toykv.core")
                    .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(CorruptionException.class)))
                    .or(JavaClass.Predicates.resideInAPackage("io.toykv.core.engine.."))
                    .as("io.toykv.core (but CorruptionException) or io.toykv.core.engine");

    @Test
    void ioDependsOnNoOtherPartOfTheCore() {
        noClasses()
                .that()
                .resideInAPackage("io.toykv.core.io..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.toykv.core",
                        "io.toykv.core.engine..",
                        "io.toykv.core.log..",
                        "io.toykv.core.index..",
                        "io.toykv.core.tools..")
                .check(core);
    }

    @Test
    void indexDependsOnNoOtherPartOfTheCore() {
        noClasses()
                .that()
                .resideInAPackage("io.toykv.core.index..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.toykv.core",
                        "io.toykv.core.engine..",
                        "io.toykv.core.log..",
                        "io.toykv.core.io..",
                        "io.toykv.core.tools..")
                .check(core);
    }

    @Test
    void logKnowsNeitherTheIndexNorTheEngine() {
        noClasses()
                .that()
                .resideInAPackage("io.toykv.core.log..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.toykv.core.index..", "io.toykv.core.tools..")
                .orShould()
                .dependOnClassesThat(API_AND_ENGINE_BUT_CORRUPTION)
                .check(core);
    }

    @Test
    void engineUsesOnlyTheApiValueTypes() {
        noClasses()
                .that()
                .resideInAPackage("io.toykv.core.engine..")
                .should()
                .dependOnClassesThat(API_FACADE)
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.toykv.core.tools..")
                .check(core);
    }

    @Test
    void onlyToolsUseTools() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.toykv.core.tools..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.toykv.core.tools..")
                .check(core);
    }
}
