// Tensor: a dense Float32 array with a shape, row-major (NCHW for images).

/// A contiguous Float32 tensor. Images are NCHW: N batch, C channels, H, W.
///
/// A value type (copy-on-write through `Array`); kernels read and write
/// `data` through `withUnsafe(Mutable)BufferPointer` in hot loops.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var data: [Float]

    /// Wraps `data`; traps when its length disagrees with the shape (a
    /// programming error: user input goes through `validated(shape:data:)`).
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "data length \(data.count) does not match shape \(shape) (\(shape.reduce(1, *)) elements)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Builds a tensor from untrusted input, throwing instead of trapping.
    public static func validated(shape: [Int], data: [Float], field: String = "tensor") throws -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidShape("\(field): negative dimension in shape \(shape)")
        }
        let expected = shape.reduce(1, *)
        guard expected == data.count else {
            throw TensorError.invalidShape(
                "\(field): data has \(data.count) values but shape \(shape) needs \(expected)")
        }
        return Tensor(shape: shape, data: data)
    }

    /// Total number of elements.
    @inlinable public var count: Int { data.count }
    @inlinable public var rank: Int { shape.count }

    /// Dimension `i`; negative `i` counts from the end.
    @inlinable public func dim(_ i: Int) -> Int { shape[i < 0 ? shape.count + i : i] }

    /// The same data under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    public var description: String {
        let head = data.prefix(6).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(data.count > 6 ? ", …" : "")])"
    }
}

/// Errors for malformed tensors coming from files or user input.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case invalidShape(String)
    public var description: String {
        switch self { case .invalidShape(let m): return m }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// `String(format:)` without Foundation, for the few places TensorCore prints numbers.
    init(format: String, _ value: Double) {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&buffer, 64, format, $0) }
        self = String(cString: buffer)
    }
}
