package io.toykv.core;

import java.io.IOException;

/** Lets tests in other packages leave a store as a kill -9 would. */
public final class Abandon {
    private Abandon() {}

    public static void abandon(Store store) throws IOException {
        store.abandon();
    }
}
