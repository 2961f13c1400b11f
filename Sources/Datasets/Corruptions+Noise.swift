// The noise corruptions of CIFAR-10-C: Gaussian, shot (Poisson) and impulse
// (salt-and-pepper) noise, each drawn per channel value from the image's generator.
// Values are intensities in [0, 1] (`x/255`) until `quantize`.

import Foundation
import TensorCore

extension Corruption {
    /// Gaussian noise std on [0, 1] intensities, severities 1–5.
    ///
    /// `y = clip(x + c·n, 0, 1)`, `n ~ N(0, 1)` per channel value;
    /// c = [0.04, 0.06, 0.08, 0.09, 0.10] (so `c·255` grey levels).
    /// - Reference: make_cifar_c.py `gaussian_noise`.
    public static let gaussianNoiseStd: [Double] = [0.04, 0.06, 0.08, 0.09, 0.10]

    /// Shot noise photon counts per unit intensity, severities 1–5.
    ///
    /// `y = clip(Poisson(x·c) / c, 0, 1)`; c = [500, 250, 100, 75, 50] (fewer photons, more noise:
    /// the std at intensity x is `√(x/c)`).
    /// - Reference: make_cifar_c.py `shot_noise` (`np.random.poisson`).
    public static let shotNoisePhotons: [Double] = [500, 250, 100, 75, 50]

    /// Impulse noise amounts, severities 1–5.
    ///
    /// Each channel value independently becomes 0 or 1 (equally likely) with probability c,
    /// else stays; c = [0.01, 0.02, 0.03, 0.05, 0.07].
    /// - Reference: make_cifar_c.py `impulse_noise` = `skimage.util.random_noise(mode='s&p',
    ///   amount=c)`, salt_vs_pepper ½, drawn per element as current skimage does (0.26:
    ///   two Bernoulli masks; the 2019 versions salted ⌈c·N/2⌉ random positions, with repeats).
    public static let impulseNoiseAmount: [Double] = [0.01, 0.02, 0.03, 0.05, 0.07]

    static func gaussianNoise(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int,
                              std: Double, rng: inout SeededRNG) {
        for k in 0..<count { dst[k] = quantize(Double(src[k]) / 255 + std * Double(rng.normal())) }
    }

    static func shotNoise(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int,
                          photons: Double, rng: inout SeededRNG) {
        for k in 0..<count {
            dst[k] = quantize(Double(poisson(Double(src[k]) / 255 * photons, rng: &rng)) / photons)
        }
    }

    static func impulseNoise(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int,
                             amount: Double, rng: inout SeededRNG) {
        for k in 0..<count {
            if unitDouble(&rng) <= amount {
                dst[k] = unitDouble(&rng) <= 0.5 ? 255 : 0
            } else {
                dst[k] = src[k]
            }
        }
    }
}

/// Uniform in [0, 1) with 53 random bits.
@inline(__always)
func unitDouble(_ rng: inout SeededRNG) -> Double {
    Double(rng.next() >> 11) * 0x1p-53
}

/// A Poisson(λ) draw: multiplication of uniforms for λ < 10, else Hörmann's
/// transformed rejection with squeeze (PTRS), expected O(1) per draw.
///
/// - Reference: W. Hörmann, "The transformed rejection method for generating
///   Poisson random variables", Insurance: Mathematics and Economics 12 (1993),
///   algorithm PTRS — the method (and the λ = 10 switch) numpy's `poisson` uses.
func poisson(_ lambda: Double, rng: inout SeededRNG) -> Int {
    guard lambda > 0 else { return 0 }
    if lambda < 10 {
        let limit = exp(-lambda)
        var k = 0, product = unitDouble(&rng)
        while product > limit { k += 1; product *= unitDouble(&rng) }
        return k
    }
    let slam = lambda.squareRoot(), logLambda = log(lambda)
    let b = 0.931 + 2.53 * slam
    let a = -0.059 + 0.02483 * b
    let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
    let vr = 0.9277 - 3.6224 / (b - 2)
    while true {
        let u = unitDouble(&rng) - 0.5
        let v = unitDouble(&rng)
        let us = 0.5 - abs(u)
        // NOTE: floor in Double, converted only once accepted: Int() truncates toward zero
        // (−0.5 → 0 would accept a negative candidate) and traps on ±∞ (us = 0).
        let kf = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
        if us >= 0.07 && v <= vr { return Int(kf) }
        if !(kf >= 0 && kf < 0x1p52) || (us < 0.013 && v > us) { continue }
        let k = Int(kf)
        if log(v) + log(invAlpha) - log(a / (us * us) + b) <= -lambda + Double(k) * logLambda - logFactorial(k) {
            return k
        }
    }
}

/// `log(k!)`: a table for k < 1024 (λ ≤ 500 stays far below), `lgamma` above.
/// NOTE: `lgamma` writes the global `signgam`, a data race across worker threads; the table avoids it.
func logFactorial(_ k: Int) -> Double {
    k < logFactorials.count ? logFactorials[k] : lgamma(Double(k) + 1)
}

private let logFactorials: [Double] = {
    var t = [0.0]
    for i in 1..<1024 { t.append(t[i - 1] + log(Double(i))) }
    return t
}()
