// The one zstd wrapper: whole-buffer compression (content size and checksum recorded) and
// streaming decompression that detects truncation and checks the checksum (libzstd).

import CZstd

/// Zstandard compression of whole byte arrays and files.
///
/// Every frame written records its content size and a content checksum (XXH64), which
/// libzstd verifies on decompression: a flipped byte inside the frame is an error, not silent data.
public enum Zstd {
    /// zstd's frame magic 0xFD2FB528, as it appears (little-endian) at the start of a file.
    public static let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// One zstd frame holding `bytes` (level 3 by default), with content size and checksum.
    /// `file` names the destination in errors.
    public static func compress(_ bytes: [UInt8], level: Int32 = 3, file: String) throws -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else { throw FileIOError(.io, file: file, "cannot allocate a zstd context") }
        defer { ZSTD_freeCCtx(cctx) }
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in ZSTD_compress2(cctx, dst.baseAddress, dst.count, src.baseAddress, src.count) }
        }
        if ZSTD_isError(n) != 0 { throw FileIOError(.io, file: file, "zstd compression failed: \(errorName(n))") }
        out.removeSubrange(n...)
        return out
    }

    /// The decompressed content of one or more concatenated zstd frames; `file` names the source in errors.
    ///
    /// Empty input, or input that ends inside a frame, is `.truncated`; input without the frame
    /// magic is `.notZstd`; any libzstd error (a bad block, a checksum mismatch) is `.corrupt`
    /// with the compressed byte offset where it was found.
    public static func decompress(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard !bytes.isEmpty else { throw FileIOError(.truncated, file: file, "empty file (no zstd frame)") }
        if bytes.count < frameMagic.count, Array(frameMagic.prefix(bytes.count)) == bytes {
            throw FileIOError(.truncated, file: file, "truncated zstd stream: only \(bytes.count) bytes, "
                + "shorter than a frame header")
        }
        guard bytes.count >= frameMagic.count, Array(bytes[0..<4]) == frameMagic else {
            throw FileIOError(.notZstd, file: file, "not a zstd-compressed file (first bytes "
                + bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ") + ")")
        }
        guard let stream = ZSTD_createDStream() else {
            throw FileIOError(.io, file: file, "cannot allocate a zstd decompression stream")
        }
        defer { ZSTD_freeDStream(stream) }
        var out: [UInt8] = []
        let size = bytes.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        if size < UInt64(1) << 40 { out.reserveCapacity(Int(size)) }  // exact when the header records it
        var chunk = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        var pending = 1  // ZSTD_decompressStream's hint: 0 once a frame is complete
        try bytes.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let produced: Int = try chunk.withUnsafeMutableBytes { dst in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(stream, &output, &input)
                    if ZSTD_isError(r) != 0 {
                        throw FileIOError(.corrupt, file: file,
                                          "zstd error near compressed byte \(input.pos): \(errorName(r))")
                    }
                    pending = r
                    return output.pos
                }
                out.append(contentsOf: chunk[0..<produced])
                // NOTE: a full output chunk says nothing about the end (sizes can align exactly); stop once
                // the input is consumed and the frame is complete (0), or no further output comes (truncated).
                if input.pos == input.size && (pending == 0 || produced == 0) { break }
            }
        }
        guard pending == 0 else {
            throw FileIOError(.truncated, file: file, "truncated zstd stream: input ends inside a frame after "
                + "\(bytes.count) compressed bytes (\(out.count) bytes decompressed)")
        }
        return out
    }

    /// Reads a `.zst` file and returns its decompressed bytes (see `decompress`).
    public static func decompressFile(_ path: String) throws -> [UInt8] {
        try decompress(try FileBytes.read(path), file: path)
    }

    /// Compresses `bytes` into `path`, atomically (see `FileBytes.writeAtomically`).
    public static func compress(_ bytes: [UInt8], to path: String, level: Int32 = 3) throws {
        try FileBytes.writeAtomically(try compress(bytes, level: level, file: path), to: path)
    }

    static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }
}
