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
 * The package arrows of the core run one way: the API and engine in {@code io.toykv.core}, then
 * {@code log}, then {@code index} and {@code io}; {@code tools} sits on top of the API. Each rule fails
 * when an arrow runs back.
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

    private static final DescribedPredicate<JavaClass> API_AND_ENGINE_BUT_CORRUPTION =
            JavaClass.Predicates.resideInAPackage("io.toykv.core")
                    .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(CorruptionException.class)))
                    .as("io.toykv.core (but CorruptionException)");

    @Test
    void ioDependsOnNoOtherPartOfTheCore() {
        noClasses().that().resideInAPackage("io.toykv.core.io..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.toykv.core", "io.toykv.core.log..", "io.toykv.core.index..", "io.toykv.core.tools..")
                .check(core);
    }

    @Test
    void indexDependsOnNoOtherPartOfTheCore() {
        noClasses().that().resideInAPackage("io.toykv.core.index..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.toykv.core", "io.toykv.core.log..", "io.toykv.core.io..", "io.toykv.core.tools..")
                .check(core);
    }

    @Test
    void logKnowsNeitherTheIndexNorTheEngine() {
        noClasses().that().resideInAPackage("io.toykv.core.log..")
                .should().dependOnClassesThat().resideInAnyPackage("io.toykv.core.index..", "io.toykv.core.tools..")
                .orShould().dependOnClassesThat(API_AND_ENGINE_BUT_CORRUPTION)
                .check(core);
    }

    @Test
    void onlyToolsUseTools() {
        noClasses().that().resideOutsideOfPackage("io.toykv.core.tools..")
                .should().dependOnClassesThat().resideInAPackage("io.toykv.core.tools..")
                .check(core);
    }
}
