// Helpers shared by the layer tests: contexts and a gradient check of a layer's pullback.

import XCTest
import TensorCore
import ReferenceEngine
import NN
import TestSupport

func trainContext(seed: UInt64 = 0) -> ForwardContext {
    ForwardContext(engine: ReferenceEngine(), training: true, rng: SeededRNG(seed: seed))
}

func evalContext() -> ForwardContext { ForwardContext(engine: ReferenceEngine(), training: false) }

/// Central-difference check of d(Σ y ⊙ r)/d x and /d every parameter of `layer`
/// (random r; parameters perturbed in place and restored).
func checkLayerGradients(_ layer: any Layer, input x: Tensor, training: Bool = true, eps: Float = 1e-2,
                         rtol: Double = 1e-2, atol: Double = 1e-3,
                         file: StaticString = #filePath, line: UInt = #line) {
    let params = layer.parameters
    let saved = layer.buffers.map(\.value)
    func restoreBuffers() { for (b, v) in zip(layer.buffers, saved) { b.value = v } }
    let inputs = [x] + params.map(\.value)
    let names = ["x"] + params.map(\.name)
    checkGradient(of: { ts in
        for (p, v) in zip(params, ts.dropFirst()) { p.value = v }
        defer { restoreBuffers() }
        return layer.forward(ts[0], ForwardContext(engine: ReferenceEngine(), training: training)).0
    }, inputs: inputs, names: names, analytic: { ts, r in
        for (p, v) in zip(params, ts.dropFirst()) { p.value = v; p.zeroGrad() }
        defer { restoreBuffers() }
        let (_, pb) = layer.forward(ts[0], ForwardContext(engine: ReferenceEngine(), training: training))
        let dx = pb(r)
        return [dx] + params.map { Optional($0.grad) }
    }, eps: eps, rtol: rtol, atol: atol, file: file, line: line)
    for (p, v) in zip(params, inputs.dropFirst()) { p.value = v }
}
