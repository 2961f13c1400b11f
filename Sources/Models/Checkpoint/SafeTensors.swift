// safetensors (huggingface/safetensors, the format PyTorch state_dicts travel in): an 8-byte
// little-endian header length N, N bytes of JSON, then the raw little-endian tensor bytes.

import Foundation
import TensorCore
import FileIO

/// Reads and writes safetensors files.
///
/// Header: `{name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …,
/// "__metadata__": {string: string}}`; offsets count from the first byte after the header, the
/// tensors cover that buffer exactly (no holes, no overlap), and the header may end in spaces
/// (writers pad it to 8 bytes). Floats read from F32, F64, F16 and BF16 (converted to Float);
/// integers from I64, I32, I16, I8, U8 and BOOL (PyTorch writes BN's `num_batches_tracked` as I64).
/// - Reference: huggingface/safetensors `docs/source/index.mdx` (format) and `safetensors/src/tensor.rs`
///   (validation: `InvalidOffset`, `MetadataIncompleteBuffer`, `HeaderTooLarge`).
public enum SafeTensors {
    /// One stored tensor: float values, or integer values for integer dtypes.
    public struct Entry: Equatable {
        public var name: String
        public var dtype: String
        public var shape: [Int]
        public var floats: [Float]?
        public var integers: [Int64]?
    }

    /// Headers larger than this are refused (the reference limit: 100 MB).
    public static let maxHeaderBytes = 100_000_000

    static let floatSizes = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2]
    static let integerSizes = ["I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1]

    /// The file's bytes for float tensors (F32) and integer tensors (I64), in the given order.
    public static func encode(floats: [(String, Tensor)], integers: [(String, [Int], [Int64])] = [],
                              metadata: [String: String] = [:]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        var payload: [UInt8] = []
        var names = Set<String>()
        func add(_ name: String, dtype: String, shape: [Int], bytes: [UInt8]) throws {
            guard names.insert(name).inserted, name != "__metadata__" else {
                throw TensorArchiveError(file: "<safetensors>", .duplicateName(name))
            }
            header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [payload.count, payload.count + bytes.count]]
            payload += bytes
        }
        for (name, t) in floats {
            try add(name, dtype: "F32", shape: t.shape, bytes: t.data.withUnsafeBytes { Array($0) })
        }
        for (name, shape, values) in integers {
            try add(name, dtype: "I64", shape: shape, bytes: values.map { $0.littleEndian }.withUnsafeBytes { Array($0) })
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while json.count % 8 != 0 { json.append(0x20) }
        var out = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        out += json
        out += payload
        return out
    }

    /// Parses a safetensors file's bytes; every inconsistency is a `TensorArchiveError` naming `file`.
    public static func decode(_ bytes: [UInt8], file: String) throws -> (entries: [Entry], metadata: [String: String]) {
        func bad(_ m: String) -> TensorArchiveError { TensorArchiveError(file: file, .malformedHeader(m)) }
        guard bytes.count >= 8 else { throw TensorArchiveError(file: file, .truncated("\(bytes.count) bytes, no header length")) }
        let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maxHeaderBytes) else { throw bad("header of \(n) bytes exceeds \(maxHeaderBytes)") }
        guard 8 + Int(n) <= bytes.count else {
            throw TensorArchiveError(file: file, .truncated("header of \(n) bytes, file of \(bytes.count)"))
        }
        let headerBytes = Data(bytes[8..<(8 + Int(n))])
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes), let header = object as? [String: Any] else {
            throw bad("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard let dict = m as? [String: String] else { throw bad("__metadata__ must map strings to strings") }
            metadata = dict
        }
        let base = 8 + Int(n), bufferSize = bytes.count - base
        var entries: [Entry] = []
        var spans: [(Int, Int, String)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw bad("tensor \(name): needs dtype, shape and two data_offsets")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw bad("tensor \(name): negative dimension in \(shape)") }
            let (begin, end) = (offsets[0], offsets[1])
            guard 0 <= begin, begin <= end, end <= bufferSize else {
                throw bad("tensor \(name): data_offsets [\(begin), \(end)] outside the \(bufferSize)-byte buffer")
            }
            guard let size = floatSizes[dtype] ?? integerSizes[dtype] else { throw bad("tensor \(name): unsupported dtype \(dtype)") }
            let count = shape.reduce(1, *)
            guard count.multipliedReportingOverflow(by: size) == (end - begin, false) else {
                throw bad("tensor \(name): \(dtype) \(shape) needs \(count * size) bytes, data_offsets give \(end - begin)")
            }
            spans.append((begin, end, name))
            let raw = Array(bytes[(base + begin)..<(base + end)])
            var e = Entry(name: name, dtype: dtype, shape: shape, floats: nil, integers: nil)
            if floatSizes[dtype] != nil { e.floats = floats(raw, dtype: dtype) } else { e.integers = integers(raw, dtype: dtype) }
            entries.append(e)
        }
        // The tensors tile the buffer: sorted by offset, each starts where the last ended.
        var cursor = 0
        for (begin, end, name) in spans.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            guard begin == cursor else { throw bad("tensor \(name) starts at \(begin), expected \(cursor) (hole or overlap)") }
            cursor = end
        }
        guard cursor == bufferSize else { throw bad("tensors cover \(cursor) of \(bufferSize) buffer bytes") }
        return (entries.sorted { $0.name < $1.name }, metadata)
    }

    static func floats(_ raw: [UInt8], dtype: String) -> [Float] {
        raw.withUnsafeBytes { p -> [Float] in
            switch dtype {
            case "F32": return (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            case "F64": return (0..<(raw.count / 8)).map { Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))) }
            case "F16": return (0..<(raw.count / 2)).map { Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) }
            default: // BF16: the high half of an F32
                return (0..<(raw.count / 2)).map { Float(bitPattern: UInt32(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16) }
            }
        }
    }

    static func integers(_ raw: [UInt8], dtype: String) -> [Int64] {
        raw.withUnsafeBytes { p -> [Int64] in
            switch dtype {
            case "I64": return (0..<(raw.count / 8)).map { Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
            case "I32": return (0..<(raw.count / 4)).map { Int64(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case "I16": return (0..<(raw.count / 2)).map { Int64(Int16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
            case "I8": return raw.map { Int64(Int8(bitPattern: $0)) }
            default: return raw.map { Int64($0) }
            }
        }
    }

    public static func write(floats: [(String, Tensor)], integers: [(String, [Int], [Int64])] = [],
                             metadata: [String: String] = [:], to path: String) throws {
        let bytes = try encode(floats: floats, integers: integers, metadata: metadata)
        try TensorArchiveError.translating { try FileBytes.writeAtomically(bytes, to: path) }
    }

    public static func read(from path: String) throws -> (entries: [Entry], metadata: [String: String]) {
        try decode(try TensorArchiveError.translating { try FileBytes.read(path) }, file: path)
    }
}
