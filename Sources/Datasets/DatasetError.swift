// DatasetError: every failure of the data layer names the file it concerns
// (and, where it applies, the record and byte offset).

import FileIO

/// An error from reading, validating, caching or fetching a dataset.
///
/// `description` always starts with the file (or directory) at fault, so a
/// message printed by the CLI points the user at what to fix.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for tests and callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        case notFound          // a dataset, split or batch file is missing
        case badSize           // a file's length is not a whole number of records
        case truncated         // a compressed stream ends before its frame does
        case badLabel          // a label outside the class range
        case corrupt           // bytes that do not decode (zstd, JPEG)
        case emptyClass        // an ImageFolder class folder with no images
        case classMismatch     // train and val (or classes.txt) disagree on the classes
        case io                // the operating system refused a read or write
        case cache             // a preprocessed cache that cannot be used
        case download          // fetching or checking an archive failed
        case invalidArgument   // a caller passed a value outside its domain
    }

    public let kind: Kind
    /// The file or directory at fault (as given by the caller, not resolved).
    public let file: String
    /// What is wrong with it, including record index / byte offset where known.
    public let detail: String

    public init(_ kind: Kind, file: String, _ detail: String) {
        self.kind = kind
        self.file = file
        self.detail = detail
    }

    public var description: String { "\(file): \(detail)" }

    /// The data-layer error for a failed file or zstd operation.
    public init(_ error: FileIOError) {
        let kind: Kind
        switch error.kind {
        case .io: kind = .io
        case .truncated: kind = .truncated
        case .notZstd, .corrupt: kind = .corrupt
        }
        self.init(kind, file: error.file, error.detail)
    }

    /// `body`'s result, with a `FileIOError` it throws translated into a `DatasetError`.
    public static func translating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as FileIOError { throw DatasetError(error) }
    }
}
