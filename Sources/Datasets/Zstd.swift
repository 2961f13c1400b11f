// Zstandard streaming decompression of whole files and streaming compression
// to files, through libzstd (ZSTD_decompressStream / ZSTD_compressStream2).

import CZstd
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file helpers around libzstd's streaming API.
public enum Zstd {
    /// Reads a `.zst` file and returns its decompressed bytes.
    ///
    /// Decompression streams 128 KiB input chunks; concatenated frames are
    /// accepted. Throws `.truncated` when the input ends inside a frame and
    /// `.corrupt` (with the compressed byte offset) on a libzstd error.
    public static func decompressFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw DatasetError(.io, file: path, "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { fclose(file) }
        guard let stream = ZSTD_createDStream() else {
            throw DatasetError(.io, file: path, "ZSTD_createDStream failed")
        }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)

        let inCapacity = ZSTD_DStreamInSize()
        let outCapacity = ZSTD_DStreamOutSize()
        var inBuffer = [UInt8](repeating: 0, count: inCapacity)
        var outBuffer = [UInt8](repeating: 0, count: outCapacity)
        var result: [UInt8] = []
        var consumed = 0            // compressed bytes fed so far (for messages)
        var lastHint = 0            // last ZSTD_decompressStream return: 0 = frame complete
        var sawInput = false

        while true {
            let n = inBuffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, inCapacity, file) }
            if n == 0 {
                if ferror(file) != 0 {
                    throw DatasetError(.io, file: path, "read error at byte \(consumed)")
                }
                break
            }
            if !sawInput, result.isEmpty, n >= 18 {
                // Reserve the exact size when the frame header records it.
                let size = inBuffer.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, n) }
                if size < UInt64(1) << 40 { result.reserveCapacity(Int(size)) }
            }
            sawInput = true
            try inBuffer.withUnsafeBytes { inRaw in
                var input = ZSTD_inBuffer(src: inRaw.baseAddress, size: n, pos: 0)
                while input.pos < input.size {
                    let produced: Int = try outBuffer.withUnsafeMutableBytes { outRaw in
                        var output = ZSTD_outBuffer(dst: outRaw.baseAddress, size: outCapacity, pos: 0)
                        let ret = ZSTD_decompressStream(stream, &output, &input)
                        if ZSTD_isError(ret) != 0 {
                            let name = String(cString: ZSTD_getErrorName(ret))
                            throw DatasetError(.corrupt, file: path,
                                               "zstd error near compressed byte \(consumed + input.pos): \(name)")
                        }
                        lastHint = ret
                        return output.pos
                    }
                    result.append(contentsOf: outBuffer[0..<produced])
                }
                // Flush output the decoder still holds for this input.
                while lastHint != 0 {
                    let produced: Int = try outBuffer.withUnsafeMutableBytes { outRaw in
                        var output = ZSTD_outBuffer(dst: outRaw.baseAddress, size: outCapacity, pos: 0)
                        let ret = ZSTD_decompressStream(stream, &output, &input)
                        if ZSTD_isError(ret) != 0 {
                            throw DatasetError(.corrupt, file: path, "zstd error: \(String(cString: ZSTD_getErrorName(ret)))")
                        }
                        lastHint = ret
                        return output.pos
                    }
                    if produced == 0 { break }
                    result.append(contentsOf: outBuffer[0..<produced])
                }
            }
            consumed += n
        }
        if !sawInput {
            throw DatasetError(.truncated, file: path, "empty file (no zstd frame)")
        }
        if lastHint != 0 {
            throw DatasetError(.truncated, file: path,
                               "truncated zstd stream: input ends inside a frame after \(consumed) compressed bytes "
                               + "(\(result.count) bytes decompressed)")
        }
        return result
    }

    /// Compresses `bytes` into a new file at `path` (one frame, content size
    /// and a content checksum recorded), streaming 1 MiB at a time.
    public static func compress(_ bytes: [UInt8], to path: String, level: Int32 = 3) throws {
        guard let file = fopen(path, "wb") else {
            throw DatasetError(.io, file: path, "cannot create (\(String(cString: strerror(errno))))")
        }
        var closed = false
        defer { if !closed { fclose(file) } }
        guard let cctx = ZSTD_createCCtx() else { throw DatasetError(.io, file: path, "ZSTD_createCCtx failed") }
        defer { ZSTD_freeCCtx(cctx) }
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setPledgedSrcSize(cctx, UInt64(bytes.count))

        let outCapacity = ZSTD_CStreamOutSize()
        var outBuffer = [UInt8](repeating: 0, count: outCapacity)
        let chunk = 1 << 20
        try bytes.withUnsafeBytes { src in
            var offset = 0
            repeat {
                let take = min(chunk, bytes.count - offset)
                let last = offset + take == bytes.count
                var input = ZSTD_inBuffer(src: src.baseAddress.map { $0 + offset }, size: take, pos: 0)
                var finished = false
                while !finished {
                    let (ret, produced): (Int, Int) = outBuffer.withUnsafeMutableBytes { outRaw in
                        var output = ZSTD_outBuffer(dst: outRaw.baseAddress, size: outCapacity, pos: 0)
                        let r = ZSTD_compressStream2(cctx, &output, &input, last ? ZSTD_e_end : ZSTD_e_continue)
                        return (r, output.pos)
                    }
                    if ZSTD_isError(ret) != 0 {
                        throw DatasetError(.io, file: path, "zstd compression error: \(String(cString: ZSTD_getErrorName(ret)))")
                    }
                    if produced > 0 {
                        let written = outBuffer.withUnsafeBytes { fwrite($0.baseAddress, 1, produced, file) }
                        if written != produced { throw DatasetError(.io, file: path, "short write (disk full?)") }
                    }
                    finished = last ? ret == 0 : input.pos == input.size
                }
                offset += take
            } while offset < bytes.count
        }
        closed = true
        if fclose(file) != 0 { throw DatasetError(.io, file: path, "close failed (disk full?)") }
    }
}
