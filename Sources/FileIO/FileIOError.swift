// FileIOError: a failed whole-file read, atomic write, or zstd (de)compression, naming the file.

/// Why a file could not be read, written, compressed or decompressed.
///
/// The data layer (`DatasetError`) and the checkpoint layer (`TensorArchiveError`) translate it
/// into their own kinds; `description` starts with the file so it can be printed as it is.
public struct FileIOError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        /// The operating system refused (open, read, write, fsync, rename); the detail is strerror.
        case io
        /// The input ends before its zstd frame does (partial copy, interrupted download), or is empty.
        case truncated
        /// The input does not start with zstd's frame magic.
        case notZstd
        /// libzstd rejected the bytes (including a content-checksum mismatch); the detail names the byte offset.
        case corrupt
    }

    public let kind: Kind
    /// The file at fault, as the caller named it.
    public let file: String
    public let detail: String

    public init(_ kind: Kind, file: String, _ detail: String) {
        self.kind = kind; self.file = file; self.detail = detail
    }

    public var description: String { "\(file): \(detail)" }
}
