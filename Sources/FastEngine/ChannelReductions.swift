// The batch norm's per-channel reductions: channel blocks sized to L2, planes fed image by image
// (two channels in lockstep), Float lanes flushed into Doubles, and the backward's per-plane step
// with its optional activation gate. Every channel's sums take the same steps at any block size.
// N batch, C channels, HW = H·W.

import TensorCore

/// Channels per block for passes over `arrays` tensors [N, C, HW] such that a block's planes
/// (N·HW floats a channel and array) fit in ~1 MB of L2.
@inline(__always)
func channelBlock(n: Int, hw: Int, arrays: Int) -> Int {
    max(1, (1 << 20) / max(1, n &* hw &* 4 &* arrays))
}

/// Runs `body(c0, c1)` for consecutive blocks of at most `block` channels covering `range`,
/// with `states[0 ..< c1 − c0]` reset for the block's channels and handed to `body`.
@inline(__always)
func forEachChannelBlock(_ range: Range<Int>, _ block: Int, _ states: inout [ChannelReductionState],
                         _ body: (Int, Int, inout [ChannelReductionState]) -> Void) {
    var c0 = range.lowerBound
    while c0 < range.upperBound {
        let c1 = min(c0 &+ block, range.upperBound)
        for i in 0..<(c1 &- c0) { states[i] = ChannelReductionState() }
        body(c0, c1, &states)
        c0 = c1
    }
}

/// Feeds the planes of channels c0 ..< c1 to their states (`states[ch − c0]`), image by image
/// (contiguous), two channels at a time through `pair` (`ChannelReductionState.addPair`), an odd
/// last channel through `single`; the closures get the planes' offsets. Each channel's planes
/// arrive in image order, as with one channel at a time.
@inline(__always)
func forEachPlane(n: Int, c: Int, hw: Int, _ c0: Int, _ c1: Int, _ states: inout [ChannelReductionState],
                  single: (inout ChannelReductionState, Int) -> Void,
                  pair: (inout ChannelReductionState, inout ChannelReductionState, Int, Int) -> Void) {
    states.withUnsafeMutableBufferPointer { sb in
        for img in 0..<n {
            var ch = c0
            while ch &+ 1 < c1 {
                let at = (img &* c &+ ch) &* hw
                pair(&sb[ch &- c0], &sb[ch &+ 1 &- c0], at, at &+ hw)
                ch &+= 2
            }
            if ch < c1 { single(&sb[ch &- c0], (img &* c &+ ch) &* hw) }
        }
    }
}

/// (Σ vector(at) lanes, Σ scalar(at)) over one channel's planes, fed one plane at a time
/// (`at` = plane offset + j), interleaved with other channels' planes image by image: 8-lane
/// Float accumulators across planes, flushed into Doubles every ≥ 4096 values, with no
/// horizontal sum per plane. The channel's sums take the same steps in the same order however
/// its planes are interleaved (the same bits at every block size and thread count).
/// NOTE: summing plane by plane (one horizontal sum and Double conversion per plane) cost more
/// than the data on 4 × 4 and 8 × 8 maps (16 or 64 floats a plane: MobileNetV2's late layers).
struct ChannelReductionState {
    var total0 = 0.0, total1 = 0.0
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
    var t0: Float = 0, t1: Float = 0
    var pending = 0

    @inline(__always)
    mutating func flush() {
        total0 += Double(((a0 + b0).sum() + t0)); total1 += Double(((a1 + b1).sum() + t1))
        a0 = .zero; a1 = .zero; b0 = .zero; b1 = .zero; t0 = 0; t1 = 0; pending = 0
    }

    /// Adds the plane of `hw` values at `base` (`at` = base + j).
    @inline(__always)
    mutating func add(plane base: Int, hw: Int, _ vector: (Int) -> (SIMD8<Float>, SIMD8<Float>),
                      _ scalar: (Int) -> (Float, Float)) {
        let vec = hw & ~7
        var j = 0
        while j &+ 16 <= vec {
            let u = vector(base &+ j), w = vector(base &+ j &+ 8)
            a0 += u.0; a1 += u.1; b0 += w.0; b1 += w.1
            j &+= 16
        }
        if j < vec { let u = vector(base &+ j); a0 += u.0; a1 += u.1; j &+= 8 }
        while j < hw { let u = scalar(base &+ j); t0 += u.0; t1 += u.1; j &+= 1 }
        pending &+= hw
        if pending >= 4096 { flush() }
    }

    /// `add` of two planes (at `planes.0` and `planes.1`) into two channels' states in lockstep:
    /// each state takes exactly the steps `add` gives it (the same bits), but the two channels'
    /// chains of dependent additions run side by side (the single-plane loop waits on its adds'
    /// latency, not on memory).
    @inline(__always)
    static func addPair(_ s: inout Self, _ t: inout Self, planes: (Int, Int), hw: Int,
                        _ vector0: (Int) -> (SIMD8<Float>, SIMD8<Float>), _ scalar0: (Int) -> (Float, Float),
                        _ vector1: (Int) -> (SIMD8<Float>, SIMD8<Float>), _ scalar1: (Int) -> (Float, Float)) {
        let (p, q) = planes, vec = hw & ~7
        var j = 0
        while j &+ 16 <= vec {
            let u = vector0(p &+ j), w = vector0(p &+ j &+ 8)
            let u1 = vector1(q &+ j), w1 = vector1(q &+ j &+ 8)
            s.a0 += u.0; s.a1 += u.1; s.b0 += w.0; s.b1 += w.1
            t.a0 += u1.0; t.a1 += u1.1; t.b0 += w1.0; t.b1 += w1.1
            j &+= 16
        }
        if j < vec {
            let u = vector0(p &+ j), u1 = vector1(q &+ j)
            s.a0 += u.0; s.a1 += u.1; t.a0 += u1.0; t.a1 += u1.1
            j &+= 8
        }
        while j < hw {
            let u = scalar0(p &+ j), u1 = scalar1(q &+ j)
            s.t0 += u.0; s.t1 += u.1; t.t0 += u1.0; t.t1 += u1.1
            j &+= 1
        }
        s.pending &+= hw; t.pending &+= hw
        if s.pending >= 4096 { s.flush() }
        if t.pending >= 4096 { t.flush() }
    }

    @inline(__always)
    mutating func result() -> (Double, Double) {
        flush()
        return (total0, total1)
    }
}

/// Adds one plane (at `offset`) of g = dy, or dy gated by an activation whose input is
/// u·scale + shift (u = `gateInput`: x itself, or another tensor of its shape), to a channel's
/// (Σ g, Σ g·(x − m)): the per-plane step of the backward's reduction.
@inline(__always)
func addSumAndDotCentered(_ state: inout ChannelReductionState, _ dy: UnsafePointer<Float>,
                          gatedBy gate: (scale: Float, shift: Float, act: FusedActivation)?,
                          _ x: UnsafePointer<Float>, gateInput: UnsafePointer<Float>, offset: Int, hw: Int, mean m: Float) {
    let rx = UnsafeRawPointer(x), vm = SIMD8<Float>(repeating: m)
    withGradientLoaders(dy, gateInput, gatedBy: gate) { g, gs in
        state.add(plane: offset, hw: hw, { at in
            let v = g(at)
            return (v, v * (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm))
        }, { at in let v = gs(at); return (v, v * (x[at] - m)) })
    }
}

/// `addSumAndDotCentered` for two channels' planes in lockstep (`ChannelReductionState.addPair`):
/// each state takes exactly the steps the single call gives it. Both gates are nil or both use
/// the same activation (one batch norm's channels).
/// NOTE: the loaders are closure literals at the `addPair` call, one switch outside: loaders from
/// nested helper closures were not inlined (`call loadUnaligned` per 8 floats, sums spilled).
@inline(__always)
func addSumAndDotCentered(_ s: inout ChannelReductionState, _ t: inout ChannelReductionState,
                          _ dy: UnsafePointer<Float>,
                          gatedBy gates: ((scale: Float, shift: Float, act: FusedActivation)?,
                                          (scale: Float, shift: Float, act: FusedActivation)?),
                          _ x: UnsafePointer<Float>, gateInput u: UnsafePointer<Float>, offsets: (Int, Int), hw: Int,
                          means: (Float, Float)) {
    let rx = UnsafeRawPointer(x), rd = UnsafeRawPointer(dy), ru = UnsafeRawPointer(u), (m0, m1) = means
    let vm0 = SIMD8<Float>(repeating: m0), vm1 = SIMD8<Float>(repeating: m1)
    guard let g0 = gates.0, let g1 = gates.1 else {
        ChannelReductionState.addPair(&s, &t, planes: offsets, hw: hw, { at in
            let v = rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            return (v, v * (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm0))
        }, { at in let v = dy[at]; return (v, v * (x[at] - m0)) }, { at in
            let v = rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            return (v, v * (rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) - vm1))
        }, { at in let v = dy[at]; return (v, v * (x[at] - m1)) })
        return
    }
    let (s0, t0, s1, t1) = (g0.scale, g0.shift, g1.scale, g1.shift)
    let vs0 = SIMD8<Float>(repeating: s0), vt0 = SIMD8<Float>(repeating: t0)
    let vs1 = SIMD8<Float>(repeating: s1), vt1 = SIMD8<Float>(repeating: t1)
    @inline(__always) func run(_ act: FusedActivation) {
        ChannelReductionState.addPair(&s, &t, planes: offsets, hw: hw, { at in
            let xv = rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            let uv = ru.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            let v = act.gate(uv * vs0 + vt0, rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self))
            return (v, v * (xv - vm0))
        }, { at in let v = act.gate(u[at] * s0 + t0, dy[at]); return (v, v * (x[at] - m0)) }, { at in
            let xv = rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            let uv = ru.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)
            let v = act.gate(uv * vs1 + vt1, rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self))
            return (v, v * (xv - vm1))
        }, { at in let v = act.gate(u[at] * s1 + t1, dy[at]); return (v, v * (x[at] - m1)) })
    }
    switch g0.act {
    case .relu: run(.relu)
    case .relu6: run(.relu6)
    }
}

/// Calls `body` with loaders of g = dy, or of dy gated by the activation of x·scale + shift
/// (computed as the forward's `affine` computes it; x the gate's input): 8 lanes at `at`, and one value at `at`.
@inline(__always)
private func withGradientLoaders(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                 gatedBy gate: (scale: Float, shift: Float, act: FusedActivation)?,
                                 _ body: ((Int) -> SIMD8<Float>, (Int) -> Float) -> Void) {
    let rd = UnsafeRawPointer(dy)
    guard let gate else {
        body({ at in rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) }, { at in dy[at] })
        return
    }
    let rx = UnsafeRawPointer(x), scale = gate.scale, shift = gate.shift
    let vs = SIMD8<Float>(repeating: scale), vt = SIMD8<Float>(repeating: shift)
    switch gate.act {
    case .relu:
        body({ at in FusedActivation.relu.gate(rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) * vs + vt,
                                               rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)) },
             { at in FusedActivation.relu.gate(x[at] * scale + shift, dy[at]) })
    case .relu6:
        body({ at in FusedActivation.relu6.gate(rx.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self) * vs + vt,
                                                rd.loadUnaligned(fromByteOffset: at &* 4, as: SIMD8<Float>.self)) },
             { at in FusedActivation.relu6.gate(x[at] * scale + shift, dy[at]) })
    }
}
