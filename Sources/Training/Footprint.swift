// Model footprint for the IoT claim: single-image CPU latency.

import Foundation
import TensorCore
import NN

public enum Footprint {
    /// Median wall time of `repeats` single-image eval forwards after one warm-up (ms).
    public static func latencyMs(_ model: any Model, inputShape: [Int], engine: any Kernels, repeats: Int = 9) -> Double {
        var rng = SeededRNG(seed: 0)
        let x = Tensor.randn(inputShape, rng: &rng)
        let ctx = ForwardContext(engine: engine, training: false)
        _ = model.forward(x, ctx)
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = Date()
            _ = model.forward(x, ctx)
            times.append(Date().timeIntervalSince(t0) * 1000)
        }
        return times.sorted()[times.count / 2]
    }
}
