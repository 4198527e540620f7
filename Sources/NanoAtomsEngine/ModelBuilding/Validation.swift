import Foundation

/// The window over which an atom's density is compared with its simulation.
package enum CorrelationWindow: Sendable {
    /// A sphere of the given radius, Å (the paper's outlier test uses 1.5 r_th).
    case sphere(radius: Double)
    /// A cube of the given side, Å (the paper's "validation correlation" uses 3 r_th).
    case cube(side: Double)
}

/// Pearson's correlation, per atom, between the raw map M and the map simulated from all
/// atoms, over the voxels of a window centred on the atom.
package func perAtomCorrelations(raw M: Volume, positions: [Vector3], profile: AtomProfile,
                                window: CorrelationWindow, threads: Int = Parallel.availableCores) -> [Double] {
    let S = MapSimulation.render(positions: positions, profile: profile, grid: M, threads: threads)
    return perAtomCorrelations(raw: M, simulated: S, positions: positions, window: window, threads: threads)
}

/// The same, with the map simulated from all atoms at `positions` already rendered on M's grid.
package func perAtomCorrelations(raw M: Volume, simulated S: Volume, positions: [Vector3],
                                window: CorrelationWindow, threads: Int = Parallel.availableCores) -> [Double] {
    precondition(S.dimensions == M.dimensions, "the simulated map must be on M's grid")
    var out = [Double](repeating: .nan, count: positions.count)
    let h = M.voxelSize
    let reach: Double, isSphere: Bool
    switch window {
    case .sphere(let r): (reach, isSphere) = (r, true)
    case .cube(let side): (reach, isSphere) = (side / 2, false)
    }
    let nx = M.nx, ny = M.ny, nz = M.nz
    M.values.withUnsafeBufferPointer { mv in
    S.values.withUnsafeBufferPointer { sv in
    out.withUnsafeMutableBufferPointer { res in
        let dst = UncheckedSendable(res.baseAddress!)
        let m = UncheckedSendable(mv.baseAddress!), sim = UncheckedSendable(sv.baseAddress!)
        Parallel.forRanges(positions.count, threads: threads, minimumChunk: 16) { range in
            for a in range {
                let c = M.voxelCoordinate(of: positions[a])
                let r = reach / h, r2 = r * r
                var sm = 0.0, ss = 0.0, smm = 0.0, sss = 0.0, sms = 0.0, count = 0.0
                let lo = pointwiseMax(SIMD3<Int>(Int((c.x - r).rounded(.up)), Int((c.y - r).rounded(.up)), Int((c.z - r).rounded(.up))), .zero)
                let hi = pointwiseMin(SIMD3<Int>(Int((c.x + r).rounded(.down)), Int((c.y + r).rounded(.down)), Int((c.z + r).rounded(.down))),
                                      SIMD3(nx - 1, ny - 1, nz - 1))
                if lo.x > hi.x || lo.y > hi.y || lo.z > hi.z { continue }
                for k in lo.z...hi.z { for j in lo.y...hi.y {
                    let row = nx * (j + ny * k)
                    if isSphere {
                        // The cube's row with the voxels outside the sphere given no weight:
                        // a test without branches, so the rows' loads overlap.
                        let dz = Double(k) - c.z, dy = Double(j) - c.y
                        let yz = dy * dy + dz * dz
                        if yz > r2 { continue }
                        for i in lo.x...hi.x {
                            let dx = Double(i) - c.x
                            let w: Double = dx * dx + yz <= r2 ? 1 : 0
                            let x = w * Double(m.value[row + i]), y = w * Double(sim.value[row + i])
                            sm += x; ss += y; smm += x * x; sss += y * y; sms += x * y
                            count += w
                        }
                    } else {
                        for q in (row + lo.x)...(row + hi.x) {
                            let x = Double(m.value[q]), y = Double(sim.value[q])
                            sm += x; ss += y; smm += x * x; sss += y * y; sms += x * y
                        }
                        count += Double(hi.x - lo.x + 1)
                    }
                } }
                let cov = sms - sm * ss / count, vm = smm - sm * sm / count, vs = sss - ss * ss / count
                dst.value[a] = (count >= 2 && vm > 0 && vs > 0) ? cov / (vm * vs).squareRoot() : .nan
            }
        }
    }
    }
    }
    return out
}

/// An atom that validation removed, and why.
public struct Removal: Sendable, Equatable {
    /// Which rule removed it.
    public enum Rule: String, Sendable {
        /// Its per-atom correlation was an outlier on the low side.
        case lowCorrelation = "low_correlation"
        /// It had too few neighbours.
        case lowCoordination = "low_coordination"
        /// It belongs to a small cluster of atoms not bonded to the particle.
        case detached
    }
    /// Where the atom was, Å.
    public let position: Vector3
    /// The rule.
    public let rule: Rule
    /// The atom's value of the tested quantity (correlation, or CN).
    public let value: Double
    /// The limit it fell below.
    public let limit: Double

    /// A sentence a user can read.
    public var reason: String {
        switch rule {
        case .lowCorrelation: return String(format: "correlation %.3f below the outlier limit %.3f", value, limit)
        case .lowCoordination: return String(format: "CN %d below the minimum %d", Int(value), Int(limit))
        case .detached: return String(format: "in a detached cluster of %d atoms (clusters of fewer than %d are removed)", Int(value), Int(limit))
        }
    }
}

/// Which per-atom correlations count as outliers.
public enum OutlierRule: String, Sendable, CaseIterable {
    /// Only atoms far outside the bulk of the distribution: more than 4 robust SDs
    /// (1.4826 × the median absolute deviation) below the median. A smooth tail of mobile
    /// surface atoms stays; isolated bad densities go. The default.
    case robust
    /// The paper's rule: more than 2 SD below the mean. It always trims the low tail of the
    /// distribution, so it removes a few real, mobile surface atoms even from a clean map
    /// (on our simulated maps about 3.5 % of the atoms, all of them real).
    case paper
    /// Keep every atom.
    case none

    /// The correlation below which an atom is an outlier, given all atoms' correlations
    /// (−∞ for `none`, or when there are fewer than three finite values).
    public func limit(for correlations: [Double]) -> Double {
        let finite = correlations.filter { $0.isFinite }
        guard finite.count >= 3 else { return -.infinity }
        switch self {
        case .none:
            return -.infinity
        case .paper:
            let mean = finite.reduce(0, +) / Double(finite.count)
            let sd = (finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count)).squareRoot()
            return mean - paperOutlierStandardDeviations * sd
        case .robust:
            let m = median(finite)
            let mad = median(finite.map { abs($0 - m) })
            return m - robustOutlierStandardDeviations * madToStandardDeviation * mad
        }
    }
}

/// Number of SDs below the mean at which the paper calls an atom's correlation an outlier
/// ("more than two standard deviations away from the mean on the left-hand side").
package let paperOutlierStandardDeviations = 2.0
/// Number of robust SDs below the median for the robust rule.
package let robustOutlierStandardDeviations = 4.0
/// MAD × 1.4826 estimates the SD of a normal distribution.
package let madToStandardDeviation = 1.4826

/// The median of `values` (the mean of the middle two for an even count; NaN when empty).
package func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    // Large arrays by selection (linear time; refinement takes the median of ~50,000 residual
    // values per round), the same value as sorting gives. With a NaN (unordered) by sorting.
    if values.count < 64 || values.contains(where: \.isNaN) {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
    var copy = values
    return copy.withUnsafeMutableBufferPointer { b in
        let m = b.count / 2
        let upper = Selection.element(ofRank: m, in: b)
        if b.count % 2 == 1 { return upper }
        // Everything before rank m is ≤ it: the lower middle one is their largest.
        var lower = b[0]
        for q in 1..<m { lower = max(lower, b[q]) }
        return 0.5 * (lower + upper)
    }
}

/// The indices of atoms whose correlation is not an outlier under `rule`, and the removals.
/// An atom whose correlation could not be computed (NaN) is kept unless a rule is in force.
package func removeCorrelationOutliers(_ correlations: [Double], positions: [Vector3], rule: OutlierRule) -> (kept: [Int], removed: [Removal]) {
    let limit = rule.limit(for: correlations)
    var kept: [Int] = [], removed: [Removal] = []
    for (i, c) in correlations.enumerated() {
        if (c.isFinite && c >= limit) || rule == .none { kept.append(i) }
        else { removed.append(Removal(position: positions[i], rule: .lowCorrelation, value: c, limit: limit)) }
    }
    return (kept, removed)
}

/// The indices of atoms with at least `minimum` neighbours within `radius`, and the removals
/// (a single pass, as in the paper).
package func removeLowCoordination(_ positions: [Vector3], radius: Double, minimum: Int) -> (kept: [Int], removed: [Removal]) {
    let cn = coordinationNumbers(positions, radius: radius)
    var kept: [Int] = [], removed: [Removal] = []
    for i in positions.indices {
        if cn[i] >= minimum { kept.append(i) }
        else { removed.append(Removal(position: positions[i], rule: .lowCoordination, value: Double(cn[i]), limit: Double(minimum))) }
    }
    return (kept, removed)
}

/// The rules that follow the correlation test, in order: atoms with fewer than
/// `minimumCoordination` neighbours within `radius` (none when nil), then atoms in detached
/// clusters (when `removeDetached`). Indices are into `positions`.
///
/// The CN rule is applied until no atom breaks it (the paper applies it once): removing an
/// atom lowers its neighbours' CN, and a table of the kept atoms should hold none below the
/// minimum the model claims. The atoms a second pass removes are dangling chains of one or
/// two atoms.
package func removeByStructure(_ positions: [Vector3], radius: Double, minimumCoordination: Int?,
                              removeDetached: Bool) -> (kept: [Int], removed: [Removal]) {
    var kept = Array(positions.indices), removed: [Removal] = []
    if let minimum = minimumCoordination {
        while true {
            let r = removeLowCoordination(kept.map { positions[$0] }, radius: radius, minimum: minimum)
            kept = r.kept.map { kept[$0] }
            removed += r.removed
            if r.removed.isEmpty || kept.isEmpty { break }
        }
    }
    if removeDetached {
        let r = removeDetachedClusters(kept.map { positions[$0] }, radius: radius)
        kept = r.kept.map { kept[$0] }
        removed += r.removed
    }
    return (kept, removed)
}

/// The flag for atoms removed as detached clusters, or nil when there were none.
package func detachedAtomsFlag(_ removals: [Removal]) -> QualityFlag? {
    let detached = removals.filter { $0.rule == .detached }.count
    guard detached > 0 else { return nil }
    return QualityFlag(.detachedAtoms, "\(detached) atoms in small clusters not bonded to the particle were removed",
                       remedy: "look at them in the removals; a mask closer to the particle avoids them")
}

/// A cluster of atoms bonded to one another but not to the particle is removed when it holds
/// fewer than this fraction of the particle's atoms (noise blobs outside the surface, where a
/// mask was too large): the particle is the largest cluster.
package let detachedClusterFraction = 0.1

/// The indices of atoms in the particle (the largest cluster of atoms joined by bonds no longer
/// than `radius`) or in clusters at least ``detachedClusterFraction`` of its size, and the
/// removals of the rest.
package func removeDetachedClusters(_ positions: [Vector3], radius: Double) -> (kept: [Int], removed: [Removal]) {
    guard !positions.isEmpty else { return ([], []) }
    let grid = NeighborGrid(points: positions, maximumRadius: radius)
    let (cluster, sizes) = connectedGroups(count: positions.count) { p, linked in
        grid.forEachNeighbor(of: positions[p], within: radius) { q, _ in linked.append(q) }
    }
    let largest = sizes.max()!
    let minimum = Int((detachedClusterFraction * Double(largest)).rounded(.up))
    var kept: [Int] = [], removed: [Removal] = []
    for i in positions.indices {
        let size = sizes[cluster[i]]
        if size >= minimum { kept.append(i) }
        else { removed.append(Removal(position: positions[i], rule: .detached, value: Double(size), limit: Double(minimum))) }
    }
    return (kept, removed)
}
