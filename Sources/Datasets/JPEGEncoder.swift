// JPEG encoding through TurboJPEG (tjCompress2): for writing sample images
// and for tests that need real JPEG files.

import CTurboJPEG

/// Encodes RGB images as baseline JPEG (4:4:4 chroma).
public enum JPEGEncoder {
    /// The JPEG bytes of `image` at `quality` (1–100).
    public static func encode(_ image: RGBImage, quality: Int = 95) throws -> [UInt8] {
        guard image.pixels.count == image.width * image.height * 3, image.width > 0, image.height > 0 else {
            throw DatasetError(.invalidArgument, file: "JPEGEncoder", "pixel count does not match \(image.width)×\(image.height)×3")
        }
        guard let handle = tjInitCompress() else { throw DatasetError(.io, file: "libturbojpeg", "tjInitCompress failed") }
        defer { tjDestroy(handle) }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = image.pixels.withUnsafeBufferPointer { p in
            tjCompress2(handle, p.baseAddress, Int32(image.width), 0, Int32(image.height),
                        Int32(TJPF_RGB.rawValue), &out, &size, Int32(TJSAMP_444.rawValue),
                        Int32(min(max(quality, 1), 100)), TJFLAG_ACCURATEDCT)
        }
        defer { if let out { tjFree(out) } }
        guard rc == 0, let out else {
            throw DatasetError(.io, file: "JPEGEncoder", "tjCompress2 failed: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
