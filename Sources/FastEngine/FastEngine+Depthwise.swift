// Depthwise convolution (groups = C = O) as direct loops: GEMMs with M = 1
// waste BLAS, and the k·k taps of a plane stay in L1. Stride 1 (the common
// case) runs on zero-padded plane copies, eight output columns per SIMD8
// register with every tap accumulated in it; stride s ≥ 2 splits the padded
// plane's columns into s phases (column c → phase c mod s, slot c / s) so its
// taps become contiguous loads too; padding ≥ k falls back to row loops.
// N batch, C channels, H, W input; OH, OW output; k kernel, s stride, P padding;
// OWr = OW rounded up to 8.

import TensorCore

extension FastEngine {
    /// y[n,c,i,j] = b[c] + Σ_{p,q} x[n,c,i·s+p−P, j·s+q−P] · w[c,0,p,q], one plane per task.
    /// `epilogue(y plane, plane index n·C + c)` runs on each finished output plane, on the thread
    /// that wrote it, while it is in cache.
    func depthwiseConv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry,
                         epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) -> Tensor {
        if g.stride == 1 && g.pad < g.k {
            return depthwiseConv2dStride1(x, weight: weight, bias: bias, g, epilogue: epilogue)
        }
        if g.pad < g.k { return depthwiseConv2dStrided(x, weight: weight, bias: bias, g, epilogue: epilogue) }
        let planes = g.n * g.c, k = g.k, kk = k * k
        let parts = partsFor(work: planes * g.planeOut * kk, units: planes, threads: threads)
        let biasData = bias?.data ?? [Float](repeating: 0, count: g.c)
        precondition(biasData.count == g.c, "bias has \(biasData.count) values for \(g.c) channels")
        let y = makeArray(planes * g.planeOut) { yp in
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
            biasData.withUnsafeBufferPointer { bb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!
                parallelParts(parts) { part in
                    for plane in partRange(part, of: parts, count: planes) {
                        let ch = plane % g.c
                        let src = xp + plane &* g.planeIn, dst = yp + plane &* g.planeOut
                        let taps = wp + ch &* kk
                        dst.update(repeating: bb[ch], count: g.planeOut)
                        for p in 0..<k {
                            for i in g.iLo[p]..<g.iHi[p] {
                                let yrow = dst + i &* g.ow
                                let xrow = src + g.inputOffset(i, p, 0)
                                for q in 0..<k {
                                    let t = taps[p &* k &+ q], xq = xrow + q
                                    var j = g.jLo[q]
                                    let j1 = g.jHi[q]
                                    if g.stride == 1 {
                                        if j1 > j { vaxpy(t, xq + j, yrow + j, j1 &- j) }
                                    } else {
                                        while j < j1 { yrow[j] += t * xq[j &* g.stride]; j &+= 1 }
                                    }
                                }
                            }
                        }
                        epilogue?(dst, plane)
                    }
                }
            }
            }
            }
        }
        return Tensor(shape: [g.n, g.c, g.oh, g.ow], data: y)
    }

    /// dx[n,c,i·s+p−P, j·s+q−P] += w[c,0,p,q]·dy[n,c,i,j] (one plane per task);
    /// dw[c,0,p,q] = Σ_{n,i,j} dy[n,c,i,j]·x[n,c,i·s+p−P, j·s+q−P] (one channel per task,
    /// images in order, so the result does not depend on scheduling).
    func depthwiseConv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ g: ConvGeometry,
                                 dy: Tensor) -> ConvGradients {
        if g.stride == 1 && g.pad < g.k {
            return depthwiseConv2dBackwardStride1(x, weight: weight, hasBias: hasBias, g, dy: dy)
        }
        if g.pad < g.k { return depthwiseConv2dBackwardStrided(x, weight: weight, hasBias: hasBias, g, dy: dy) }
        let planes = g.n * g.c, k = g.k, kk = k * k
        var dx = [Float](repeating: 0, count: x.count)
        var dw = [Float](repeating: 0, count: weight.count)
        x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
        dy.data.withUnsafeBufferPointer { db in
        dx.withUnsafeMutableBufferPointer { dxb in
        dw.withUnsafeMutableBufferPointer { dwb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, dyp = db.baseAddress!
            let dxp = dxb.baseAddress!, dwp = dwb.baseAddress!
            let parts = partsFor(work: planes * g.planeOut * kk, units: planes, threads: threads)
            parallelParts(parts) { part in
                for plane in partRange(part, of: parts, count: planes) {
                    let taps = wp + (plane % g.c) &* kk
                    let grad = dyp + plane &* g.planeOut, dst = dxp + plane &* g.planeIn
                    for p in 0..<k {
                        for i in g.iLo[p]..<g.iHi[p] {
                            let dyrow = grad + i &* g.ow
                            let dxrow = dst + g.inputOffset(i, p, 0)
                            for q in 0..<k {
                                let t = taps[p &* k &+ q], dq = dxrow + q
                                var j = g.jLo[q]
                                let j1 = g.jHi[q]
                                if g.stride == 1 {
                                    if j1 > j { vaxpy(t, dyrow + j, dq + j, j1 &- j) }
                                } else {
                                    while j < j1 { dq[j &* g.stride] += t * dyrow[j]; j &+= 1 }
                                }
                            }
                        }
                    }
                }
            }
            let cparts = partsFor(work: planes * g.planeOut * kk, units: g.c, threads: threads)
            parallelParts(cparts) { part in
                var acc = [Double](repeating: 0, count: kk)
                var strided = [Float](repeating: 0, count: g.ow)
                for ch in partRange(part, of: cparts, count: g.c) {
                    for t in 0..<kk { acc[t] = 0 }
                    for img in 0..<g.n {
                        let plane = img &* g.c &+ ch
                        let src = xp + plane &* g.planeIn, grad = dyp + plane &* g.planeOut
                        for p in 0..<k {
                            for i in g.iLo[p]..<g.iHi[p] {
                                let dyrow = grad + i &* g.ow
                                let xrow = src + g.inputOffset(i, p, 0)
                                for q in 0..<k {
                                    let j0 = g.jLo[q], j1 = g.jHi[q]
                                    guard j1 > j0 else { continue }
                                    let s: Float
                                    if g.stride == 1 {
                                        s = vdot(dyrow + j0, xrow + (q &+ j0), j1 &- j0)
                                    } else {
                                        s = strided.withUnsafeMutableBufferPointer { sb in
                                            let sp = sb.baseAddress!
                                            var j = j0
                                            while j < j1 { sp[j] = xrow[q &+ j &* g.stride]; j &+= 1 }
                                            return vdot(dyrow + j0, sp + j0, j1 &- j0)
                                        }
                                    }
                                    acc[p &* k &+ q] += Double(s)
                                }
                            }
                        }
                    }
                    for t in 0..<kk { dwp[ch &* kk &+ t] = Float(acc[t]) }
                }
            }
        }
        }
        }
        }
        }
        return ConvGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: weight.shape, data: dw),
                             bias: hasBias ? channelSums(dy) : nil)
    }

    /// Stride-1 forward: each plane is copied into a zero-padded buffer
    /// [(H + 2P), OWr + k − 1] (margins zeroed once per thread), then `depthwisePlane`.
    func depthwiseConv2dStride1(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry,
                                epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) -> Tensor {
        if DepthwiseChannelLanes.applies(g) { return depthwiseLanesForward(x, weight: weight, bias: bias, g, epilogue: epilogue) }
        let planes = g.n * g.c, k = g.k, kk = k * k
        let parts = partsFor(work: planes * g.planeOut * kk, units: planes, threads: threads)
        let biasData = bias?.data ?? [Float](repeating: 0, count: g.c)
        precondition(biasData.count == g.c, "bias has \(biasData.count) values for \(g.c) channels")
        let ld = roundUp8(g.ow) + k - 1, padH = g.h + 2 * g.pad
        let y = makeArray(planes * g.planeOut) { yp in
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
            biasData.withUnsafeBufferPointer { bb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!
                parallelParts(parts) { part in
                    var padded = [Float](repeating: 0, count: padH * ld)
                    padded.withUnsafeMutableBufferPointer { pb in
                        let pad = pb.baseAddress!
                        for plane in partRange(part, of: parts, count: planes) {
                            let ch = plane % g.c
                            copyPlane(xp + plane &* g.planeIn, rows: g.h, cols: g.w,
                                      into: pad + (g.pad &* ld &+ g.pad), ld: ld)
                            depthwisePlane(pad, ld: ld, taps: wp + ch &* kk, k: k, bias: bb[ch],
                                           out: yp + plane &* g.planeOut, oh: g.oh, ow: g.ow)
                            epilogue?(yp + plane &* g.planeOut, plane)
                        }
                    }
                }
            }
            }
            }
        }
        return Tensor(shape: [g.n, g.c, g.oh, g.ow], data: y)
    }

    /// Stride-1 backward, one channel per task, images in order:
    /// dx = the stride-1 correlation of dy zero-padded by k − 1 − P with the flipped kernel;
    /// dw[p,q] = Σ_{i,j} dy[i,j]·x̃[i+p, j+q] with x̃ the P-padded input (Float within a
    /// plane, Double across images, so the result does not depend on `threads`).
    func depthwiseConv2dBackwardStride1(_ x: Tensor, weight: Tensor, hasBias: Bool, _ g: ConvGeometry,
                                        dy: Tensor) -> ConvGradients {
        if DepthwiseChannelLanes.applies(g) { return depthwiseLanesBackward(x, weight: weight, hasBias: hasBias, g, dy: dy) }
        let k = g.k, kk = k * k, q = k - 1 - g.pad
        let owr = roundUp8(g.ow)
        let ldX = owr + k - 1, xH = g.h + 2 * g.pad                  // x̃, as in the forward
        let ldD = max(roundUp8(g.w) + k - 1, q + owr), dH = g.oh + 2 * q   // dy padded by q
        let parts = partsFor(work: g.n * g.c * g.planeOut * kk, units: g.c, threads: threads)
        var dw = [Float](repeating: 0, count: weight.count)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
            dy.data.withUnsafeBufferPointer { db in
            dw.withUnsafeMutableBufferPointer { dwb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!, dyp = db.baseAddress!, dwp = dwb.baseAddress!
                parallelParts(parts) { part in
                    var xPad = [Float](repeating: 0, count: xH * ldX)
                    var dyPad = [Float](repeating: 0, count: dH * ldD)
                    let channels = partRange(part, of: parts, count: g.c)
                    var flipped = [Float](repeating: 0, count: channels.count * kk)
                    var acc = [Double](repeating: 0, count: channels.count * kk)
                    var planeSums = [Float](repeating: 0, count: kk)
                    xPad.withUnsafeMutableBufferPointer { xpb in
                    dyPad.withUnsafeMutableBufferPointer { dpb in
                    flipped.withUnsafeMutableBufferPointer { fb in
                    planeSums.withUnsafeMutableBufferPointer { sb in
                        let xt = xpb.baseAddress!, dt = dpb.baseAddress!, flip = fb.baseAddress!, sums = sb.baseAddress!
                        for ch in channels {
                            let taps = wp + ch &* kk, f = flip + (ch &- channels.lowerBound) &* kk
                            for t in 0..<kk { f[t] = taps[kk &- 1 &- t] }
                        }
                        // NOTE: images outer, the part's channels inner: consecutive planes are
                        // consecutive in memory (a channel's planes are C·H·W floats apart: on 8×8
                        // maps each plane was a new page). Each channel still sums its images in order.
                        for img in 0..<g.n {
                            for ch in channels {
                                let plane = img &* g.c &+ ch, local = (ch &- channels.lowerBound) &* kk
                                copyPlane(xp + plane &* g.planeIn, rows: g.h, cols: g.w,
                                          into: xt + (g.pad &* ldX &+ g.pad), ld: ldX)
                                copyPlane(dyp + plane &* g.planeOut, rows: g.oh, cols: g.ow,
                                          into: dt + (q &* ldD &+ q), ld: ldD)
                                depthwisePlane(dt, ld: ldD, taps: flip + local, k: k, bias: 0,
                                               out: dxp + plane &* g.planeIn, oh: g.h, ow: g.w)
                                depthwiseWeightGradPlane(dt + (q &* ldD &+ q), ldDy: ldD, x: xt, ldX: ldX, k: k,
                                                         oh: g.oh, ow: g.ow, into: sums)
                                for t in 0..<kk { acc[local &+ t] += Double(sums[t]) }
                            }
                        }
                        for ch in channels {
                            for t in 0..<kk { dwp[ch &* kk &+ t] = Float(acc[(ch &- channels.lowerBound) &* kk &+ t]) }
                        }
                    }
                    }
                    }
                    }
                }
            }
            }
            }
            }
        }
        return ConvGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: weight.shape, data: dw),
                             bias: hasBias ? channelSums(dy) : nil)
    }
}

/// Column phases of a zero-padded plane for stride s: phase φ, row r, slot t holds
/// x̃[r, t·s + φ] (x̃ = x padded by P), each phase [H + 2P, ld].
struct PhasedPlane {
    let s: Int, pad: Int, h: Int, w: Int, rows: Int, ld: Int
    var size: Int { rows * ld }
    init(_ g: ConvGeometry) {
        s = g.stride; pad = g.pad; h = g.h; w = g.w; rows = g.h + 2 * g.pad
        ld = max(roundUp8(g.ow) + (g.k - 1) / g.stride, (g.w + 2 * g.pad + g.stride - 1) / g.stride)
    }
    /// Writes the interior (margins stay as they are: zero once per thread), phase by phase
    /// (no division per element).
    func fill(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        if s == 2 { fillStride2(src, dst); return }
        for phase in 0..<s {
            // first slot t with t·s + phase − P ≥ 0, and its input column
            let t0 = phase >= pad ? 0 : (pad &- phase &+ s &- 1) / s
            let c0 = t0 &* s &+ phase &- pad
            for r in 0..<h {
                let row = src + r &* w, out = dst + (phase &* size &+ (r &+ pad) &* ld &+ t0)
                var c = c0, t = 0
                while c < w { out[t] = row[c]; c &+= s; t &+= 1 }
            }
        }
    }
    /// dst[r, c] = phases[x̃ row r + P, column c + P]: the adjoint of `fill`.
    func gather(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        if s == 2 { gatherStride2(src, dst); return }
        for phase in 0..<s {
            let t0 = phase >= pad ? 0 : (pad &- phase &+ s &- 1) / s
            let c0 = t0 &* s &+ phase &- pad
            for r in 0..<h {
                let row = dst + r &* w, inp = src + (phase &* size &+ (r &+ pad) &* ld &+ t0)
                var c = c0, t = 0
                while c < w { row[c] = inp[t]; c &+= s; t &+= 1 }
            }
        }
    }
    /// Stride 2: input column 2u lands in phase (P mod 2) at slot u + (P − P mod 2)/2, column 2u + 1
    /// in phase ((P + 1) mod 2) at slot u + (P + 1 − (P + 1) mod 2)/2.
    private var evenColumns: (phase: Int, slot: Int) { (pad % 2, (pad - pad % 2) / 2) }
    private var oddColumns: (phase: Int, slot: Int) { ((pad + 1) % 2, (pad + 1 - (pad + 1) % 2) / 2) }

    /// `fill` for s = 2 (the same values): each row's even and odd columns split (`splitColumns`);
    /// for an odd W the odd phase also gets a 0 one slot past the row, which is margin (zero already).
    private func fillStride2(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let (pe, se) = evenColumns, (po, so) = oddColumns
        for r in 0..<h {
            splitColumns(src + r &* w, rows: 1, width: w, even: dst + (pe &* size &+ (r &+ pad) &* ld &+ se),
                         odd: dst + (po &* size &+ (r &+ pad) &* ld &+ so), half: (w &+ 1) / 2)
        }
    }

    /// `gather` for s = 2 (the same values): each row's even and odd columns zipped (`mergeColumns`).
    private func gatherStride2(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        let (pe, se) = evenColumns, (po, so) = oddColumns
        for r in 0..<h {
            mergeColumns(src + (pe &* size &+ (r &+ pad) &* ld &+ se), src + (po &* size &+ (r &+ pad) &* ld &+ so),
                         half: (w &+ 1) / 2, rows: 1, width: w, into: dst + r &* w)
        }
    }

    /// Offsets of tap column q (q mod s phase, slot q / s), for q < k.
    func tapOffsets(_ k: Int) -> [Int] { (0..<k).map { q in (q % s) * size + q / s } }
}

extension FastEngine {
    /// Stride ≥ 2 forward: y[i,j] = b + Σ_{p,q} w[p,q]·phase[q mod s][i·s + p, j + q/s].
    func depthwiseConv2dStrided(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry,
                                epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) -> Tensor {
        let planes = g.n * g.c, k = g.k, kk = k * k, ph = PhasedPlane(g)
        let parts = partsFor(work: planes * g.planeOut * kk, units: planes, threads: threads)
        let biasData = bias?.data ?? [Float](repeating: 0, count: g.c)
        precondition(biasData.count == g.c, "bias has \(biasData.count) values for \(g.c) channels")
        let y = makeArray(planes * g.planeOut) { yp in
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
            biasData.withUnsafeBufferPointer { bb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!
                parallelParts(parts) { part in
                    var phases = [Float](repeating: 0, count: g.stride * ph.size)
                    let qOff = ph.tapOffsets(k)
                    phases.withUnsafeMutableBufferPointer { pb in
                    qOff.withUnsafeBufferPointer { qb in
                        let src = pb.baseAddress!, qo = qb.baseAddress!
                        let raw = UnsafeRawPointer(src)
                        for plane in partRange(part, of: parts, count: planes) {
                            let ch = plane % g.c, taps = wp + ch &* kk, out = yp + plane &* g.planeOut
                            ph.fill(xp + plane &* g.planeIn, src)
                            let vb = SIMD8<Float>(repeating: bb[ch])
                            for i in 0..<g.oh {
                                let row = out + i &* g.ow
                                var j = 0
                                while j < g.ow {
                                    var a = vb
                                    for p in 0..<k {
                                        let r = (i &* g.stride &+ p) &* ph.ld &+ j
                                        for q in 0..<k {
                                            let off = r &+ qo[q]
                                            a.addProduct(SIMD8<Float>(repeating: taps[p &* k &+ q]),
                                                         raw.loadUnaligned(fromByteOffset: off &* 4, as: SIMD8<Float>.self))
                                        }
                                    }
                                    if j &+ 8 <= g.ow {
                                        UnsafeMutableRawPointer(row + j).storeBytes(of: a, as: SIMD8<Float>.self)
                                    } else {
                                        for l in 0..<(g.ow &- j) { row[j &+ l] = a[l] }
                                    }
                                    j &+= 8
                                }
                            }
                            epilogue?(out, plane)
                        }
                    }
                    }
                }
            }
            }
            }
        }
        return Tensor(shape: [g.n, g.c, g.oh, g.ow], data: y)
    }

    /// Stride ≥ 2 backward, one channel per task, images in order: dW[p,q] = Σ dy[i,j]·phase[…]
    /// (Float within a plane, Double across images); dx accumulates w[p,q]·dy rows into
    /// zeroed phase buffers, then gathers them back (the adjoint of the forward's fill).
    func depthwiseConv2dBackwardStrided(_ x: Tensor, weight: Tensor, hasBias: Bool, _ g: ConvGeometry,
                                        dy: Tensor) -> ConvGradients {
        let k = g.k, kk = k * k, ph = PhasedPlane(g), owr = roundUp8(g.ow)
        let parts = partsFor(work: g.n * g.c * g.planeOut * kk, units: g.c, threads: threads)
        var dw = [Float](repeating: 0, count: weight.count)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            weight.data.withUnsafeBufferPointer { wb in
            dy.data.withUnsafeBufferPointer { db in
            dw.withUnsafeMutableBufferPointer { dwb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!, dyp = db.baseAddress!, dwp = dwb.baseAddress!
                parallelParts(parts) { part in
                    var phases = [Float](repeating: 0, count: g.stride * ph.size)
                    var dPhases = phases
                    var dyRows = [Float](repeating: 0, count: g.oh * owr)   // dy with zero tails
                    let channels = partRange(part, of: parts, count: g.c)
                    var acc = [Double](repeating: 0, count: channels.count * kk)
                    let qOff = ph.tapOffsets(k)
                    phases.withUnsafeMutableBufferPointer { pb in
                    dPhases.withUnsafeMutableBufferPointer { dpb in
                    dyRows.withUnsafeMutableBufferPointer { drb in
                        let xs = pb.baseAddress!, dxs = dpb.baseAddress!, dyr = drb.baseAddress!
                        let rx = UnsafeRawPointer(xs), rd = UnsafeRawPointer(dyr)
                        // Images outer, channels inner (see the stride-1 backward's NOTE).
                        for img in 0..<g.n {
                            for ch in channels {
                                let taps = wp + ch &* kk, local = (ch &- channels.lowerBound) &* kk
                                let plane = img &* g.c &+ ch
                                ph.fill(xp + plane &* g.planeIn, xs)
                                copyPlane(dyp + plane &* g.planeOut, rows: g.oh, cols: g.ow, into: dyr, ld: owr)
                                dxs.update(repeating: 0, count: g.stride &* ph.size)
                                for p in 0..<k {
                                    for q in 0..<k {
                                        var a = SIMD8<Float>()
                                        let t = SIMD8<Float>(repeating: taps[p &* k &+ q])
                                        for i in 0..<g.oh {
                                            let off = (i &* g.stride &+ p) &* ph.ld &+ qOff[q], drow = i &* owr
                                            var j = 0
                                            while j < g.ow {
                                                let d = rd.loadUnaligned(fromByteOffset: (drow &+ j) &* 4, as: SIMD8<Float>.self)
                                                let o = (off &+ j) &* 4
                                                a.addProduct(d, rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self))
                                                var v = UnsafeRawPointer(dxs).loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                                                v.addProduct(t, d)
                                                UnsafeMutableRawPointer(dxs).storeBytes(of: v, toByteOffset: o, as: SIMD8<Float>.self)
                                                j &+= 8
                                            }
                                        }
                                        acc[local &+ p &* k &+ q] += Double(a.sum())
                                    }
                                }
                                ph.gather(dxs, dxp + plane &* g.planeIn)
                            }
                        }
                        for ch in channels {
                            for t in 0..<kk { dwp[ch &* kk &+ t] = Float(acc[(ch &- channels.lowerBound) &* kk &+ t]) }
                        }
                    }
                    }
                    }
                }
            }
            }
            }
            }
        }
        return ConvGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: weight.shape, data: dw),
                             bias: hasBias ? channelSums(dy) : nil)
    }
}

@inline(__always)
func roundUp8(_ v: Int) -> Int { (v &+ 7) & ~7 }

/// dst[i·ld + j] = src[i·cols + j] for a rows × cols plane.
@inline(__always)
func copyPlane(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>, ld: Int) {
    for i in 0..<rows { (dst + i &* ld).update(from: src + i &* cols, count: cols) }
}

/// out[i·ow + j] = bias + Σ_{p,q<k} taps[p·k + q]·src[(i+p)·ld + j + q] for i < oh, j < ow,
/// eight columns per SIMD8 accumulator; reads columns up to roundUp8(ow) + k − 1 (≤ ld)
/// of rows up to oh + k − 1, which the caller keeps in bounds (and zero where padding).
func depthwisePlane(_ src: UnsafePointer<Float>, ld: Int, taps: UnsafePointer<Float>, k: Int, bias: Float,
                    out: UnsafeMutablePointer<Float>, oh: Int, ow: Int) {
    let raw = UnsafeRawPointer(src)
    @inline(__always) func load(_ offset: Int) -> SIMD8<Float> {
        raw.loadUnaligned(fromByteOffset: offset &* 4, as: SIMD8<Float>.self)
    }
    @inline(__always) func store(_ v: SIMD8<Float>, _ row: UnsafeMutablePointer<Float>, _ j: Int) {
        if j &+ 8 <= ow {
            UnsafeMutableRawPointer(row + j).storeBytes(of: v, as: SIMD8<Float>.self)
        } else {
            for l in 0..<(ow &- j) { row[j &+ l] = v[l] }
        }
    }
    let vb = SIMD8<Float>(repeating: bias)
    if k == 3 {
        let t0 = SIMD8<Float>(repeating: taps[0]), t1 = SIMD8<Float>(repeating: taps[1])
        let t2 = SIMD8<Float>(repeating: taps[2]), t3 = SIMD8<Float>(repeating: taps[3])
        let t4 = SIMD8<Float>(repeating: taps[4]), t5 = SIMD8<Float>(repeating: taps[5])
        let t6 = SIMD8<Float>(repeating: taps[6]), t7 = SIMD8<Float>(repeating: taps[7])
        let t8 = SIMD8<Float>(repeating: taps[8])
        for i in 0..<oh {
            let r0 = i &* ld, r1 = r0 &+ ld, r2 = r1 &+ ld
            let row = out + i &* ow
            var j = 0
            while j < ow {
                var a = vb
                a.addProduct(t0, load(r0 &+ j)); a.addProduct(t1, load(r0 &+ j &+ 1)); a.addProduct(t2, load(r0 &+ j &+ 2))
                a.addProduct(t3, load(r1 &+ j)); a.addProduct(t4, load(r1 &+ j &+ 1)); a.addProduct(t5, load(r1 &+ j &+ 2))
                a.addProduct(t6, load(r2 &+ j)); a.addProduct(t7, load(r2 &+ j &+ 1)); a.addProduct(t8, load(r2 &+ j &+ 2))
                store(a, row, j)
                j &+= 8
            }
        }
        return
    }
    for i in 0..<oh {
        let row = out + i &* ow
        var j = 0
        while j < ow {
            var a = vb
            for p in 0..<k {
                let r = (i &+ p) &* ld &+ j
                for q in 0..<k { a.addProduct(SIMD8<Float>(repeating: taps[p &* k &+ q]), load(r &+ q)) }
            }
            store(a, row, j)
            j &+= 8
        }
    }
}

/// sums[p·k + q] = Σ_{i<oh, j<ow} dy[i·ldDy + j]·x[(i+p)·ldX + j + q], eight columns at a time;
/// dy must be zero in columns ow ..< roundUp8(ow) and x readable up to roundUp8(ow) + k − 1.
func depthwiseWeightGradPlane(_ dy: UnsafePointer<Float>, ldDy: Int, x: UnsafePointer<Float>, ldX: Int, k: Int,
                              oh: Int, ow: Int, into sums: UnsafeMutablePointer<Float>) {
    let rd = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x)
    @inline(__always) func ld(_ r: UnsafeRawPointer, _ offset: Int) -> SIMD8<Float> {
        r.loadUnaligned(fromByteOffset: offset &* 4, as: SIMD8<Float>.self)
    }
    if k == 3 {
        var a0 = SIMD8<Float>(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0
        for i in 0..<oh {
            let r0 = i &* ldX, r1 = r0 &+ ldX, r2 = r1 &+ ldX, rdy = i &* ldDy
            var j = 0
            while j < ow {
                let d = ld(rd, rdy &+ j)
                a0.addProduct(d, ld(rx, r0 &+ j)); a1.addProduct(d, ld(rx, r0 &+ j &+ 1)); a2.addProduct(d, ld(rx, r0 &+ j &+ 2))
                a3.addProduct(d, ld(rx, r1 &+ j)); a4.addProduct(d, ld(rx, r1 &+ j &+ 1)); a5.addProduct(d, ld(rx, r1 &+ j &+ 2))
                a6.addProduct(d, ld(rx, r2 &+ j)); a7.addProduct(d, ld(rx, r2 &+ j &+ 1)); a8.addProduct(d, ld(rx, r2 &+ j &+ 2))
                j &+= 8
            }
        }
        sums[0] = a0.sum(); sums[1] = a1.sum(); sums[2] = a2.sum()
        sums[3] = a3.sum(); sums[4] = a4.sum(); sums[5] = a5.sum()
        sums[6] = a6.sum(); sums[7] = a7.sum(); sums[8] = a8.sum()
        return
    }
    for p in 0..<k {
        for q in 0..<k {
            var a = SIMD8<Float>()
            for i in 0..<oh {
                let rx0 = (i &+ p) &* ldX &+ q, rdy = i &* ldDy
                var j = 0
                while j < ow { a.addProduct(ld(rd, rdy &+ j), ld(rx, rx0 &+ j)); j &+= 8 }
            }
            sums[p &* k &+ q] = a.sum()
        }
    }
}
