// JPEG decoding through libjpeg-turbo's TurboJPEG 2 API (tjDecompress2), with
// DCT-domain downscaling for large images and CMYK/YCCK conversion.

import CTurboJPEG

/// A decoded image: `height·width·3` bytes, interleaved RGB (HWC), row-major.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: \(pixels.count) bytes for \(width)×\(height)×3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// One TurboJPEG decompressor; not thread-safe: use one per thread.
///
/// Policy: libjpeg *warnings* (e.g. "Premature end of JPEG file", a
/// truncated file whose missing rows turn grey) are errors too, so a damaged
/// image is never silently trained on.
public final class JPEGDecoder {
    private let handle: tjhandle

    public init() throws {
        guard let h = tjInitDecompress() else {
            throw DatasetError(.io, file: "libturbojpeg", "tjInitDecompress failed")
        }
        handle = h
    }

    deinit { tjDestroy(handle) }

    private func message() -> String { String(cString: tjGetErrorStr2(handle)) }

    /// Decodes `bytes` (the contents of `file`, named in errors) to RGB.
    ///
    /// When `minShorterSide` is given, the decoder picks the smallest
    /// TurboJPEG scaling factor (1/8 … 1) whose output keeps the shorter side
    /// at least that long: decoding a 500-px ImageNet JPEG for a 64-px
    /// input then costs a fraction of a full decode.
    public func decode(_ bytes: [UInt8], file: String, minShorterSide: Int? = nil) throws -> RGBImage {
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        let headerOK = bytes.withUnsafeBufferPointer { b in
            tjDecompressHeader3(handle, b.baseAddress, UInt(b.count), &w, &h, &subsamp, &colorspace)
        }
        guard headerOK == 0, w > 0, h > 0 else {
            throw DatasetError(.corrupt, file: file, "not a decodable JPEG (\(message()))")
        }
        var outW = Int(w), outH = Int(h)
        if let target = minShorterSide {
            var n: Int32 = 0
            if let factors = tjGetScalingFactors(&n) {
                var best = (num: 1, den: 1)
                for k in 0..<Int(n) {
                    let f = factors[k]
                    let num = Int(f.num), den = Int(f.denom)
                    guard num <= den else { continue }   // never upscale while decoding
                    let sw = (Int(w) * num + den - 1) / den, sh = (Int(h) * num + den - 1) / den
                    if min(sw, sh) >= target && num * best.den < best.num * den { best = (num, den) }
                }
                outW = (Int(w) * best.num + best.den - 1) / best.den
                outH = (Int(h) * best.num + best.den - 1) / best.den
            }
        }
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channelsOut = cmyk ? 4 : 3
        var raw = [UInt8](repeating: 0, count: outW * outH * channelsOut)
        let rc = bytes.withUnsafeBufferPointer { b in
            raw.withUnsafeMutableBufferPointer { o in
                tjDecompress2(handle, b.baseAddress, UInt(b.count), o.baseAddress, Int32(outW), 0, Int32(outH),
                              Int32(cmyk ? TJPF_CMYK.rawValue : TJPF_RGB.rawValue),
                              TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING)
            }
        }
        if rc != 0 {
            let kind = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) ? "damaged JPEG" : "JPEG does not decode"
            throw DatasetError(.corrupt, file: file, "\(kind): \(message())")
        }
        guard cmyk else { return RGBImage(width: outW, height: outH, pixels: raw) }
        // Adobe-style inverted CMYK as libjpeg returns it: R = C·K/255, etc.
        var rgb = [UInt8](repeating: 0, count: outW * outH * 3)
        for p in 0..<(outW * outH) {
            let k = Int(raw[p * 4 + 3])
            for c in 0..<3 { rgb[p * 3 + c] = UInt8((Int(raw[p * 4 + c]) * k + 127) / 255) }
        }
        return RGBImage(width: outW, height: outH, pixels: rgb)
    }
}
