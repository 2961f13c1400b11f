// CRD's memory bank (one student row and one teacher row per training image), its
// normalisation constants, and the sampler of negatives with its RNG — all resumable state.

import Foundation
import TensorCore
import NN
import RelatedMethods

/// RepDistiller's `ContrastMemory` buffers plus the negative sampling of its data loader.
///
/// `student` (`memory_v1`) and `teacher` (`memory_v2`) are `[n, F]`, initialised U(−σ, σ) with
/// σ = 1/√(F/3); `normalization` holds (Z_v1, Z_v2), −1 until the first batch sets them.
/// Negatives: with the training labels (RepDistiller's `CIFAR100InstanceSample`, `mode='exact'`),
/// K indices of images of the other classes, drawn without replacement when K does not exceed
/// their number, else with replacement; the positive is the image's own index. Without labels
/// (RepDistiller's `ContrastMemory` when no `contrast_idx` is given), K + 1 uniform draws over all
/// n images with the positive written into the first.
/// - Deviation: the draws come from this sampler's xoshiro256** stream (saved in the checkpoint),
///   not NumPy's / PyTorch's generators, so the indices differ from a PyTorch run's.
public final class ContrastMemory {
    public let student: Buffer
    public let teacher: Buffer
    /// (Z_v1, Z_v2); < 0 = not yet set.
    public let normalization: Buffer
    public let negatives: Int
    /// Per class, the training indices of every other class (nil: uniform sampling).
    let classNegatives: [[Int32]]?
    var rng: SeededRNG

    /// Memory rows for `count` images of width `featureDim`, drawn from `initRNG`; negatives from
    /// a stream seeded with `samplerSeed`.
    public init(count: Int, featureDim: Int, negatives: Int, labels: [Int]?, initRNG: inout SeededRNG,
                samplerSeed: UInt64) {
        precondition(count >= 2, "CRD needs at least 2 training images, got \(count)")
        precondition(labels == nil || labels!.count == count, "CRD: \(labels!.count) labels for \(count) images")
        let stdv = 1 / (Float(featureDim) / 3).squareRoot()
        student = Buffer("crd.memory_v1", Tensor.uniform([count, featureDim], -stdv, stdv, rng: &initRNG))
        teacher = Buffer("crd.memory_v2", Tensor.uniform([count, featureDim], -stdv, stdv, rng: &initRNG))
        normalization = Buffer("crd.normalization", Tensor(repeating: -1, shape: [2]))
        self.negatives = negatives
        if let labels {
            let classes = (labels.max() ?? 0) + 1
            var byClass = [[Int32]](repeating: [], count: classes)
            for (i, l) in labels.enumerated() { byClass[l].append(Int32(i)) }
            classNegatives = (0..<classes).map { c in (0..<classes).filter { $0 != c }.flatMap { byClass[$0] } }
        } else {
            classNegatives = nil
        }
        rng = SeededRNG(seed: samplerSeed)
    }

    public var buffers: [Buffer] { [student, teacher, normalization] }

    /// `N·(K+1)` indices, row i = (positions[i], K negatives), advancing the sampler's RNG.
    public func sample(positions: [Int], labels: [Int]) -> [Int32] {
        let n = student.value.shape[0], k = negatives
        var rng = self.rng
        defer { self.rng = rng }
        // NOTE: the pools are moved out of `self` for the loop (no copy, no exclusivity checks per swap).
        var pools: [[Int32]] = []
        swap(&pools, &scratch)
        defer { swap(&pools, &scratch) }
        if pools.isEmpty, let classNegatives { pools = classNegatives }
        var out = [Int32](repeating: 0, count: positions.count * (k + 1))
        out.withUnsafeMutableBufferPointer { out in
            for (i, y) in positions.enumerated() {
                precondition(y >= 0 && y < n, "CRD: sample index \(y) outside the \(n) training images")
                let row = out.baseAddress! + i * (k + 1)
                row[0] = Int32(y)
                guard !pools.isEmpty else {
                    // AliasMethod over uniform unigrams: K + 1 draws, the first replaced by the positive.
                    _ = Self.draw(below: n, &rng)
                    for t in 1...k { row[t] = Int32(Self.draw(below: n, &rng)) }
                    continue
                }
                let c = labels[i]
                precondition(pools.indices.contains(c) && !pools[c].isEmpty,
                             "CRD: no image of another class than \(c) to contrast with")
                pools[c].withUnsafeMutableBufferPointer { pool in
                    let m = pool.count
                    if k > m {
                        for t in 1...k { row[t] = pool[Self.draw(below: m, &rng)] }
                        return
                    }
                    // Partial Fisher–Yates, then undone, so the pool's order — and so the next
                    // draw — depends only on the RNG.
                    swaps.withUnsafeMutableBufferPointer { swaps in
                        for t in 0..<k {
                            let j = t + Self.draw(below: m - t, &rng)
                            pool.swapAt(t, j)
                            swaps[t] = Int32(j)
                            row[t + 1] = pool[t]
                        }
                        for t in stride(from: k - 1, through: 0, by: -1) { pool.swapAt(t, Int(swaps[t])) }
                    }
                }
            }
        }
        return out
    }

    /// Uniform in 0..<m by Lemire's multiply-shift (no division; bias below m/2⁶⁴).
    @inline(__always)
    static func draw(below m: Int, _ rng: inout SeededRNG) -> Int {
        Int(rng.next().multipliedFullWidth(by: UInt64(m)).high)
    }

    /// The class pools while no sample is being drawn (empty until the first draw).
    private var scratch: [[Int32]] = []
    private lazy var swaps = [Int32](repeating: 0, count: negatives)

    /// Moves rows `positions` of both memories towards `studentValues` / `teacherValues`.
    public func update(positions: [Int], studentValues: Tensor, teacherValues: Tensor, momentum: Float) {
        CRD.updateMemory(&student.value, positions: positions, values: studentValues, momentum: momentum)
        CRD.updateMemory(&teacher.value, positions: positions, values: teacherValues, momentum: momentum)
    }

    /// The sampler's RNG state (JSON) for the checkpoint.
    public var rngRecord: String {
        String(decoding: (try? JSONEncoder().encode(rng)) ?? Data(), as: UTF8.self)
    }

    public func restoreRNG(_ record: String) throws {
        guard let r = try? JSONDecoder().decode(SeededRNG.self, from: Data(record.utf8)) else {
            throw ObjectiveSetupError("crd: unreadable sampler state \(record.prefix(80))")
        }
        rng = r
    }
}
