// Timing of the hot ops, fast vs reference (prints, never asserts timing).
// Runs only with ATKD_BENCH=1 in the environment:
//   ATKD_BENCH=1 [OPENBLAS_CORETYPE=Haswell] swift test -c release --filter FastEngineBenchmarkTests

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

final class FastEngineBenchmarkTests: FastEngineTestCase {
    /// Best wall time of `reps` runs, in seconds.
    func time(_ reps: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<reps {
            let d = clock.measure(body)
            best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        return best
    }

    func testBenchmarkConvAndBatchNorm() throws {
        guard getenv("ATKD_BENCH") != nil else { throw XCTSkip("set ATKD_BENCH=1 to run the benchmark") }
        let coretype = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) } ?? "auto"
        print("benchmark (OPENBLAS_CORETYPE=\(coretype)), best of 3, times in ms")
        // N, C, H, O, k, stride, groups: resnet20 stage 1 and 3, a 1×1, a MobileNetV2 depthwise.
        let layers: [(String, Int, Int, Int, Int, Int, Int, Int)] = [
            ("resnet20 16→16 3×3 @32²", 128, 16, 32, 16, 3, 1, 1),
            ("resnet20 64→64 3×3 @8²", 128, 64, 8, 64, 3, 1, 1),
            ("wrn 160→160 3×3 @32² (n=16)", 16, 160, 32, 160, 3, 1, 1),
            ("1×1 96→24 @16²", 128, 96, 16, 24, 1, 1, 1),
            ("depthwise 96 3×3 @16²", 128, 96, 16, 96, 3, 1, 96),
            ("depthwise 48 3×3 @32²", 128, 48, 32, 48, 3, 1, 48),
            ("depthwise 288 3×3 @8²", 128, 288, 8, 288, 3, 1, 288),
            ("depthwise 96 3×3 s2 @16²", 128, 96, 16, 96, 3, 2, 96),
            ("AW conv 128 groups 16→16 3×3 @8² (n=1)", 1, 128 * 16, 8, 128 * 16, 3, 1, 128),
        ]
        for (name, n, c, h, o, k, s, g) in layers {
            let config = ConvConfig(stride: s, padding: k / 2, groups: g)
            let x = randn([n, c, h, h], seed: 1), w = randn([o, c / g, k, k], seed: 2, std: 0.1)
            let ho = config.outputSize(h, kernel: k)
            let dy = randn([n, o, ho, ho], seed: 3)
            let flop = 2.0 * Double(n * o * ho * ho * (c / g) * k * k)
            var line = "\(name):"
            for threads in [1, 2] {
                let fast = FastEngine(threads: threads)
                let f = time(3) { _ = fast.conv2d(x, weight: w, bias: nil, config) }
                let b = time(3) { _ = fast.conv2dBackward(x, weight: w, hasBias: true, config, dy: dy) }
                line += String(format: " | fast t%d fwd %.1f (%.1f GFLOP/s) bwd %.1f (%.1f GFLOP/s)",
                               threads, f * 1e3, flop / f * 1e-9, b * 1e3, 2 * flop / b * 1e-9)
            }
            if n * c * h * h <= 128 * 16 * 32 * 32 {
                let rf = time(1) { _ = ref.conv2d(x, weight: w, bias: nil, config) }
                let rb = time(1) { _ = ref.conv2dBackward(x, weight: w, hasBias: true, config, dy: dy) }
                line += String(format: " | reference fwd %.1f bwd %.1f", rf * 1e3, rb * 1e3)
            }
            print(line)
        }
        let x = randn([128, 16, 32, 32], seed: 4), gamma = randn([16], seed: 5), beta = randn([16], seed: 6)
        let dy = randn(x.shape, seed: 7)
        let st = ref.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
        var line = "batchnorm train [128,16,32,32]:"
        for threads in [1, 2] {
            let fast = FastEngine(threads: threads)
            let f = time(3) { _ = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5) }
            let b = time(3) { _ = fast.batchNormTrainBackward(x, gamma: gamma, mean: st.mean, invStd: st.invStd, dy: dy) }
            let r = time(3) { _ = fast.relu(x) }
            let rb = time(3) { _ = fast.reluBackward(x, dy: dy) }
            line += String(format: " | fast t%d fwd %.2f bwd %.2f relu %.2f relu' %.2f",
                           threads, f * 1e3, b * 1e3, r * 1e3, rb * 1e3)
        }
        let rf = time(1) { _ = ref.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5) }
        let rb = time(1) { _ = ref.batchNormTrainBackward(x, gamma: gamma, mean: st.mean, invStd: st.invStd, dy: dy) }
        let rr = time(1) { _ = ref.relu(x) }
        print(line + String(format: " | reference fwd %.2f bwd %.2f relu %.2f", rf * 1e3, rb * 1e3, rr * 1e3))
    }
}
