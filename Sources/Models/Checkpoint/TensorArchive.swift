// TensorArchive: named Float32 tensors + string metadata in one zstd-compressed,
// checksummed file. Model checkpoints and full training state are built on it.

import Foundation
import TensorCore
import FileIO

/// A file of named tensors and metadata.
///
/// Layout of the decompressed content (the whole file is one zstd frame, so
/// `zstd -d` shows it), little-endian throughout:
///
///     0        8 bytes   magic "ATKDTNSR"
///     8        UInt32    H, the byte length of the JSON header
///     12       H bytes   header {"format","version","metadata":{…},"tensors":[{"name","shape"}]}
///     12+H     payload   the tensors' Float32 values, in header order, row-major
///     end−8    UInt64    FNV-1a 64 of every byte before it
///
/// Tensor order is preserved: `readEntries` returns the tensors in the order written.
public enum TensorArchive {
    public static let formatName = "atkd-tensor-archive"
    public static let formatVersion = 1
    static let magic: [UInt8] = Array("ATKDTNSR".utf8)

    /// Writes `tensors` and `metadata` to `path` atomically (see `FileBytes.writeAtomically`).
    public static func write(tensors: [(String, Tensor)], metadata: [String: String], to path: String) throws {
        let content = try encode(tensors: tensors, metadata: metadata, file: path)
        try TensorArchiveError.translating { try Zstd.compress(content, to: path) }
    }

    /// Tensors by name and the metadata of the archive at `path`.
    public static func read(from path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let r = try readEntries(from: path)
        return (Dictionary(uniqueKeysWithValues: r.entries.map { ($0.name, $0.tensor) }), r.metadata)
    }

    /// Tensors in file order and the metadata of the archive at `path`.
    public static func readEntries(from path: String) throws
        -> (entries: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        try decode(try TensorArchiveError.translating { try Zstd.decompressFile(path) }, file: path)
    }

    /// The uncompressed archive content (magic, header, payload, checksum).
    public static func encode(tensors: [(String, Tensor)], metadata: [String: String],
                              file: String = "<memory>") throws -> [UInt8] {
        var seen = Set<String>()
        for (name, _) in tensors where !seen.insert(name).inserted {
            throw TensorArchiveError(file: file, .duplicateName(name))
        }
        let header = Header(format: formatName, version: formatVersion, metadata: metadata,
                            tensors: tensors.map { Header.Entry(name: $0.0, shape: $0.1.shape) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = [UInt8](try encoder.encode(header))
        let payloadCount = tensors.reduce(0) { $0 + $1.1.count }
        var out: [UInt8] = []
        out.reserveCapacity(magic.count + 4 + json.count + 4 * payloadCount + 8)
        out += magic
        appendLE(&out, UInt32(json.count))
        out += json
        for (_, t) in tensors {
            #if _endian(little)
            t.data.withUnsafeBytes { out.append(contentsOf: $0) }
            #else
            for v in t.data { appendLE(&out, v.bitPattern) }
            #endif
        }
        appendLE(&out, fnv1a64(out[...]))
        return out
    }

    /// Parses uncompressed archive content; `file` names the source in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws
        -> (entries: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let fixed = magic.count + 4 + 8
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw TensorArchiveError(file: file, bytes.count < magic.count
                ? .truncated("\(bytes.count) bytes, shorter than the archive magic")
                : .badMagic("decompressed content does not start with \"ATKDTNSR\" (not a \(formatName))"))
        }
        guard bytes.count >= fixed else {
            throw TensorArchiveError(file: file, .truncated("\(bytes.count) bytes, the fixed fields need \(fixed)"))
        }
        let headerLength = Int(readLE(bytes, at: magic.count, as: UInt32.self))
        guard headerLength <= bytes.count - fixed else {
            throw TensorArchiveError(file: file, .truncated("header of \(headerLength) bytes in \(bytes.count) bytes"))
        }
        let stored = readLE(bytes, at: bytes.count - 8, as: UInt64.self)
        let computed = fnv1a64(bytes[0..<(bytes.count - 8)])
        guard stored == computed else {
            throw TensorArchiveError(file: file, .checksumMismatch(stored: stored, computed: computed))
        }
        let headerStart = magic.count + 4
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[headerStart..<(headerStart + headerLength)]))
        } catch {
            throw TensorArchiveError(file: file, .malformedHeader("\(error)"))
        }
        guard header.format == formatName, header.version == formatVersion else {
            throw TensorArchiveError(file: file, .unsupportedVersion(format: header.format, version: header.version))
        }
        var offset = headerStart + headerLength
        let payloadEnd = bytes.count - 8
        var entries: [(name: String, tensor: Tensor)] = []
        var seen = Set<String>()
        for e in header.tensors {
            guard seen.insert(e.name).inserted else { throw TensorArchiveError(file: file, .duplicateName(e.name)) }
            guard e.shape.allSatisfy({ $0 >= 0 }) else {
                throw TensorArchiveError(file: file, .malformedHeader("tensor \(e.name) has shape \(e.shape)"))
            }
            let count = e.shape.reduce(1, *)
            guard count <= (payloadEnd - offset) / 4 else {
                throw TensorArchiveError(file: file, .malformedHeader(
                    "tensor \(e.name) \(e.shape) runs past the payload (\(payloadEnd - offset) bytes left)"))
            }
            var data = [Float](repeating: 0, count: count)
            #if _endian(little)
            data.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + 4 * count)]))
                }
            }
            #else
            for i in 0..<count { data[i] = Float(bitPattern: readLE(bytes, at: offset + 4 * i, as: UInt32.self)) }
            #endif
            offset += 4 * count
            entries.append((e.name, Tensor(shape: e.shape, data: data)))
        }
        guard offset == payloadEnd else {
            throw TensorArchiveError(file: file, .malformedHeader(
                "\(payloadEnd - offset) payload bytes are not described by the header"))
        }
        return (entries, header.metadata)
    }

    /// FNV-1a 64: h = (h ⊕ byte) · 0x100000001b3 from 0xcbf29ce484222325.
    /// - Reference: Fowler, Noll, Vo, draft-eastlake-fnv (IETF).
    public static func fnv1a64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBufferPointer { p in
            for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        return h
    }

    struct Header: Codable {
        struct Entry: Codable { var name: String; var shape: [Int] }
        var format: String
        var version: Int
        var metadata: [String: String]
        var tensors: [Entry]
    }

    static func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ v: T) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { out.append(contentsOf: $0) }
    }

    static func readLE<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as: T.Type) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(bytes[offset + i]) << (8 * i) }
        return v
    }
}
