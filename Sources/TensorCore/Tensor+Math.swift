// Elementwise and reduction helpers used by layers, losses and tests.

extension Tensor {
    /// A tensor of the same shape with `f` applied to every element.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Tensor {
        let n = count
        let out = [Float](unsafeUninitializedCapacity: n) { o, initialized in
            data.withUnsafeBufferPointer { a in
                for i in 0..<n { (o.baseAddress! + i).initialize(to: f(a[i])) }
            }
            initialized = n
        }
        return Tensor(shape: shape, data: out)
    }

    /// Elementwise combination of two tensors of equal shape.
    /// NOTE: through unsafe buffers and `@inlinable` so that `+`, `*` (tap-sized gradients in
    /// every distillation step) compile to vector loops, not a closure call and a checked
    /// array store per element; the same IEEE operation per element (the same bits).
    @inlinable
    public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shape mismatch \(shape) vs \(other.shape)")
        let n = count
        let out = [Float](unsafeUninitializedCapacity: n) { o, initialized in
            data.withUnsafeBufferPointer { a in
                other.data.withUnsafeBufferPointer { b in
                    for i in 0..<n { (o.baseAddress! + i).initialize(to: f(a[i], b[i])) }
                }
            }
            initialized = n
        }
        return Tensor(shape: shape, data: out)
    }

    @inlinable public static func + (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, +) }
    @inlinable public static func - (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, -) }
    @inlinable public static func * (a: Tensor, b: Tensor) -> Tensor { a.zipMap(b, *) }
    @inlinable public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }

    /// In-place `self += other` (gradient accumulation).
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "shape mismatch \(shape) vs \(other.shape)")
        data.withUnsafeMutableBufferPointer { a in
            other.data.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += b[i] }
            }
        }
    }

    /// Sum of all elements, accumulated in Double.
    public func sum() -> Double {
        var s = 0.0
        for v in data { s += Double(v) }
        return s
    }

    /// `Σ self ⊙ other` in Double (the scalar `L = Σ y ⊙ r` of gradient checks).
    public func dot(_ other: Tensor) -> Double {
        precondition(count == other.count, "count mismatch \(count) vs \(other.count)")
        var s = 0.0
        for i in 0..<count { s += Double(data[i]) * Double(other.data[i]) }
        return s
    }

    public func maxAbs() -> Float { data.reduce(0) { Swift.max($0, abs($1)) } }

    /// True when every element is finite.
    public var isFinite: Bool { data.allSatisfy { $0.isFinite } }

    /// Index of the largest value in each row of an [N, K] tensor.
    public func argmaxRows() -> [Int] {
        precondition(rank == 2, "argmaxRows needs [N, K], got \(shape)")
        let n = shape[0], k = shape[1]
        return (0..<n).map { r in
            var best = 0
            for j in 1..<max(k, 1) where data[r * k + j] > data[r * k + best] { best = j }
            return best
        }
    }
}

/// Largest `|a − b| / (atol + rtol·|b|)` over all elements; ≤ 1 means "close".
public func closenessRatio(_ a: Tensor, _ b: Tensor, rtol: Float, atol: Float) -> Float {
    precondition(a.shape == b.shape, "shape mismatch \(a.shape) vs \(b.shape)")
    var worst: Float = 0
    for i in 0..<a.count {
        let d = abs(a.data[i] - b.data[i])
        if d.isNaN { return .infinity }
        worst = max(worst, d / (atol + rtol * abs(b.data[i])))
    }
    return worst
}

/// Largest absolute difference between two equally shaped tensors.
public func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shape mismatch \(a.shape) vs \(b.shape)")
    var worst: Float = 0
    for i in 0..<a.count { worst = max(worst, abs(a.data[i] - b.data[i])) }
    return worst
}
