package io.toykv.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The server reaches the engine through toykv-core's public API alone, never through its internals. */
class CoreApiOnlyTest {
    @Test
    void serverUsesOnlyTheCoresPublicApi() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.toykv.core.engine..",
                        "io.toykv.core.log..",
                        "io.toykv.core.index..",
                        "io.toykv.core.io..",
                        "io.toykv.core.tools..")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.toykv.server"));
    }
}
