import Foundation

/// The shape of a simulated fcc particle.
public enum ParticleShape: String, Sendable, CaseIterable {
    /// Cuboctahedron: the 13, 55, 147, 309, 561, ... magic-number series.
    case cuboctahedron
    /// Octahedron truncated by the cube faces.
    case truncatedOctahedron = "truncoct"
    /// A lumpy, roughly spherical cut of the lattice.
    case irregular
}

/// Everything that defines a simulated test particle and its map. Same spec, same map.
public struct ParticleSpec: Sendable {
    /// The metal.
    public var element: Element
    /// The shape.
    public var shape: ParticleShape = .cuboctahedron
    /// The number of atoms asked for: the shape's closest size is used (irregular: exactly).
    public var atomCount: Int = 309
    /// Uniform expansion of the lattice over bulk, as a fraction (0.015 = 1.5 %).
    public var expansion: Double = 0
    /// RMS static displacement of surface atoms, Å, scaled by (12 − CN)/12.
    public var surfaceDisorder: Double = 0
    /// Whether the crystal is given a random orientation.
    public var randomOrientation = true
    /// Mean-square displacement of a fully coordinated atom, Å².
    public var coreDisplacement: Double = 0.02
    /// Extra mean-square displacement per missing neighbour, Å² (surface atoms move more).
    public var displacementPerMissingNeighbor: Double = 0.012
    /// Extra mean-square displacement along the radial direction for surface atoms, Å²
    /// (0 keeps every atom isotropic).
    public var surfaceRadialDisplacement: Double = 0
    /// Signal-to-noise ratio: median atom peak over the noise SD; nil for a noise-free map.
    public var snr: Double? = nil
    /// Voxel size, Å (0.358 Å is SINGLE's usual sampling).
    public var voxelSize: Double = 0.358
    /// Box edge in voxels; nil chooses the particle diameter plus 12 Å.
    public var box: Int? = nil
    /// Width of the Gaussian that colours the noise, voxels.
    public var noiseSmoothing: Double = 0.7
    /// The atom drawn at each site; nil uses the element's Peng atom.
    public var profile: AtomProfile? = nil
    /// Random seed for orientation, disorder and noise.
    public var seed: UInt64 = 1
    /// A separate seed for the noise alone: the same particle with independent noise, as in
    /// the two halves of one time series. nil draws the noise after everything else from `seed`.
    public var noiseSeed: UInt64? = nil
    /// Low-frequency noise, liquid, gradient and an off-centre particle (none by default).
    public var background = SimulatedBackground()
    /// A model to render instead of a built shape (positions in Å, any frame: they are
    /// centred in the box, not rotated); `shape`, `atomCount`, `expansion` and the orientation
    /// are then unused.
    public var model: [Vector3]? = nil

    /// A spec for `element` with the defaults above.
    public init(element: Element) { self.element = element }
}

/// A simulated particle: its true atoms and the map made from them.
public struct SimulatedParticle: Sendable {
    /// True atom centres, Å.
    public let positions: [Vector3]
    /// True coordination number of each atom (neighbours within (a/2)(1 + 1/√2)).
    public let coordination: [Int]
    /// True displacement of each atom.
    public let displacements: [Displacement]
    /// The lattice constant used, Å.
    public let latticeConstant: Double
    /// The map with noise (if any).
    public let map: Volume
    /// Noise SD added to the map (0 for none).
    public let noiseSD: Double
    /// The spec it was made from.
    public let spec: ParticleSpec
}

/// Builds simulated fcc particles and their maps: the built-in sample and the ground truth
/// the tests check the engine against.
public enum TestParticle {
    /// Sites of an fcc lattice in units of a/2: integer triples with an even sum.
    static func fccSites(within r: Int) -> [SIMD3<Int>] {
        var out: [SIMD3<Int>] = []
        for z in -r...r { for y in -r...r { for x in -r...r where (x + y + z) & 1 == 0 { out.append(SIMD3(x, y, z)) } } }
        return out
    }

    /// The lattice sites (units of a/2) of `shape` at size `n`.
    static func sites(_ shape: ParticleShape, size n: Int) -> [SIMD3<Int>] {
        switch shape {
        case .cuboctahedron:
            // |x|, |y|, |z| ≤ n and |x| + |y| + |z| ≤ 2n: square {100} and triangular {111} faces.
            return fccSites(within: n).filter { s in
                let a = abs(s.x), b = abs(s.y), c = abs(s.z)
                return max(a, b, c) <= n && a + b + c <= 2 * n
            }
        case .truncatedOctahedron:
            // Octahedron |x| + |y| + |z| ≤ 3n cut by the cube |x|, |y|, |z| ≤ 2n.
            return fccSites(within: 2 * n).filter { s in
                let a = abs(s.x), b = abs(s.y), c = abs(s.z)
                return max(a, b, c) <= 2 * n && a + b + c <= 3 * n
            }
        case .irregular:
            return fccSites(within: n)
        }
    }

    /// The size parameter of `shape` whose atom count is closest to `count`.
    static func size(of shape: ParticleShape, near count: Int) -> Int {
        var best = 1, bestDiff = Int.max
        for n in 1...12 {
            let d = abs(sites(shape, size: n).count - count)
            if d < bestDiff { best = n; bestDiff = d }
        }
        return best
    }

    /// Coordination numbers of points with neighbour radius `radius`.
    static func coordination(_ p: [Vector3], radius: Double) -> [Int] {
        let grid = NeighborGrid(points: p, maximumRadius: radius)
        return p.indices.map { grid.neighbors(of: $0, within: radius).count }
    }

    /// A random rotation, uniform over orientations (from a random unit quaternion).
    static func randomRotation(_ g: inout SeededGenerator) -> Matrix3 {
        // A uniformly random unit quaternion (four normal deviates, normalised), without
        // arrays: the lattice fit draws thousands.
        let q0 = g.gaussian(), q1 = g.gaussian(), q2 = g.gaussian(), q3 = g.gaussian()
        let n = (q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3).squareRoot()
        let (w, x, y, z) = (q0 / n, q1 / n, q2 / n, q3 / n)
        return Matrix3([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                        2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                        2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)])
    }

    /// Builds the particle and its map.
    public static func make(_ spec: ParticleSpec, threads: Int = Parallel.availableCores) -> SimulatedParticle {
        var rng = SeededGenerator(seed: spec.seed)
        let a = spec.element.latticeConstant * (1 + spec.expansion)
        let cnRadius = 0.5 * a * (1 + 1 / 2.0.squareRoot())
        var positions: [Vector3]
        if let model = spec.model {
            positions = model
        } else {
            let sites = spec.shape == .irregular ? irregularSites(count: spec.atomCount, rng: &rng)
                                                 : self.sites(spec.shape, size: size(of: spec.shape, near: spec.atomCount))
            let rotation = spec.randomOrientation ? randomRotation(&rng) : .identity
            positions = sites.map { rotation * (Vector3(Double($0.x), Double($0.y), Double($0.z)) * (a / 2)) }
        }
        let cn = coordination(positions, radius: cnRadius)
        if spec.surfaceDisorder > 0 {
            for i in positions.indices where cn[i] < 12 {
                let s = spec.surfaceDisorder * Double(12 - cn[i]) / 12
                positions[i] += Vector3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * s
            }
        }
        var displacements: [Displacement] = []
        for i in positions.indices {
            let u = spec.coreDisplacement + spec.displacementPerMissingNeighbor * Double(max(0, 12 - cn[i]))
            if spec.surfaceRadialDisplacement > 0 && cn[i] < 12 && positions[i].length > 0 {
                let r = positions[i] / positions[i].length
                var m = Matrix3.diagonal(Vector3(repeating: u))
                let extra = spec.surfaceRadialDisplacement * Double(12 - cn[i]) / 12
                for p in 0..<3 { for q in 0..<3 { m[p, q] += extra * r[p] * r[q] } }
                displacements.append(.anisotropic(m))
            } else {
                displacements.append(.isotropic(u))
            }
        }
        // Place the particle's centroid at the centre of the box (or as far from it as asked).
        let diameter = 2 * (positions.map { $0.length }.max() ?? 0)
        let box = spec.box ?? (Int(((diameter + 12) / spec.voxelSize).rounded(.up)) | 1) + 1
        let centre = Vector3(repeating: Double(box - 1) / 2 * spec.voxelSize) + spec.background.offset
        let centroid = positions.reduce(Vector3.zero, +) / Double(max(positions.count, 1))
        positions = positions.map { $0 - centroid + centre }

        let profile = spec.profile ?? AtomProfile.peng(spec.element, voxelSize: spec.voxelSize)
        let grid = Volume(nx: box, ny: box, nz: box, voxelSize: spec.voxelSize)
        var map = MapSimulation.render(positions: positions, displacements: displacements, profile: profile, grid: grid, threads: threads)
        var noiseSD = 0.0
        if let snr = spec.snr, snr > 0, snr.isFinite {
            let medianPeak = Self.medianPeak(of: map, at: positions)
            noiseSD = medianPeak / snr
            var noiseRNG = spec.noiseSeed.map { SeededGenerator(seed: $0 &* 0x2545_F491_4F6C_DD1D) } ?? rng
            // White (lightly coloured) noise, and a share of the variance at low frequency.
            let lowFraction = min(max(spec.background.lowFrequencyFraction, 0), 1)
            let parts = [(spec.noiseSmoothing, 1 - lowFraction), (spec.background.lowFrequencyWidth / spec.voxelSize, lowFraction)]
            for (smoothing, share) in parts where share > 0 {
                var noise = Volume(sameGridAs: map)
                for n in 0..<noise.count { noise.values[n] = Float(noiseRNG.gaussian()) }
                noise = SeparableFilter.gaussianSmoothed(noise, sigmaVoxels: smoothing, threads: threads)
                let sd = VolumeStatistics(noise).standardDeviation
                let f = Float(noiseSD * share.squareRoot() / max(sd, 1e-30))
                for n in 0..<map.count { map.values[n] += f * noise.values[n] }
            }
            if !spec.background.isPlain {
                spec.background.addLiquidAndGradient(to: &map, positions: positions, peak: medianPeak, rng: &noiseRNG, threads: threads)
            }
        } else if !spec.background.isPlain {
            var liquidRNG = rng
            spec.background.addLiquidAndGradient(to: &map, positions: positions, peak: Self.medianPeak(of: map, at: positions),
                                                 rng: &liquidRNG, threads: threads)
        }
        return SimulatedParticle(positions: positions, coordination: cn, displacements: displacements,
                                 latticeConstant: a, map: map, noiseSD: noiseSD, spec: spec)
    }

    /// The median of the map's values at the voxels nearest `positions` (1 for none).
    static func medianPeak(of map: Volume, at positions: [Vector3]) -> Double {
        let m = map.medianValue(at: positions)
        return m.isFinite ? m : 1
    }

    /// A lumpy particle of exactly `count` sites: lattice sites ordered by a radius
    /// that varies smoothly with direction, then pruned of atoms with fewer than 4 neighbours.
    static func irregularSites(count: Int, rng: inout SeededGenerator) -> [SIMD3<Int>] {
        let reach = Int((pow(Double(count) * 2, 1.0 / 3.0) * 1.6).rounded(.up)) + 2
        var lobes: [(Vector3, Double)] = []
        for _ in 0..<5 {
            let d = Vector3(rng.gaussian(), rng.gaussian(), rng.gaussian())
            lobes.append((d / d.length, 0.08 + 0.12 * rng.uniform()))
        }
        let candidates = fccSites(within: reach).map { s -> (SIMD3<Int>, Double) in
            let p = Vector3(Double(s.x), Double(s.y), Double(s.z))
            let r = p.length
            guard r > 0 else { return (s, 0) }
            var f = 1.0
            for (dir, amp) in lobes { f += amp * pow(max(0, p.dot(dir) / r), 2) }
            return (s, r / f)
        }.sorted { $0.1 < $1.1 }.map { $0.0 }
        var chosen = Array(candidates.prefix(count))
        var next = count
        for _ in 0..<20 {
            let pts = chosen.map { Vector3(Double($0.x), Double($0.y), Double($0.z)) }
            let cn = coordination(pts, radius: 1.5)   // nearest neighbours are √2 apart in a/2 units
            let keep = chosen.indices.filter { cn[$0] >= 4 }
            if keep.count == chosen.count { break }
            chosen = keep.map { chosen[$0] }
            while chosen.count < count && next < candidates.count { chosen.append(candidates[next]); next += 1 }
        }
        return chosen
    }
}

extension ParticleSpec {
    /// Throws, before anything is simulated, when a field lies outside ``Limits`` or the box
    /// (given, or the one the particle needs) would be too large: every entry point that
    /// takes a spec from a user calls this first.
    public func validate() throws {
        if let m = model {
            try Limits.check(Double(m.count), in: Double(Limits.simulatedAtoms.lowerBound)...Double(Limits.simulatedAtoms.upperBound), "the model's number of atoms")
        }
        try Limits.check(Double(atomCount), in: Double(Limits.simulatedAtoms.lowerBound)...Double(Limits.simulatedAtoms.upperBound), "the number of atoms")
        try Limits.check(voxelSize, in: Limits.voxelSize, "the voxel size", unit: "Å")
        try Limits.check(expansion, in: Limits.expansion, "the lattice expansion")
        try Limits.check(surfaceDisorder, in: Limits.disorder, "the surface disorder", unit: "Å")
        if let snr { try Limits.check(snr, in: Limits.snr, "the SNR") }
        try Limits.check(background.lowFrequencyFraction, in: 0...1, "the low-frequency fraction")
        try Limits.check(background.liquidDensity, in: 0...10, "the liquid density")
        try Limits.check(background.gradient, in: -10...10, "the gradient")
        for v in [background.offset.x, background.offset.y, background.offset.z] {
            try Limits.check(v, in: -1000...1000, "the offset", unit: "Å")
        }
        switch background.liquid {
        case .slab(let t), .shell(let t): try Limits.check(t, in: 0.5...1000, "the liquid thickness", unit: "Å")
        case .none: break
        }
        let edge = box ?? estimatedBoxEdge
        let range = Limits.simulatedBoxEdge
        guard range.contains(edge) else {
            let why = box == nil ? "\(atomCount) atoms at \(Limits.formatBound(voxelSize)) Å per voxel need a box of about \(edge) voxels" : "a box of \(edge) voxels"
            throw EngineError("\(why); simulated boxes are \(range.lowerBound) to \(range.upperBound) voxels on a side (fewer atoms or a larger voxel size)")
        }
        try Limits.checkMapSize(edge, edge, edge, what: "simulated box")
    }

    /// The box edge `make` will choose when none is given, from the diameter of a sphere of
    /// `atomCount` fcc atoms (four per cubic cell), with 25 % for a non-spherical or lumpy shape (a 100,000-atom irregular particle spans 7 % more than the sphere).
    var estimatedBoxEdge: Int {
        let a = element.latticeConstant * (1 + expansion)
        var d = 1.25 * pow(6 * Double(atomCount) * a * a * a / (4 * Double.pi), 1.0 / 3.0)
        if let m = model, !m.isEmpty {
            // The box make() chooses: twice the largest distance from the centroid.
            let c = m.reduce(Vector3.zero, +) / Double(m.count)
            d = 2 * (m.map { ($0 - c).length }.max() ?? 0)
        }
        let edge = ((d + 12 + 2 * background.offset.length) / voxelSize).rounded(.up)
        return edge.isFinite && edge < 1e9 ? Int(edge) : Int(1e9)
    }
}
