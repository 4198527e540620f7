import Foundation

/// The lattice of a particle's atoms: one fcc lattice fitted to all of them, fcc lattices
/// fitted to each grain of a twinned or polycrystalline particle, or, where no lattice holds,
/// the first shell of the radial distribution function.
public struct LatticeFit: Sendable {
    /// How ā was obtained.
    public enum Method: String, Sendable {
        /// A least-squares fcc lattice through all the atoms: one crystal.
        case fccLeastSquares = "fcc_lsq"
        /// Least-squares fcc lattices through each grain (twinned, decahedral, polycrystalline
        /// particles); ā is their mean weighted by the grains' atoms.
        case grainLeastSquares = "grain_lsq"
        /// A least-squares Mackay icosahedron (``MackayFit``): ā is √2 × its shell spacing.
        case mackayLeastSquares = "mackay_lsq"
        /// No lattice fits: ā is √2 × the mean first-shell bond of g(r) (noise-corrected), and
        /// the CN radius is g(r)'s first minimum (icosahedral, alloyed, disordered particles).
        case neighborShell = "neighbor_shell"
    }
    /// Which estimate `meanLatticeConstant` is.
    public let method: Method
    /// The three lattice parameters a₁, a₂, a₃ (Å): twice the lengths of L's columns (for
    /// grains and the neighbour shell, ā three times).
    public let latticeConstants: [Double]
    /// ā, their mean: the paper's lattice parameter for the CN radius.
    public let meanLatticeConstant: Double
    /// RMS distance of the atoms from their fitted sites, Å (nil for the neighbour shell).
    public let rmsResidual: Double?
    /// The fitted origin (Å) and the 3 × 3 matrix L (columns: lattice vectors of length a/2).
    public let origin: Vector3?
    /// See `origin`.
    public let basis: Matrix3?
    /// The fcc site (units of a/2) assigned to each atom.
    public let sites: [SIMD3<Int>]?
    /// Why one fcc lattice through all atoms was rejected, when it was.
    public let note: String?
    /// Fraction of atoms within a_bulk/6 of their fitted site (nil for the neighbour shell).
    public var inlierFraction: Double? = nil
    /// The CN neighbourhood radius, Å: d = (ā/2)(1 + 1/√2) (paper, Methods, "Standard
    /// coordination number") for a fitted lattice; g(r)'s first minimum for the neighbour shell.
    public var coordinationRadius: Double
    /// The particle's structure, when one lattice did not fit (nil for a single crystal).
    public var structure: ParticleStructure? = nil
    /// The icosahedron fitted, for `mackayLeastSquares`.
    public var mackay: MackayFit? = nil
    /// The lattice of each grain that one could be fitted to, largest grain first.
    public var grains: [GrainLattice] = []
    /// The positions fitted: `sites`, `structure` and the grains' atom indices refer to them.
    public internal(set) var fittedPositions: [Vector3] = []

    /// A lattice fitted to one grain.
    public struct GrainLattice: Sendable {
        /// The grain's index in ``ParticleStructure/grainSizes``.
        public let grain: Int
        /// The fit to its atoms.
        public let fit: LatticeFit
        /// Indices of its atoms among the particle's.
        public let atoms: [Int]
    }

    init(method: Method, latticeConstants: [Double], meanLatticeConstant: Double, rmsResidual: Double?,
         origin: Vector3?, basis: Matrix3?, sites: [SIMD3<Int>]?, note: String?, coordinationRadius: Double? = nil) {
        self.method = method
        self.latticeConstants = latticeConstants
        self.meanLatticeConstant = meanLatticeConstant
        self.rmsResidual = rmsResidual
        self.origin = origin
        self.basis = basis
        self.sites = sites
        self.note = note
        self.coordinationRadius = coordinationRadius ?? Self.coordinationRadius(for: meanLatticeConstant)
    }

    /// ā further than this fraction from bulk is flagged (nanoparticles strain by 1–3 %).
    public static let flaggedDeviation = 0.03

    /// Flags for this fit of a particle of `element`: a particle that is not one crystal, a
    /// lattice from g(r), or ā more than ``flaggedDeviation`` from bulk.
    public func flags(element: Element) -> [QualityFlag] {
        var out: [QualityFlag] = []
        switch method {
        case .fccLeastSquares:
            break
        case .grainLeastSquares:
            out.append(QualityFlag(.notSingleCrystal, "not one crystal (\(structure?.description ?? "")): ā is the mean of \(grains.count) grain lattices",
                                   remedy: "CN and ā hold per grain; the radial strain is per grain, NaN outside the grains"))
        case .mackayLeastSquares:
            let mean = structure?.radialDistribution.firstShellBond.map { String(format: "; √2 × the mean first-shell bond is %.3f Å", 2.0.squareRoot() * $0) } ?? ""
            out.append(QualityFlag(.notSingleCrystal, String(format: "a Mackay icosahedron (%@): ā = √2 × its shell spacing d = %.3f Å, as such particles are built; bonds within a shell are 5.1 %% longer by its geometry%@",
                                                             structure?.description ?? "", mackay?.shellSpacing ?? .nan, mean),
                                   remedy: "no fcc lattice holds an icosahedron: the radial strain is NaN"))
        case .neighborShell:
            let rdf = structure?.radialDistribution
            let source = (rdf?.firstShellBond == nil ? "ā is bulk's" : "ā is √2 × the first-shell bond of g(r)")
                + (rdf?.firstMinimum == coordinationRadius ? ", the CN radius g(r)'s first minimum" : ", the CN radius (ā/2)(1 + 1/√2)")
            out.append(QualityFlag(.latticeFallback, "no fcc lattice fits (\(note ?? ""); \(structure?.description ?? "")): \(source)",
                                   remedy: "icosahedral, alloyed or disordered particles have no one lattice; the radial strain is NaN"))
        }
        let deviation = meanLatticeConstant / element.latticeConstant - 1
        if abs(deviation) > Self.flaggedDeviation {
            out.append(QualityFlag(.latticeOutOfRange,
                String(format: "ā = %.3f Å is %+.1f %% from bulk %@ (%.3f Å)", meanLatticeConstant, 100 * deviation,
                       element.symbol, element.latticeConstant),
                remedy: "check the voxel size (apix) and the element"))
        }
        return out
    }

    /// d for lattice constant `a`: (a/2)(1 + 1/√2), midway between the first two fcc shells.
    public static func coordinationRadius(for a: Double) -> Double { 0.5 * a * (1 + 1 / 2.0.squareRoot()) }

    /// The pure rotation closest to L (lab ← crystal).
    public var orientation: Matrix3? {
        guard let L = basis else { return nil }
        return polarRotation(L)
    }

    // Bounds for accepting the fcc fit: outside them the particle is not one fcc crystal.
    /// ā / a_bulk must lie within ±10 % (and the neighbour-shell estimate is held within it:
    /// the smallest metal clusters contract by a few percent, none by 10 %).
    public static let plausibleScale = 0.9...1.1
    /// The RMS residual must stay below a_bulk / 4.
    public static let maximumResidualFraction = 0.25
    /// An atom fits its site when it lies within a_bulk / 6 of it ...
    public static let inlierDistanceFraction = 1.0 / 6.0
    /// ... and at least 80 % of the atoms must: half of a twinned particle sits 0.8–1.6 Å
    /// off any one lattice, while position noise of 0.35 Å RMS keeps 99 % within a/6.
    public static let minimumInlierFraction = 0.8
    /// Grain lattices are used when the grains they fit hold at least this fraction of the
    /// particle's fcc atoms.
    public static let minimumGrainCoverage = 0.5
    /// At most this many grains are fitted, the largest first (each fit costs a search of
    /// orientations; grains beyond a dozen are small).
    public static let maximumFittedGrains = 12

    /// The lattice of `positions`, whose element has the bulk lattice constant `bulk` (Å).
    ///
    /// One fcc lattice through all atoms first (``fitOneCrystal(_:bulkLatticeConstant:)``). When
    /// it is rejected, the particle's structure (a-CNA, grains, g(r)) is analysed, or `structure`
    /// is used when given: fcc lattices are fitted to the grains, and used when they cover at
    /// least ``minimumGrainCoverage`` of the fcc atoms; otherwise the neighbour shell of g(r).
    /// A particle with an icosahedral centre is fitted as a Mackay icosahedron first
    /// (``MackayFit``).
    public static func fit(_ positions: [Vector3], bulkLatticeConstant bulk: Double,
                           structure given: ParticleStructure? = nil, threads: Int = Parallel.availableCores) -> LatticeFit {
        var f = fitAnyStructure(positions, bulkLatticeConstant: bulk, structure: given, threads: threads)
        f.fittedPositions = positions
        return f
    }

    private static func fitAnyStructure(_ positions: [Vector3], bulkLatticeConstant bulk: Double,
                                        structure given: ParticleStructure?, threads: Int) -> LatticeFit {
        let one = fitOneCrystal(positions, bulkLatticeConstant: bulk)
        if one.method == .fccLeastSquares { return one }
        let structure = given ?? ParticleStructure(positions, bulkBond: bulk / 2.0.squareRoot(), threads: threads)
        if let m = fitIcosahedron(positions, structure: structure, bulkLatticeConstant: bulk) {
            let a = m.latticeConstant
            var f = LatticeFit(method: .mackayLeastSquares, latticeConstants: [a, a, a], meanLatticeConstant: a, rmsResidual: m.rmsResidual,
                               origin: m.centre, basis: nil, sites: nil, note: one.note)
            f.inlierFraction = m.inlierFraction
            f.structure = structure
            f.mackay = m
            return f
        }
        var grains: [GrainLattice] = []
        for g in structure.grainSizes.indices.prefix(maximumFittedGrains) {
            let members = structure.grain.indices.filter { structure.grain[$0] == g }
            let f = fitOneCrystal(members.map { positions[$0] }, bulkLatticeConstant: bulk)
            if f.method == .fccLeastSquares { grains.append(GrainLattice(grain: g, fit: f, atoms: members)) }
        }
        let fccAtoms = structure.count(.fcc)
        let covered = grains.reduce(0) { $0 + $1.atoms.count }
        if !grains.isEmpty, Double(covered) >= minimumGrainCoverage * Double(fccAtoms) {
            let w = Double(covered)
            let a = grains.reduce(0.0) { $0 + Double($1.atoms.count) * $1.fit.meanLatticeConstant } / w
            let rms = (grains.reduce(0.0) { $0 + Double($1.atoms.count) * pow($1.fit.rmsResidual ?? 0, 2) } / w).squareRoot()
            var f = LatticeFit(method: .grainLeastSquares, latticeConstants: [a, a, a], meanLatticeConstant: a, rmsResidual: rms,
                               origin: nil, basis: nil, sites: nil, note: one.note)
            f.inlierFraction = grains.reduce(0.0) { $0 + Double($1.atoms.count) * ($1.fit.inlierFraction ?? 0) } / w
            f.structure = structure
            f.grains = grains
            return f
        }
        // No lattice: the first shell of g(r), held within the plausible range around bulk
        // (atoms found in noise can have a first shell at 1.7 Å, whose CN radius would delete
        // the particle).
        let rdf = structure.radialDistribution
        let unbounded = (rdf.firstShellBond ?? bulk / 2.0.squareRoot()) * 2.0.squareRoot()
        let a = min(max(unbounded, plausibleScale.lowerBound * bulk), plausibleScale.upperBound * bulk)
        var why = one.note ?? ""
        if rdf.firstShellBond == nil { why += "; g(r) shows no first shell, so ā is bulk's" }
        else if a != unbounded { why += String(format: "; √2 × the first-shell bond (%.3f Å) lay outside ±10 %% of bulk, so ā is held at the bound", unbounded) }
        // The CN radius: g(r)'s first minimum, when it lies between the bounds the fitted
        // lattice's radius would (else the formula on the bounded ā).
        let formula = coordinationRadius(for: a)
        let radiusBounds = coordinationRadius(for: plausibleScale.lowerBound * bulk)...coordinationRadius(for: plausibleScale.upperBound * bulk)
        let radius = rdf.firstMinimum.flatMap { radiusBounds.contains($0) ? $0 : nil } ?? formula
        var f = LatticeFit(method: .neighborShell, latticeConstants: [a, a, a], meanLatticeConstant: a, rmsResidual: nil,
                           origin: nil, basis: nil, sites: nil, note: why, coordinationRadius: radius)
        f.inlierFraction = one.inlierFraction
        f.structure = structure
        return f
    }

    /// A Mackay icosahedron through `positions`, when one passes the tests a single crystal's
    /// lattice must: ā within ``plausibleScale`` of bulk, RMS residual below
    /// ``maximumResidualFraction`` of it, ``minimumInlierFraction`` of the atoms on their sites.
    /// Started from the atom PTM called icosahedral nearest the centroid, then (a vacant or
    /// displaced centre) from the centroid itself.
    static func fitIcosahedron(_ positions: [Vector3], structure: ParticleStructure, bulkLatticeConstant bulk: Double) -> MackayFit? {
        guard positions.count >= 13, structure.types.count == positions.count else { return nil }
        let centroid = positions.reduce(.zero, +) / Double(positions.count)
        var starts: [Vector3] = []
        if let i = positions.indices.filter({ structure.types[$0] == .icosahedral })
            .min(by: { (positions[$0] - centroid).lengthSquared < (positions[$1] - centroid).lengthSquared }) {
            starts.append(positions[i])
        }
        starts.append(centroid)
        for start in starts {
            if let m = MackayFit.fit(positions, start: start, bulkLatticeConstant: bulk),
               plausibleScale.contains(m.latticeConstant / bulk), m.rmsResidual <= maximumResidualFraction * bulk,
               m.inlierFraction >= minimumInlierFraction { return m }
        }
        return nil
    }

    /// Fits one fcc lattice to `positions`, starting from the bulk lattice constant
    /// `bulk` (a median NN distance is biased low by position noise and would misassign sites).
    ///
    /// Orientation: a coarse search over 3000 seeded random rotations scoring how well the
    /// nearest-neighbour bonds align with ⟨110⟩, refined by Procrustes; sites by nearest fcc
    /// point; then a linear least-squares fit of origin and L, iterated, from five origins
    /// near the centroid, keeping the best.
    public static func fitOneCrystal(_ positions: [Vector3], bulkLatticeConstant bulk: Double) -> LatticeFit {
        var f = fitOneCrystalUnrecorded(positions, bulkLatticeConstant: bulk)
        f.fittedPositions = positions
        return f
    }

    private static func fitOneCrystalUnrecorded(_ positions: [Vector3], bulkLatticeConstant bulk: Double) -> LatticeFit {
        let n = positions.count
        let grid = NeighborGrid(points: positions, maximumRadius: 1.5 * bulk)
        let nn = positions.indices.compactMap { grid.nearestDistance(from: $0, within: 1.5 * bulk) }.sorted()
        let d0 = nn.isEmpty ? bulk / 2.0.squareRoot() : nn[nn.count / 2]
        /// A rejection: `neighborShell` with bulk's ā; ``fit(_:bulkLatticeConstant:structure:threads:)`` replaces it.
        func fallback(_ why: String) -> LatticeFit {
            LatticeFit(method: .neighborShell, latticeConstants: [bulk, bulk, bulk], meanLatticeConstant: bulk, rmsResidual: nil,
                       origin: nil, basis: nil, sites: nil, note: why)
        }
        var bonds: [Vector3] = []
        for i in positions.indices {
            grid.forEachNeighbor(of: positions[i], within: 1.2 * d0) { j, _ in
                if j > i { let b = positions[j] - positions[i]; bonds.append(b / b.length) }
            }
        }
        guard n >= 13, bonds.count >= 12 else { return fallback("too few atoms or bonds for a lattice fit") }
        var rng = SeededGenerator(seed: 1)
        let sample = bonds.count <= bondSampleSize ? bonds : (0..<bondSampleSize).map { _ in bonds[Int(rng.next() % UInt64(bonds.count))] }
        let axes = fccBondAxes
        // The bonds eight at a time in single precision (zero bonds pad the last group and
        // add nothing): the coarse search only ranks rotations, and Procrustes refines the best.
        let groups = (sample.count + 7) / 8
        var sx = [SIMD8<Float>](repeating: .zero, count: groups), sy = sx, sz = sx
        for (q, b) in sample.enumerated() {
            sx[q / 8][q % 8] = Float(b.x); sy[q / 8][q % 8] = Float(b.y); sz[q / 8][q % 8] = Float(b.z)
        }
        /// Mean over the bonds of max |(Rᵀb)·e| over the six ⟨110⟩ axes e. For e = (±1, 1, 0)/√2
        /// and the like, max(|a + b|, |a − b|) = |a| + |b|, so the maximum over all six is
        /// (|c₁| + |c₂| + |c₃| − min |cᵢ|)/√2: no loop over axes.
        func alignment(_ R: Matrix3) -> Double {
            @inline(__always) func abs8(_ v: SIMD8<Float>) -> SIMD8<Float> { v.replacing(with: -v, where: v .< 0) }
            func r(_ i: Int, _ j: Int) -> SIMD8<Float> { SIMD8(repeating: Float(R[i, j])) }
            let r00 = r(0, 0), r10 = r(1, 0), r20 = r(2, 0), r01 = r(0, 1), r11 = r(1, 1), r21 = r(2, 1)
            let r02 = r(0, 2), r12 = r(1, 2), r22 = r(2, 2)
            var s = SIMD8<Float>.zero
            for q in 0..<groups {
                let x = sx[q], y = sy[q], z = sz[q]
                // |v| and the smallest by masked replacement: the generic pointwiseMin and
                // pointwiseMax are not lowered to single instructions and are many times slower.
                let a = abs8(r00 * x + r10 * y + r20 * z), b = abs8(r01 * x + r11 * y + r21 * z), c = abs8(r02 * x + r12 * y + r22 * z)
                var smallest = a.replacing(with: b, where: b .< a)
                smallest.replace(with: c, where: c .< smallest)
                s += a + b + c - smallest
            }
            return Double(s.sum()) / (2.0.squareRoot() * Double(sample.count))
        }
        var R = Matrix3.identity, bestScore = -1.0
        for candidate in bonds.count <= bondSampleSize ? rotationsAfterAllBonds : rotationsAfterSample {
            let s = alignment(candidate)
            if s > bestScore { bestScore = s; R = candidate }
        }
        // Procrustes refinement: pair each bond with its nearest ⟨110⟩ axis and re-fit R.
        let cos20 = cos(20 * Double.pi / 180)
        for _ in 0..<8 {
            var src: [Vector3] = [], dst: [Vector3] = []
            let Rt = R.transposed
            for b in bonds {
                let c = Rt * b
                var best = 0.0, axis = axes[0]
                for e in axes { let d = c.dot(e); if abs(d) > abs(best) { best = d; axis = e } }
                if abs(best) > cos20 { src.append(best >= 0 ? axis : -axis); dst.append(b) }
            }
            guard src.count >= 6, let next = bestRotation(from: src, to: dst) else { break }
            R = next
        }
        let centroid = positions.reduce(.zero, +) / Double(n)
        let starts = positions.indices.sorted { (positions[$0] - centroid).length < (positions[$1] - centroid).length }.prefix(5)
        var best: (rms: Double, o: Vector3, L: Matrix3, sites: [SIMD3<Int>])?
        for s in starts {
            var o = positions[s], L = (bulk / 2) * R
            var sites: [SIMD3<Int>] = []
            var ok = true
            for _ in 0..<4 {
                guard let Li = L.inverse else { ok = false; break }
                sites = positions.map { nearestFCCSite(Li * ($0 - o)) }
                guard let (o2, L2) = affineFit(positions, sites) else { ok = false; break }
                o = o2; L = L2
            }
            guard ok, !sites.isEmpty else { continue }
            var ss = 0.0
            for (p, q) in zip(positions, sites) { ss += (p - (o + L * Vector3(Double(q.x), Double(q.y), Double(q.z)))).lengthSquared }
            let rms = (ss / Double(n)).squareRoot()
            if best == nil || rms < best!.rms { best = (rms, o, L, sites) }
        }
        guard let b = best else { return fallback("the least-squares fit failed") }
        let a3 = (0..<3).map { 2 * b.L.column($0).length }
        let aMean = a3.reduce(0, +) / 3
        let inlierLimit = inlierDistanceFraction * bulk
        let inliers = Double(zip(positions, b.sites).filter { p, q in
            (p - (b.o + b.L * Vector3(Double(q.x), Double(q.y), Double(q.z)))).length < inlierLimit
        }.count) / Double(n)
        if !plausibleScale.contains(aMean / bulk) || b.rms > maximumResidualFraction * bulk || inliers < minimumInlierFraction {
            var f = fallback(String(format: "fcc fit rejected (ā = %.3f Å, RMS %.2f Å, %.0f %% of atoms on their sites): not a single fcc crystal",
                                    aMean, b.rms, 100 * inliers))
            f.inlierFraction = inliers
            return f
        }
        var fit = LatticeFit(method: .fccLeastSquares, latticeConstants: a3, meanLatticeConstant: aMean, rmsResidual: b.rms,
                             origin: b.o, basis: b.L, sites: b.sites, note: nil)
        fit.inlierFraction = inliers
        return fit
    }

    /// The six ⟨110⟩ nearest-neighbour directions of fcc, unit length (crystal frame).
    /// Random orientations scored in the coarse search: enough that the best lies within a few
    /// degrees of the truth, which Procrustes then refines.
    static let orientationTrials = 3000
    /// Bonds scored per rotation in the coarse search (a random sample of them when more).
    static let bondSampleSize = 400

    /// The coarse search's rotations: drawn from the fit's seeded generator after `draws`
    /// draws, so every fit tries the same ones. They are made once per process (their
    /// normal deviates cost a logarithm and a cosine each) for the two cases a fit meets:
    /// all bonds scored (no draws before), or a sample of them (one draw per sampled bond).
    static func candidateRotations(afterDraws draws: Int) -> [Matrix3] {
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<draws { _ = rng.next() }
        return (0..<orientationTrials).map { _ in TestParticle.randomRotation(&rng) }
    }
    static let rotationsAfterAllBonds = candidateRotations(afterDraws: 0)
    static let rotationsAfterSample = candidateRotations(afterDraws: bondSampleSize)

    static let fccBondAxes: [Vector3] = [
        Vector3(1, 1, 0), Vector3(1, -1, 0), Vector3(1, 0, 1), Vector3(1, 0, -1), Vector3(0, 1, 1), Vector3(0, 1, -1),
    ].map { $0 / 2.0.squareRoot() }
}

/// The nearest fcc site (integer triple with an even sum) to `f`, in units of a/2:
/// round every coordinate, and if the sum is odd re-round the worst one the other way
/// (Conway & Sloane's decoder for the D₃ lattice).
package func nearestFCCSite(_ f: Vector3) -> SIMD3<Int> {
    var n = SIMD3<Int>(Int(f.x.rounded()), Int(f.y.rounded()), Int(f.z.rounded()))
    if (n.x + n.y + n.z) & 1 != 0 {
        let r = [f.x - Double(n.x), f.y - Double(n.y), f.z - Double(n.z)]
        var k = 0
        for q in 1..<3 where abs(r[q]) > abs(r[k]) { k = q }
        n[k] += r[k] >= 0 ? 1 : -1
    }
    return n
}

/// Least squares for x ≈ o + L n over all atoms: the normal equations of [1, n₁, n₂, n₃].
func affineFit(_ x: [Vector3], _ sites: [SIMD3<Int>]) -> (Vector3, Matrix3)? {
    var A = [Double](repeating: 0, count: 16)
    var B = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 3)
    for (p, s) in zip(x, sites) {
        let row = [1, Double(s.x), Double(s.y), Double(s.z)]
        for i in 0..<4 {
            for j in 0..<4 { A[4 * i + j] += row[i] * row[j] }
            B[0][i] += row[i] * p.x; B[1][i] += row[i] * p.y; B[2][i] += row[i] * p.z
        }
    }
    guard let cx = solveLinearSystem(A, B[0], n: 4), let cy = solveLinearSystem(A, B[1], n: 4),
          let cz = solveLinearSystem(A, B[2], n: 4) else { return nil }
    return (Vector3(cx[0], cy[0], cz[0]), Matrix3(rows: Vector3(cx[1], cx[2], cx[3]), Vector3(cy[1], cy[2], cy[3]), Vector3(cz[1], cz[2], cz[3])))
}

/// The rotation R minimising Σ |R·srcᵢ − dstᵢ|² (Horn's quaternion method).
package func bestRotation(from src: [Vector3], to dst: [Vector3]) -> Matrix3? {
    var S = [Double](repeating: 0, count: 9)
    for (a, b) in zip(src, dst) { for i in 0..<3 { for j in 0..<3 { S[3 * i + j] += a[i] * b[j] } } }
    let (xx, xy, xz, yx, yy, yz, zx, zy, zz) = (S[0], S[1], S[2], S[3], S[4], S[5], S[6], S[7], S[8])
    let N = [xx + yy + zz, yz - zy, zx - xz, xy - yx,
             yz - zy, xx - yy - zz, xy + yx, zx + xz,
             zx - xz, xy + yx, -xx + yy - zz, yz + zy,
             xy - yx, zx + xz, yz + zy, -xx - yy + zz]
    let e = SymmetricEigen(symmetric: N, n: 4)
    let q = e.vectors[0]
    let (w, x, y, z) = (q[0], q[1], q[2], q[3])
    guard (w * w + x * x + y * y + z * z) > 0.5 else { return nil }
    return Matrix3([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)])
}

/// The rotation factor of the polar decomposition of `m` (the rotation nearest to it).
func polarRotation(_ m: Matrix3) -> Matrix3? {
    let src = [Vector3(1, 0, 0), Vector3(0, 1, 0), Vector3(0, 0, 1)]
    return bestRotation(from: src, to: src.map { m * $0 })
}
