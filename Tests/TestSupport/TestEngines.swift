// The fast engine as the fast-vs-reference and fixture tests see it: plain, or with every
// contraction output perturbed when `ATKD_TEST_PERTURB` is set (`make test-robust`).

import Foundation
import TensorCore
import FastEngine

/// Engines for tests that compare the fast engine with the reference or with fixtures.
public enum TestEngines {
    /// ε from `ATKD_TEST_PERTURB` (e.g. `1e-6`), nil when unset; a malformed value stops the test run.
    public static let perturbation: Float? = {
        guard let s = ProcessInfo.processInfo.environment["ATKD_TEST_PERTURB"], !s.isEmpty else { return nil }
        guard let e = Float(s), e >= 0, e < 0.5 else { fatalError("ATKD_TEST_PERTURB=\(s): expected a number in [0, 0.5)") }
        return e
    }()

    /// Seed of the perturbation (`ATKD_TEST_PERTURB_SEED`, default 1).
    public static let perturbationSeed: UInt64 = {
        UInt64(ProcessInfo.processInfo.environment["ATKD_TEST_PERTURB_SEED"] ?? "") ?? 1
    }()

    /// `FastEngine(threads:)`, wrapped in `PerturbedKernels` when `ATKD_TEST_PERTURB` is set.
    public static func fast(threads: Int = FastEngine.defaultThreads) -> any Kernels {
        let engine = FastEngine(threads: threads)
        guard let eps = perturbation else { return engine }
        return PerturbedKernels(engine, relative: eps, seed: perturbationSeed)
    }
}
