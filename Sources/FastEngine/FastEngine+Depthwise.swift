// Depthwise convolution (groups = C = O) as direct row loops: GEMMs with
// M = 1 waste BLAS, and the k·k taps of a plane stay in L1.
// N batch, C channels, H, W input; OH, OW output; k kernel, s stride, P padding.

import TensorCore

extension FastEngine {
    /// y[n,c,i,j] = b[c] + Σ_{p,q} x[n,c,i·s+p−P, j·s+q−P] · w[c,0,p,q], one plane per task.
    func depthwiseConv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
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
}
