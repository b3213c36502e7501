package io.toykv.bench.gc;

import java.util.Random;
import site.ycsb.generator.ScrambledZipfianGenerator;

/** Which key an overwrite hits: uniformly, or Zipfian with YCSB's own generator (constant 0.99, scrambled). */
interface KeyChooser {
    int next();

    static KeyChooser uniform(int n, long seed) {
        Random random = new Random(seed);
        return () -> random.nextInt(n);
    }

    static KeyChooser zipfian(int n) {
        ScrambledZipfianGenerator zipf = new ScrambledZipfianGenerator(n);
        return () -> zipf.nextValue().intValue();
    }
}
