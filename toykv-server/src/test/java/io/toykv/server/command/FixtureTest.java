package io.toykv.server.command;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test whose every method starts with a fresh {@link CommandFixture} over an empty store. */
abstract class FixtureTest {
    @TempDir
    Path dir;

    CommandFixture f;

    @BeforeEach
    void openFixture() {
        f = new CommandFixture(dir);
    }

    @AfterEach
    void closeFixture() {
        f.close();
    }
}
