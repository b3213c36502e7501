package io.toykv.bench.gc;

import java.util.Random;

/** Which key an overwrite hits: uniformly, or Zipfian (YCSB's constant 0.99) with the hot keys scattered. */
interface KeyChooser {
    int next();

    final class Uniform implements KeyChooser {
        private final Random random;
        private final int n;

        Uniform(int n, long seed) {
            this.n = n;
            this.random = new Random(seed);
        }

        @Override
        public int next() {
            return random.nextInt(n);
        }
    }

    /** Gray et al.'s Zipfian generator as YCSB uses it; ranks are hashed so hot keys are spread out. */
    final class Zipfian implements KeyChooser {
        private static final double THETA = 0.99;
        private final Random random;
        private final int n;
        private final double alpha;
        private final double zetan;
        private final double eta;

        Zipfian(int n, long seed) {
            this.n = n;
            this.random = new Random(seed);
            double zeta2 = 1 + Math.pow(0.5, THETA);
            double z = 0;
            for (int i = 1; i <= n; i++) {
                z += 1 / Math.pow(i, THETA);
            }
            this.zetan = z;
            this.alpha = 1 / (1 - THETA);
            this.eta = (1 - Math.pow(2.0 / n, 1 - THETA)) / (1 - zeta2 / zetan);
        }

        @Override
        public int next() {
            double u = random.nextDouble();
            double uz = u * zetan;
            long rank;
            if (uz < 1) {
                rank = 0;
            } else if (uz < 1 + Math.pow(0.5, THETA)) {
                rank = 1;
            } else {
                rank = (long) (n * Math.pow(eta * u - eta + 1, alpha));
            }
            long h = rank * 0x9E3779B97F4A7C15L;
            h ^= h >>> 31;
            return (int) Long.remainderUnsigned(h, n);
        }
    }
}
