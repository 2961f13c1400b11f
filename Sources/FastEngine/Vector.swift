// Vectorised reductions and row kernels shared by the fast kernels (SIMD8, AVX2).

/// Σ a[i] over `count` elements, eight Float lanes then the tail.
/// NOTE: Float lanes are fine for one image plane (≤ a few thousand terms);
/// callers sum planes into a Double so long channels keep their precision.
@inline(__always)
func vsum(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let raw = UnsafeRawPointer(a)
    while i &+ 8 <= count {
        acc += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        i &+= 8
    }
    var s = acc.sum()
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

/// Σ (a[i] − m)², the centred second moment of one plane.
@inline(__always)
func vsumSquaredDeviation(_ a: UnsafePointer<Float>, _ count: Int, mean m: Float) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let vm = SIMD8<Float>(repeating: m)
    var i = 0
    let raw = UnsafeRawPointer(a)
    while i &+ 8 <= count {
        let d = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self) - vm
        acc.addProduct(d, d)
        i &+= 8
    }
    var s = acc.sum()
    while i < count { let d = a[i] - m; s += d * d; i &+= 1 }
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
    var acc = SIMD8<Float>(repeating: 0), accC = acc
    let vm = SIMD8<Float>(repeating: m)
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i &+ 8 <= count {
        let va = ra.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let vb = rb.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        acc += va
        accC.addProduct(va, vb - vm)
        i &+= 8
    }
    var s = acc.sum(), sc = accC.sum()
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
