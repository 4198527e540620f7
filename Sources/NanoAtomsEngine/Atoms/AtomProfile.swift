import Foundation

/// The real-space density of one atom as a sum of isotropic 3D Gaussians,
/// t(r) = Σₖ wₖ (2π vₖ)^(−3/2) exp(−r²/2vₖ), where wₖ is the integral of term k
/// and vₖ its variance along each axis (Å²).
///
/// A Peng et al. (1996) scattering factor plus a B-factor is exactly such a sum
/// (five terms), and a single Gaussian is the one-term case.
public struct AtomProfile: Sendable, Equatable {
    /// Integral of each term.
    public let weights: [Double]
    /// Variance of each term along one axis, Å².
    public let variances: [Double]

    /// A profile from its terms.
    public init(weights: [Double], variances: [Double]) {
        precondition(weights.count == variances.count && !weights.isEmpty)
        precondition(variances.allSatisfy { $0 > 0 })
        self.weights = weights
        self.variances = variances
    }

    /// One Gaussian of variance `variance` Å² per axis and unit integral.
    public static func gaussian(variance: Double) -> AtomProfile {
        AtomProfile(weights: [1], variances: [variance])
    }

    /// Factor k in B = k·apix² for the default band limit of the simulated atom. The authors'
    /// SIMPLE code low-passes the atom at lp = 2·apix with B = (4·lp)² = 64·apix², which
    /// attenuates it to e⁻⁴ at Nyquist so it is band-limited on the grid.
    public static let defaultBFactorPerSquaredVoxel = 64.0

    /// The atom of `element`: its Peng (1996) factor with a B-factor added,
    /// f(s) = Σ aᵢ exp(−(bᵢ + B) s²), whose real-space term i has variance (bᵢ + B)/8π².
    /// `bFactor` defaults to 64·apix² (see ``defaultBFactorPerSquaredVoxel``).
    public static func peng(_ element: Element, voxelSize: Double, bFactor: Double? = nil) -> AtomProfile {
        let b = bFactor ?? defaultBFactorPerSquaredVoxel * voxelSize * voxelSize
        let eightPi2 = 8 * Double.pi * Double.pi
        return AtomProfile(weights: element.scatteringA,
                           variances: element.scatteringB.map { ($0 + b) / eightPi2 })
    }

    /// The same atom smeared by an isotropic mean-square displacement `u` (Å² per axis).
    public func displaced(by u: Double) -> AtomProfile {
        AtomProfile(weights: weights, variances: variances.map { $0 + u })
    }

    /// Total integral of the atom.
    public var integral: Double { weights.reduce(0, +) }

    /// Largest term variance, Å².
    public var widestVariance: Double { variances.max()! }

    /// Distance beyond which the atom is negligible: 4 σ of its widest term (Å).
    public var cutoff: Double { 4 * widestVariance.squareRoot() }

    /// Peak amplitude of term k: wₖ (2π vₖ)^(−3/2).
    public func amplitude(_ k: Int) -> Double { weights[k] / pow(2 * Double.pi * variances[k], 1.5) }

    /// The density at distance² `r2` from the centre.
    public func density(distanceSquared r2: Double) -> Double {
        var s = 0.0
        for k in weights.indices { s += amplitude(k) * exp(-r2 / (2 * variances[k])) }
        return s
    }

    /// The overlap ∫ t(x) t(x − d) dx of two atoms `|d|` apart, as a function of |d|²:
    /// the sum over term pairs of Gaussians of variance vₖ + vₗ.
    public func overlap(distanceSquared d2: Double) -> Double {
        var s = 0.0
        for k in weights.indices {
            for l in weights.indices {
                let v = variances[k] + variances[l]
                s += weights[k] * weights[l] * pow(2 * Double.pi * v, -1.5) * exp(-d2 / (2 * v))
            }
        }
        return s
    }

    /// ``overlap(distanceSquared:)`` at each of `distancesSquared`, the same values computed
    /// once per pair of terms rather than once per distance: a table of thousands of
    /// distances costs one exponential per unordered pair and distance, and no powers.
    public func overlaps(distancesSquared: [Double]) -> [Double] {
        let n = weights.count
        var coefficient = [Double](repeating: 0, count: n * n), twiceVariance = coefficient
        for k in 0..<n { for l in 0..<n {
            let v = variances[k] + variances[l]
            coefficient[k * n + l] = weights[k] * weights[l] * pow(2 * Double.pi * v, -1.5)
            twiceVariance[k * n + l] = 2 * v
        } }
        var e = [Double](repeating: 0, count: n * n)
        return distancesSquared.map { d2 in
            // exp for (k, l) and (l, k) is the same number; the sum keeps overlap's order.
            for k in 0..<n { for l in k..<n { e[k * n + l] = exp(-d2 / twiceVariance[k * n + l]); e[l * n + k] = e[k * n + l] } }
            var s = 0.0
            for q in 0..<(n * n) { s += coefficient[q] * e[q] }
            return s
        }
    }

    /// The variance of the single Gaussian with the same second moment (Å² per axis).
    public var effectiveVariance: Double {
        zip(weights, variances).map { $0 * $1 }.reduce(0, +) / integral
    }
}
