import Foundation

/// Samples of a 1D Gaussian at evenly spaced points, by recurrence: renderers and fits need a
/// separable atom's factors along each axis of every window, and an exponential per sample was
/// the larger part of their set-up.
package enum GaussianSamples {
    /// Writes `scale · exp(f · dᵢ²)` with dᵢ = `first` + i·`step` to `out[0..<count]`, and 0 where
    /// |dᵢ| > `reach`. Four exponentials, then multiplications outward from the sample nearest
    /// d = 0 (each step's ratio exp(f(2dᵢs ± s²)) changes by exp(2fs²)): outward the values only
    /// fall, so none is scaled up from an underflowed one, and each differs from its own
    /// exponential by a few units in the last place of a Double per step.
    package static func fill<T: BinaryFloatingPoint>(_ out: UnsafeMutablePointer<T>, count: Int, first: Double, step s: Double,
                                                     f: Double, scale: Double, reach: Double = .infinity) {
        guard count > 0 else { return }
        // The sample nearest the centre (clamped to the range); none for a step or offset that
        // is not a number.
        let t = s > 0 ? -first / s : .nan
        let m = t.isFinite ? Int(max(0, min(Double(count - 1), t.rounded()))) : 0
        let dm = first + Double(m) * s
        guard t.isFinite, f.isFinite, scale.isFinite, abs(dm) <= reach else {
            // Nothing within reach (or no Gaussian): the direct formula, sample by sample.
            for i in 0..<count {
                let d = first + Double(i) * s
                out[i] = abs(d) <= reach ? T(scale * exp(f * d * d)) : 0
            }
            return
        }
        let change = exp(2 * f * s * s)
        let gm = scale * exp(f * dm * dm)
        out[m] = T(gm)
        var g = gm, ratio = exp(f * (2 * dm * s + s * s))
        for i in (m + 1)..<max(m + 1, count) {
            g *= ratio; ratio *= change
            out[i] = abs(first + Double(i) * s) <= reach ? T(g) : 0
        }
        g = gm; ratio = exp(f * (-2 * dm * s + s * s))
        for i in stride(from: m - 1, through: 0, by: -1) {
            g *= ratio; ratio *= change
            out[i] = abs(first + Double(i) * s) <= reach ? T(g) : 0
        }
    }
}
