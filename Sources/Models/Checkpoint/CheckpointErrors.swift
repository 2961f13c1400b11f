// Errors of the tensor archive and the model checkpoint; every message names the file.

import FileIO

/// Why reading or writing a tensor archive failed.
public struct TensorArchiveError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        /// The operating system refused (open, read, write, fsync, rename); the detail is strerror.
        case io(String)
        /// The file ends before its content does (partial copy, interrupted download).
        case truncated(String)
        /// Not a zstd stream, or the decompressed bytes do not start with the archive magic.
        case badMagic(String)
        /// The stored FNV-1a 64 checksum disagrees with the content.
        case checksumMismatch(stored: UInt64, computed: UInt64)
        /// libzstd reported an error (its message).
        case zstd(String)
        /// The JSON header is unreadable or disagrees with the payload.
        case malformedHeader(String)
        case unsupportedVersion(format: String, version: Int)
        /// Two tensors with the same name were given to `write`.
        case duplicateName(String)
    }

    public var file: String
    public var reason: Reason

    public init(file: String, _ reason: Reason) { self.file = file; self.reason = reason }

    public var description: String {
        switch reason {
        case .io(let m): return "\(file): I/O error: \(m)"
        case .truncated(let m): return "\(file): truncated file: \(m)"
        case .badMagic(let m): return "\(file): bad magic: \(m)"
        case .checksumMismatch(let s, let c):
            return "\(file): checksum mismatch (stored \(hex(s)), computed \(hex(c))): the file is corrupt"
        case .zstd(let m): return "\(file): zstd decompression failed: \(m)"
        case .malformedHeader(let m): return "\(file): malformed header: \(m)"
        case .unsupportedVersion(let f, let v):
            return "\(file): unsupported archive \(f) version \(v) (this build reads "
                + "\(TensorArchive.formatName) version \(TensorArchive.formatVersion))"
        case .duplicateName(let n): return "\(file): tensor name \(n) appears twice"
        }
    }

    private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    /// The archive error for a failed file or zstd operation.
    public init(_ error: FileIOError) {
        switch error.kind {
        case .io: self.init(file: error.file, .io(error.detail))
        case .truncated: self.init(file: error.file, .truncated(error.detail))
        case .notZstd: self.init(file: error.file, .badMagic(error.detail))
        case .corrupt: self.init(file: error.file, .zstd(error.detail))
        }
    }

    /// `body`'s result, with a `FileIOError` it throws translated into a `TensorArchiveError`.
    public static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FileIOError { throw TensorArchiveError(error) }
    }
}

/// Why a model checkpoint could not be loaded into (or saved from) a model.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        case wrongArchitecture(expected: String, found: String?)
        case wrongClassCount(expected: Int, found: String)
        case missingTensor(String)
        case unexpectedTensor(String)
        case shapeMismatch(tensor: String, expected: [Int], found: [Int])
        /// The model lists two parameters / buffers under the same name.
        case duplicateName(String)
        /// A state_dict (safetensors) whose keys are not the model's: every missing and extra key.
        case keyMismatch(missing: [String], unexpected: [String])
    }

    public var file: String
    public var reason: Reason

    public init(file: String, _ reason: Reason) { self.file = file; self.reason = reason }

    public var description: String {
        switch reason {
        case .wrongArchitecture(let e, let f):
            return "\(file): checkpoint is for architecture \(f ?? "(none recorded)"), the model is \(e)"
        case .wrongClassCount(let e, let f):
            return "\(file): checkpoint has \(f) classes, the model has \(e)"
        case .missingTensor(let n): return "\(file): tensor \(n) is missing from the checkpoint"
        case .unexpectedTensor(let n): return "\(file): tensor \(n) in the checkpoint is not in the model"
        case .shapeMismatch(let n, let e, let f):
            return "\(file): tensor \(n) has shape \(f) in the checkpoint, the model needs \(e)"
        case .duplicateName(let n): return "\(file): the model lists tensor \(n) twice"
        case .keyMismatch(let missing, let unexpected):
            return "\(file): the keys are not the model's — missing (\(missing.count)): "
                + (missing.isEmpty ? "none" : missing.joined(separator: ", "))
                + "; unexpected (\(unexpected.count)): " + (unexpected.isEmpty ? "none" : unexpected.joined(separator: ", "))
        }
    }
}
