import Foundation

/// A rotation followed by a shift: `rotation * p + translation`.
public struct RigidTransform: Sendable, Equatable {
    /// The rotation (orthogonal, determinant +1).
    public var rotation: Matrix3
    /// The shift after it, Å.
    public var translation: Vector3

    /// No motion.
    public static let identity = RigidTransform(rotation: .identity, translation: .zero)

    /// `p` moved.
    public func apply(_ p: Vector3) -> Vector3 { rotation * p + translation }

    /// The rotation's angle, degrees.
    public var angleDegrees: Double {
        let c = max(-1, min(1, (rotation[0, 0] + rotation[1, 1] + rotation[2, 2] - 1) / 2))
        return acos(c) * 180 / .pi
    }

    /// The rotation and shift that carry `moving[k]` closest onto `fixed[k]` in the least-squares
    /// sense (Horn's unit-quaternion solution; no reflection). Needs three points or more.
    public static func bestFit(_ moving: [Vector3], onto fixed: [Vector3]) -> RigidTransform {
        let n = Double(moving.count)
        guard moving.count == fixed.count, moving.count >= 3 else { return .identity }
        let ca = moving.reduce(.zero, +) / n, cb = fixed.reduce(.zero, +) / n
        var s = [Double](repeating: 0, count: 9)
        for (a, b) in zip(moving, fixed) {
            let p = a - ca, q = b - cb
            for i in 0..<3 { for j in 0..<3 { s[3 * i + j] += p[i] * q[j] } }
        }
        let (xx, xy, xz, yx, yy, yz, zx, zy, zz) = (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])
        let horn = [xx + yy + zz, yz - zy, zx - xz, xy - yx,
                    yz - zy, xx - yy - zz, xy + yx, zx + xz,
                    zx - xz, xy + yx, -xx + yy - zz, yz + zy,
                    xy - yx, zx + xz, yz + zy, -xx - yy + zz]
        let q = SymmetricEigen(symmetric: horn, n: 4).vectors[0]
        let (w, x, y, z) = (q[0], q[1], q[2], q[3])
        let r = Matrix3([w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
                         2 * (y * x + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
                         2 * (z * x - w * y), 2 * (z * y + w * x), w * w - x * x - y * y + z * z])
        return RigidTransform(rotation: r, translation: cb - r * ca)
    }
}

/// `moving` registered rigidly onto `fixed`, two models of one particle: the centroids are put
/// together, then closest pairs and the best rotation and shift alternate (iterative closest
/// points), first within the displacement distance, then within the common distance. The
/// models must start within a few degrees of each other (stages of one series are); any shift
/// is found.
public func registerModel(_ moving: [Vector3], onto fixed: [Vector3], element: Element) -> (transform: RigidTransform, rmsd: Double, pairs: Int) {
    guard moving.count >= 3, fixed.count >= 3 else { return (.identity, .nan, 0) }
    let wide = displacementDistance(element), narrow = commonDistanceFraction * 2 * element.radius
    var t = RigidTransform(rotation: .identity,
                           translation: fixed.reduce(.zero, +) / Double(fixed.count) - moving.reduce(.zero, +) / Double(moving.count))
    var result = (transform: t, rmsd: Double.nan, pairs: 0)
    for iteration in 0..<registrationIterations {
        let moved = moving.map(t.apply)
        let m = matchAtoms(moved, fixed, tolerance: iteration < registrationIterations / 2 ? wide : narrow)
        guard m.pairs.count >= 3 else { break }
        let next = RigidTransform.bestFit(m.pairs.map { moving[$0.first] }, onto: m.pairs.map { fixed[$0.second] })
        let change = (next.translation - t.translation).length + (0..<9).map { abs(next.rotation.m[$0] - t.rotation.m[$0]) }.max()! * 10
        t = next
        let rmsd = zip(m.pairs.map { next.apply(moving[$0.first]) }, m.pairs.map { fixed[$0.second] })
            .map { ($0 - $1).lengthSquared }.reduce(0, +) / Double(m.pairs.count)
        result = (t, rmsd.squareRoot(), m.pairs.count)
        if iteration >= registrationIterations / 2 && change < 1e-7 { break }
    }
    return result
}

/// Rounds of iterative closest points: half within the displacement distance, half within the
/// common distance. Each round costs one pairing of the two models.
package let registrationIterations = 40

/// The distance within which an unpaired atom counts as moved rather than lost and gained:
/// the bulk lattice's CN radius, midway between the first and second shells.
package func displacementDistance(_ element: Element) -> Double { 0.5 * element.latticeConstant * (1 + 1 / 2.0.squareRoot()) }

/// What happened to a particle's atoms from one stage to the next.
public struct SeriesStep: Sendable {
    /// The stage carried onto the one before (1-based: 2, 3, …).
    public let stage: Int
    /// How the stage was registered onto the one before.
    public let transform: RigidTransform
    /// RMS distance of the pairs registration used, Å, and their count.
    public let registrationRMSD: Double
    /// See `registrationRMSD`.
    public let registrationPairs: Int
    /// The comparison of the stage before with this one (registered), by optimal assignment.
    public let comparison: ModelComparison
}

/// A particle followed through the stages of a series: each stage registered onto the one
/// before it, atoms paired across each step, and one track per atom.
public struct SeriesTracking: Sendable {
    /// What each track is at a stage.
    public enum Status: String, Sendable {
        /// In the first stage.
        case start
        /// Within the common distance of its place in the stage before.
        case kept
        /// Moved farther than the common distance but within the displacement distance.
        case displaced
        /// New at this stage.
        case gained
        /// Gone at this stage (it was in the stage before).
        case lost
    }
    /// One atom's path: at each stage its index in that stage's model, or nil when absent.
    public struct Track: Sendable {
        /// The atom at each stage.
        public var atoms: [Int?]
        /// Its status at each stage (nil before it appears and after it is lost).
        public var status: [Status?]
    }
    /// Each stage's positions, registered into the frame of the first stage.
    public let positions: [[Vector3]]
    /// One step per stage after the first.
    public let steps: [SeriesStep]
    /// The tracks, the first stage's atoms first in their order.
    public let tracks: [Track]
    /// Groups of candidate pairs too large for the exact assignment (paired closest first).
    public let greedyGroups: Int
}

/// Follows a particle through `stages` (each a model of its atoms, Å): registers each stage
/// onto the registered stage before it, pairs atoms by optimal assignment within the paper's
/// common distance (0.8 × the atomic diameter, 1.76 Å for Pt), pairs the rest within the
/// displacement distance, and threads the pairs into tracks.
public func trackSeries(_ stages: [[Vector3]], element: Element) -> SeriesTracking {
    guard let first = stages.first else { return SeriesTracking(positions: [], steps: [], tracks: [], greedyGroups: 0) }
    var positions = [first]
    var steps: [SeriesStep] = []
    var tracks = first.indices.map { i in SeriesTracking.Track(atoms: [i], status: [.start]) }
    // Which track each atom of the latest stage belongs to.
    var trackOf = Array(first.indices)
    var greedy = 0
    for (k, stage) in stages.enumerated().dropFirst() {
        let previous = positions[k - 1]
        let reg = registerModel(stage, onto: previous, element: element)
        let moved = stage.map(reg.transform.apply)
        positions.append(moved)
        let c = compareModels(previous, moved, element: element)
        greedy += c.greedyGroups
        steps.append(SeriesStep(stage: k + 1, transform: reg.transform, registrationRMSD: reg.rmsd, registrationPairs: reg.pairs, comparison: c))
        for t in tracks.indices { tracks[t].atoms.append(nil); tracks[t].status.append(nil) }
        var next = [Int](repeating: -1, count: stage.count)
        for (pairs, status) in [(c.common, SeriesTracking.Status.kept), (c.displaced, .displaced)] {
            for p in pairs {
                let t = trackOf[p.first]
                tracks[t].atoms[k] = p.second
                tracks[t].status[k] = status
                next[p.second] = t
            }
        }
        for i in c.lost { tracks[trackOf[i]].status[k] = .lost }
        for j in c.gained {
            var atoms = [Int?](repeating: nil, count: k + 1), status = [SeriesTracking.Status?](repeating: nil, count: k + 1)
            atoms[k] = j
            status[k] = .gained
            tracks.append(SeriesTracking.Track(atoms: atoms, status: status))
            next[j] = tracks.count - 1
        }
        trackOf = next
    }
    return SeriesTracking(positions: positions, steps: steps, tracks: tracks, greedyGroups: greedy)
}
