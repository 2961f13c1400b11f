// Vectorised reductions and row kernels shared by the fast kernels (SIMD8, AVX2).

/// Σ a[i] over `count` elements: four 8-lane accumulators (32 floats a step), then 8 lanes,
/// then the tail.
/// NOTE: Float lanes are fine for one image plane (≤ a few thousand terms);
/// callers sum planes into a Double so long channels keep their precision.
/// NOTE: four accumulators, not one: with one, each add waited for the last (4 cycles a vector),
/// and batch norm's statistics passes ran at a quarter of L2's speed.
@inline(__always)
func vsum(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
    var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
    var i = 0
    let raw = UnsafeRawPointer(a)
    while i &+ 32 <= count {
        a0 += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        a1 += raw.loadUnaligned(fromByteOffset: i &* 4 &+ 32, as: SIMD8<Float>.self)
        a2 += raw.loadUnaligned(fromByteOffset: i &* 4 &+ 64, as: SIMD8<Float>.self)
        a3 += raw.loadUnaligned(fromByteOffset: i &* 4 &+ 96, as: SIMD8<Float>.self)
        i &+= 32
    }
    while i &+ 8 <= count {
        a0 += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        i &+= 8
    }
    var s = ((a0 + a1) + (a2 + a3)).sum()
    while i < count { s += a[i]; i &+= 1 }
    return s
}

/// Σ a[i]·b[i].
@inline(__always)
func vdot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i &+ 8 <= count {
        let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        acc.addProduct(va, vb)
        i &+= 8
    }
    var s = acc.sum()
    while i < count { s += a[i] * b[i]; i &+= 1 }
    return s
}

/// Σ a[i]·(b[i] − m).
@inline(__always)
func vdotCentered(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int, mean m: Float) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let vm = SIMD8<Float>(repeating: m)
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i &+ 8 <= count {
        let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        acc.addProduct(va, vb - vm)
        i &+= 8
    }
    var s = acc.sum()
    while i < count { s += a[i] * (b[i] - m); i &+= 1 }
    return s
}

/// (Σ a[i], Σ a[i]·(b[i] − m)) in one pass over both planes.
@inline(__always)
func vsumAndDotCentered(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int,
                        mean m: Float) -> (Float, Float) {
    var s0 = SIMD8<Float>(repeating: 0), s1 = s0, c0 = s0, c1 = s0
    let vm = SIMD8<Float>(repeating: m)
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i &+ 16 <= count {
        let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let wa = ra.loadUnaligned(fromByteOffset: i &* 4 &+ 32, as: SIMD8<Float>.self)
        let wb = rb.loadUnaligned(fromByteOffset: i &* 4 &+ 32, as: SIMD8<Float>.self)
        s0 += va; c0.addProduct(va, vb - vm)
        s1 += wa; c1.addProduct(wa, wb - vm)
        i &+= 16
    }
    while i &+ 8 <= count {
        let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        s0 += va; c0.addProduct(va, vb - vm)
        i &+= 8
    }
    var s = (s0 + s1).sum(), sc = (c0 + c1).sum()
    while i < count { s += a[i]; sc += a[i] * (b[i] - m); i &+= 1 }
    return (s, sc)
}

/// y[i] += a·x[i] (x and y may not overlap).
@inline(__always)
func vaxpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    let va = SIMD8<Float>(repeating: a)
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    var i = 0
    while i &+ 8 <= count {
        var vy = ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        vy.addProduct(va, rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self))
        ry.storeBytes(of: vy, toByteOffset: i &* 4, as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < count { y[i] += a * x[i]; i &+= 1 }
}
