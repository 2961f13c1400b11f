// Model footprint for the IoT claim: single-image CPU latency.

import Foundation
import TensorCore
import NN

public enum Footprint {
    /// Median wall time of `repeats` single-image eval forwards after `warmups` (ms), with the
    /// engine's threads (recorded in the run's provenance). The report shows one value per
    /// architecture: the median over that architecture's runs.
    public static func latencyMs(_ model: any Model, inputShape: [Int], engine: any Kernels, repeats: Int = 51,
                                 warmups: Int = 5) -> Double {
        var rng = SeededRNG(seed: 0)
        let x = Tensor.randn(inputShape, rng: &rng)
        let ctx = ForwardContext(engine: engine, training: false)
        for _ in 0..<warmups { _ = model.forward(x, ctx) }
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = Date()
            _ = model.forward(x, ctx)
            times.append(Date().timeIntervalSince(t0) * 1000)
        }
        return times.sorted()[times.count / 2]
    }
}
