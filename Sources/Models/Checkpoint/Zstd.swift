// zstd compression of whole archives (libzstd through CZstd), with truncation detection.

import CZstd

/// One-shot zstd compression and streaming decompression of byte arrays.
public enum Zstd {
    /// zstd's frame magic 0xFD2FB528, as it appears (little-endian) at the start of a file.
    static let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// A single zstd frame holding `bytes`, with its content size and a content checksum recorded
    /// (so decompression detects corruption inside the frame, as the dataset cache's frames do).
    public static func compress(_ bytes: [UInt8], level: Int32 = 3, file: String) throws -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else { throw TensorArchiveError(file: file, .zstd("cannot allocate a compression context")) }
        defer { ZSTD_freeCCtx(cctx) }
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                ZSTD_compress2(cctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
            }
        }
        if ZSTD_isError(n) != 0 { throw TensorArchiveError(file: file, .zstd(errorName(n))) }
        out.removeSubrange(n...)
        return out
    }

    /// The decompressed content of one or more zstd frames; `file` names the source in errors.
    ///
    /// An empty input or one whose frame ends early is `.truncated`; input that does not
    /// start with the zstd magic is `.badMagic`; any other libzstd failure is `.zstd`.
    public static func decompress(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard bytes.count >= frameMagic.count else {
            throw TensorArchiveError(file: file, .truncated("only \(bytes.count) bytes, shorter than a zstd frame header"))
        }
        guard Array(bytes[0..<4]) == frameMagic else {
            throw TensorArchiveError(file: file, .badMagic("not a zstd-compressed file (first bytes "
                + bytes[0..<4].map { String($0, radix: 16) }.joined(separator: " ") + ")"))
        }
        guard let stream = ZSTD_createDStream() else {
            throw TensorArchiveError(file: file, .zstd("cannot allocate a decompression stream"))
        }
        defer { ZSTD_freeDStream(stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        var pending = 1  // ZSTD_decompressStream's hint: 0 once a frame is complete
        try bytes.withUnsafeBytes { src in
            var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let produced: Int = try chunk.withUnsafeMutableBytes { dst in
                    var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(stream, &output, &input)
                    if ZSTD_isError(r) != 0 { throw TensorArchiveError(file: file, .zstd(errorName(r))) }
                    pending = r
                    return output.pos
                }
                out.append(contentsOf: chunk[0..<produced])
                // Done when the input is consumed and the decoder holds no more output.
                if input.pos == input.size && produced < chunk.count { break }
            }
        }
        guard pending == 0 else {
            throw TensorArchiveError(file: file, .truncated("the zstd frame ends early (after \(bytes.count) "
                + "compressed bytes, \(out.count) decompressed)"))
        }
        return out
    }

    static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }
}
