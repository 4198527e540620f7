import Foundation

/// What real maps carry besides the particle and white noise, for simulated test maps:
/// noise at low spatial frequency, a liquid around the particle, a density gradient across the
/// box, and a particle away from the box centre. Each defaults to none.
///
/// These are the conditions under which a mask estimated from the map's envelope collapses
/// (the mask grows to the whole box); the simulator makes them so that the tests can show the
/// particle is still found.
public struct SimulatedBackground: Sendable, Equatable {
    /// Liquid around the particle.
    public enum Liquid: Sendable, Equatable {
        /// No liquid.
        case none
        /// A flat layer of liquid of this thickness (Å) through the particle's centre, normal to z
        /// (a graphene liquid cell's pocket).
        case slab(thickness: Double)
        /// An adsorbed layer of this thickness (Å) just outside the particle's surface.
        case shell(thickness: Double)
    }

    /// Fraction of the noise variance at low spatial frequency (0.02 = 2 %); the rest is the
    /// usual white noise, so the total noise SD is unchanged.
    public var lowFrequencyFraction = 0.0
    /// Width (Gaussian σ, Å) of the low-frequency noise.
    public var lowFrequencyWidth = 4.0
    /// The liquid.
    public var liquid: Liquid = .none
    /// The liquid's mean density, as a fraction of the median atom peak.
    public var liquidDensity = 0.1
    /// Change of the background level from one corner of the box to the opposite one, as a
    /// fraction of the median atom peak.
    public var gradient = 0.0
    /// Displacement of the particle's centroid from the box centre, Å.
    public var offset = Vector3.zero

    /// No background beyond white noise.
    public init() {}

    /// Whether anything beyond white noise and a centred particle is asked for.
    public var isPlain: Bool { self == SimulatedBackground() }

    /// RMS fluctuation of the liquid's density, as a fraction of its mean: molecules are
    /// resolved at about 1 Å, so the liquid is lumpy, not flat.
    static let liquidGranularity = 0.5
    /// Width (Gaussian σ, Å) of the liquid's lumps.
    static let liquidLumpWidth = 1.0
    /// Gap between the outermost atom centres and an adsorbed layer, Å.
    static let shellGap = 1.5

    /// Adds the liquid and the gradient to `map` (whose particle has atoms at `positions` with
    /// median peak `peak`), drawing the liquid's lumps from `rng`.
    func addLiquidAndGradient(to map: inout Volume, positions: [Vector3], peak: Double, rng: inout SeededGenerator,
                              threads: Int) {
        let h = map.voxelSize, nx = map.nx, ny = map.ny, nz = map.nz
        let centroid = positions.reduce(Vector3.zero, +) / Double(max(positions.count, 1))
        let particleRadius = positions.map { ($0 - centroid).length }.max() ?? 0
        if liquid != .none && liquidDensity != 0 {
            var lumps = Volume(sameGridAs: map)
            for n in 0..<lumps.count { lumps.values[n] = Float(rng.gaussian()) }
            lumps = SeparableFilter.gaussianSmoothed(lumps, sigmaVoxels: Self.liquidLumpWidth / h, threads: threads)
            let lumpScale = Self.liquidGranularity / max(VolumeStatistics(lumps).standardDeviation, 1e-30)
            for k in 0..<nz { for j in 0..<ny { for i in 0..<nx {
                let p = map.position(voxel: Vector3(Double(i), Double(j), Double(k)))
                let r = (p - centroid).length
                // Soft edges (1 Å logistic ramps); the particle displaces the liquid.
                func inside(_ d: Double) -> Double { 1 / (1 + exp(-d / 0.5)) }
                let displaced = inside(r - particleRadius - 1)
                var amount: Double
                switch liquid {
                case .none: amount = 0
                case .slab(let t): amount = inside(t / 2 - abs(p.z - centroid.z)) * displaced
                case .shell(let t):
                    let r0 = particleRadius + Self.shellGap
                    amount = inside(r - r0) * inside(r0 + t - r)
                }
                let q = map.index(i, j, k)
                map.values[q] += Float(peak * liquidDensity * amount * (1 + lumpScale * Double(lumps.values[q])))
            } } }
        }
        if gradient != 0 {
            let span = Double(nx - 1 + ny - 1 + nz - 1)
            for k in 0..<nz { for j in 0..<ny { for i in 0..<nx {
                map.values[map.index(i, j, k)] += Float(peak * gradient * (Double(i + j + k) / span - 0.5))
            } } }
        }
    }
}
