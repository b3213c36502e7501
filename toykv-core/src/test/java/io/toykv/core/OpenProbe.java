package io.toykv.core;

import java.nio.file.Path;

/** Child process for {@link StoreApiTest}: tries to open a store, prints the error, exits 1 on failure. */
public final class OpenProbe {
    private OpenProbe() {}

    public static void main(String[] args) {
        try (Store s = Store.open(Path.of(args[0]))) {
            System.out.println("opened");
        } catch (Exception e) {
            System.out.println(e.getMessage());
            System.exit(1);
        }
    }
}
