// A small learnable dataset made in memory: each class has its own colour and stripe.

import TensorCore
import Training

final class SyntheticData: DataProvider {
    let classes: Int
    let size: Int
    let train: [(Tensor, Int)]
    let test: [(Tensor, Int)]
    /// Drawn after the test images, so a validation split leaves train and test unchanged.
    let validation: [(Tensor, Int)]

    init(classes: Int = 4, size: Int = 8, trainPerClass: Int = 16, testPerClass: Int = 8, validationPerClass: Int = 0,
         seed: UInt64 = 11) {
        self.classes = classes; self.size = size
        var rng = SeededRNG(seed: seed)
        func image(_ c: Int) -> Tensor {
            var t = Tensor.randn([3, size, size], std: 0.5, rng: &rng)
            for ch in 0..<3 {
                for i in 0..<size {
                    for j in 0..<size {
                        let stripe: Float = (c % 2 == 0 ? i : j) % 2 == 0 ? 1 : -1
                        t.data[(ch * size + i) * size + j] += Float(ch == c % 3 ? 1 : 0) + stripe * Float(c / 2)
                    }
                }
            }
            return t
        }
        train = (0..<(classes * trainPerClass)).map { (image($0 % classes), $0 % classes) }
        test = (0..<(classes * testPerClass)).map { (image($0 % classes), $0 % classes) }
        validation = (0..<(classes * validationPerClass)).map { (image($0 % classes), $0 % classes) }
    }

    var classNames: [String] { (0..<classes).map { "c\($0)" } }
    var trainCount: Int { train.count }
    var testCount: Int { test.count }
    var imageShape: [Int] { [3, size, size] }
    func batchesPerEpoch(batchSize: Int) -> Int { train.count / batchSize }

    func batch(_ items: [(Tensor, Int)], indices: [Int]? = nil) -> LabeledBatch {
        LabeledBatch(x: Tensor(shape: [items.count, 3, size, size], data: items.flatMap { $0.0.data }),
                     labels: items.map { $0.1 }, indices: indices)
    }

    var trainLabels: [Int]? { train.map { $0.1 } }

    func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch> {
        var rng = SeededRNG(seed: mixSeed(seed, UInt64(epoch)))
        let order = rng.permutation(train.count)
        var b = startBatch
        let n = batchesPerEpoch(batchSize: batchSize)
        return AnyIterator {
            guard b < n else { return nil }
            defer { b += 1 }
            let picked = Array(order[(b * batchSize)..<((b + 1) * batchSize)])
            return self.batch(picked.map { self.train[$0] }, indices: picked)
        }
    }

    func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch> { inOrder(test, batchSize: batchSize) }

    var validationCount: Int { validation.count }

    func validationBatches(batchSize: Int) -> AnyIterator<LabeledBatch>? {
        validation.isEmpty ? nil : inOrder(validation, batchSize: batchSize)
    }

    func inOrder(_ items: [(Tensor, Int)], batchSize: Int) -> AnyIterator<LabeledBatch> {
        var start = 0
        return AnyIterator {
            guard start < items.count else { return nil }
            defer { start += batchSize }
            return self.batch(Array(items[start..<min(start + batchSize, items.count)]))
        }
    }
}
