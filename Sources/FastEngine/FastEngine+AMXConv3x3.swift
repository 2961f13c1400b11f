// bf16 precision on AMX: the 3 × 3, stride-1, pad-1 convolutions (the Winograd path's layers) run
// as direct convolutions on AMX tiles (Sources/BF16GEMM/AMXConv3x3.c) — bf16 inputs rounded while
// they are packed, fp32 sums — forward, input gradient and weight gradient, images split over threads.
// N batch, C/O input/output channels, H, W the plane.

import BF16GEMM
import TensorCore

extension FastEngine {
    /// Whether the Winograd path's convolutions run on AMX tiles: bf16 precision with the AMX kernel.
    static var usesAMXConv3x3: Bool { precision == .bf16 && BFloat16.kernel == .amx }

    /// The input of a Winograd-path product kernel: bf16-rounded in bf16 precision, except where the
    /// AMX kernels run, which round while packing (a rounded copy would be one more pass for nothing).
    static func winogradInput(_ t: Tensor) -> Tensor { usesAMXConv3x3 ? t : productInput(t) }

    /// Packed bf16 weight tiles of W [O, C, 3, 3] for the forward (`transposed` false) or input gradient.
    private func amxWeights(_ weight: Tensor, _ g: ConvGeometry, transposed: Bool) -> TileWords {
        let packed = TileWords(count: atkd_amx_conv3x3_weight_words(Int32(transposed ? g.c : g.o), Int32(transposed ? g.o : g.c)))
        weight.data.withUnsafeBufferPointer { wb in
            atkd_amx_conv3x3_pack_weights(wb.baseAddress!, Int32(g.o), Int32(g.c), transposed ? 1 : 0, packed.words)
        }
        return packed
    }

    /// y = conv(bf16(x), bf16(W)) with fp32 sums, for a conv `Winograd4x4.applies` to; `epilogue(y, n, 1)`
    /// runs on image n's output planes right after they are written, on that thread.
    func amxConv3x3(_ x: Tensor, weight: Tensor, _ g: ConvGeometry,
                    epilogue: ((UnsafeMutablePointer<Float>, Int, Int) -> Void)? = nil) -> [Float] {
        amxImages(x.data, channels: g.c, weights: amxWeights(weight, g, transposed: false), rows: g.o, g, epilogue: epilogue)
    }

    /// dx = conv(bf16(dy), bf16(W′)), W′[c, o] = W[o, c] turned 180°, with fp32 sums.
    func amxConv3x3InputGradient(_ dy: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        amxImages(dy.data, channels: g.o, weights: amxWeights(weight, g, transposed: true), rows: g.c, g, epilogue: nil)
    }

    private func amxImages(_ input: [Float], channels: Int, weights: TileWords, rows: Int, _ g: ConvGeometry,
                           epilogue: ((UnsafeMutablePointer<Float>, Int, Int) -> Void)?) -> [Float] {
        let plane = g.h * g.w
        let parts = partsFor(work: g.n * rows * plane * channels * 9, units: g.n, threads: threads)
        return makeArray(g.n * rows * plane) { yp in
            input.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!, wp = UnsafePointer(weights.words)
                parallelParts(parts) { part in
                    for img in partRange(part, of: parts, count: g.n) {
                        atkd_amx_conv3x3(xp + img &* channels &* plane, Int32(channels), Int32(g.h), Int32(g.w),
                                         wp, Int32(rows), yp + img &* rows &* plane)
                        epilogue?(yp, img, 1)
                    }
                }
                withExtendedLifetime(weights) {}
            }
        }
    }

    /// dW[o, c, ky, kx] = Σ_n Σ_{y,x} bf16(dy)[n, o, y, x] · bf16(x)[n, c, y + ky − 1, x + kx − 1], fp32
    /// sums: one accumulator per part (images split over threads, in groups a call), summed in part order.
    /// - Deviation: none in value; like every image-split dW, the last bits depend on `threads`.
    func amxConv3x3WeightGradient(_ x: Tensor, dy: Tensor, _ g: ConvGeometry) -> [Float] {
        let (c, o, plane) = (g.c, g.o, g.h * g.w)
        let cPad = (c + 15) / 16 * 16, oPad = (o + 15) / 16 * 16, accCount = 9 * cPad * oPad
        let parts = partsFor(work: g.n * o * plane * c * 9, units: g.n, threads: threads)
        // Images a call: each C tile is loaded and stored once a call, so small maps (few q blocks an
        // image) take several images; the packed operands (≈ 4·(C·(H+2)(W+2) + O·H(W+2)/2) bytes an
        // image) are kept within ≈ 512 KiB of the 2 MiB L2.
        let perImage = 4 * (cPad * (g.h + 2) * (g.w + 2) + oPad * g.h * (g.w + 2) / 2)
        let group = max(1, min(16, (512 << 10) / max(1, perImage)))
        var accumulators = [Float](repeating: 0, count: parts * accCount)
        x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { db in
                accumulators.withUnsafeMutableBufferPointer { ab in
                    let xp = xb.baseAddress!, dyp = db.baseAddress!, ap = ab.baseAddress!
                    parallelParts(parts) { part in
                        let images = partRange(part, of: parts, count: g.n)
                        for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
                            let count = min(group, images.upperBound &- first)
                            atkd_amx_conv3x3_weight_gradient(xp + first &* c &* plane, dyp + first &* o &* plane,
                                                             Int32(count), Int32(c), Int32(o), Int32(g.h), Int32(g.w),
                                                             ap + part &* accCount)
                        }
                    }
                }
            }
        }
        // The accumulators ([part][tap][o][c]) read in their order; the parts add in part order.
        var dw = [Float](repeating: 0, count: o * c * 9)
        dw.withUnsafeMutableBufferPointer { d in
            accumulators.withUnsafeBufferPointer { a in
                for part in 0..<parts {
                    for tap in 0..<9 {
                        for oc in 0..<o {
                            let offset: Int = part &* accCount &+ (tap &* oPad &+ oc) &* cPad
                            let row = a.baseAddress! + offset
                            var at = oc &* c &* 9 &+ tap
                            for ic in 0..<c { d[at] += row[ic]; at &+= 9 }
                        }
                    }
                }
            }
        }
        return dw
    }
}
