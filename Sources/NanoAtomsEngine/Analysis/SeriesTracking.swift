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
/// points), first within the displacement distance, then within the common distance.
///
/// A particle may turn between stages by any angle. When the start from no rotation leaves
/// fewer than 90 % of the atoms within half the common distance of a partner, the turns that
/// carry the bonds of the central atom of one model onto those of the other are tried
/// (``bondFrameRotations``): each is scored by the atoms it lands within half the common
/// distance of an atom, the best ``orientationCandidates`` are refined as above, and the one
/// with the most close pairs wins.
///
/// Returns the transform, the RMS distance and count of the pairs within the common distance,
/// and of those the pairs within half of it (`close`).
public func registerModel(_ moving: [Vector3], onto fixed: [Vector3], element: Element) -> (transform: RigidTransform, rmsd: Double, pairs: Int, close: Int) {
    guard moving.count >= 3, fixed.count >= 3 else { return (.identity, .nan, 0, 0) }
    let ca = moving.reduce(.zero, +) / Double(moving.count), cb = fixed.reduce(.zero, +) / Double(fixed.count)
    let grid = NeighborGrid(points: fixed, maximumRadius: displacementDistance(element))
    let direct = refineRegistration(moving, onto: fixed, start: RigidTransform(rotation: .identity, translation: cb - ca), element: element)
    // A lattice also fits itself shifted by a bond or turned onto another axis, with pairs about
    // 1.2 Å apart: judge a registration by its close pairs (within half the common distance).
    guard Double(direct.close) < 0.9 * Double(min(moving.count, fixed.count)) else { return direct }
    // Candidate turns from the lattice itself: the bonds of the atom nearest the centre of each
    // model. Any turn that carries the lattice onto itself carries two bonds of the one onto two
    // bonds of the other at the same angle; the whole particle's shape then tells the
    // candidates apart.
    let candidates = bondFrameRotations(moving, ca, fixed, cb, element: element)
    let tight = commonDistanceFraction * element.radius
    let tightGrid = NeighborGrid(points: fixed, maximumRadius: tight)
    let scored = candidates.map { r -> (score: Int, rotation: Matrix3) in
        let start = RigidTransform(rotation: r, translation: cb - r * ca)
        return (moving.filter { tightGrid.hasPoint(within: tight, of: start.apply($0)) }.count, r)
    }.sorted { $0.score > $1.score }
    var best = direct
    for c in scored.prefix(orientationCandidates) {
        let r = refineRegistration(moving, onto: fixed, start: RigidTransform(rotation: c.rotation, translation: cb - c.rotation * ca), element: element)
        if r.close > best.close || (r.close == best.close && r.rmsd < best.rmsd) { best = r }
    }
    return best
}

/// Candidate turns refined in full, the best by how many atoms they land on atoms.
package let orientationCandidates = 6

/// The bond vectors (within the displacement distance) of the atom of `p` nearest `centre`
/// that has at least eight.
func centralBonds(_ p: [Vector3], _ centre: Vector3, element: Element) -> [Vector3] {
    let grid = NeighborGrid(points: p, maximumRadius: displacementDistance(element))
    for i in p.indices.sorted(by: { (p[$0] - centre).lengthSquared < (p[$1] - centre).lengthSquared }).prefix(50) {
        let bonds = grid.neighbors(of: i, within: displacementDistance(element)).map { p[$0] - p[i] }
        if bonds.count >= 8 { return bonds }
    }
    return []
}

/// An orthonormal frame from two vectors that are not parallel: the first, the second made
/// square to it, and their cross product; as the columns of a matrix.
func frame(_ a: Vector3, _ b: Vector3) -> Matrix3 {
    let e1 = a / a.length
    let o = b - b.dot(e1) * e1
    let e2 = o / o.length
    let e3 = Vector3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)
    return Matrix3(rows: e1, e2, e3).transposed
}

/// Every turn that carries two bonds of the central atom of `moving` onto two bonds of the
/// central atom of `fixed` at the same angle (within 10°), each refined by a best fit of all
/// the bonds it pairs, duplicates (within 3°) dropped.
func bondFrameRotations(_ moving: [Vector3], _ ca: Vector3, _ fixed: [Vector3], _ cb: Vector3, element: Element) -> [Matrix3] {
    let bm = centralBonds(moving, ca, element: element), bf = centralBonds(fixed, cb, element: element)
    guard let b1 = bm.first, let b2 = bm.dropFirst().first(where: { abs($0.dot(b1) / ($0.length * b1.length)) < 0.7 }) else { return [] }
    func angle(_ u: Vector3, _ v: Vector3) -> Double { acos(max(-1, min(1, u.dot(v) / (u.length * v.length)))) }
    let target = angle(b1, b2), source = frame(b1, b2)
    var rotations: [Matrix3] = []
    for c1 in bf {
        for c2 in bf where abs(angle(c1, c2) - target) < 10 * .pi / 180 {
            var r = frame(c1, c2) * source.transposed
            // All bonds paired under r, then the best turn for them (about the atom).
            var from: [Vector3] = [], to: [Vector3] = []
            for b in bm {
                let t = r * b
                if let c = bf.min(by: { ($0 - t).lengthSquared < ($1 - t).lengthSquared }), (c - t).length < 0.6 { from.append(b); to.append(c) }
            }
            if from.count >= 3 { r = RigidTransform.bestFit(from + [.zero], onto: to + [.zero]).rotation }
            if rotations.allSatisfy({ RigidTransform(rotation: $0.transposed * r, translation: .zero).angleDegrees > 3 }) { rotations.append(r) }
        }
    }
    return rotations
}

/// Iterative closest points from `start`: the transform, the RMS distance and count of the
/// pairs within the common distance at the end, and of those the pairs within half of it.
func refineRegistration(_ moving: [Vector3], onto fixed: [Vector3], start: RigidTransform,
                        element: Element) -> (transform: RigidTransform, rmsd: Double, pairs: Int, close: Int) {
    let wide = displacementDistance(element), narrow = commonDistanceFraction * 2 * element.radius
    var t = start
    var result = (transform: t, rmsd: Double.nan, pairs: 0, close: 0)
    for iteration in 0..<registrationIterations {
        let moved = moving.map(t.apply)
        let m = matchAtoms(moved, fixed, tolerance: iteration < registrationIterations / 2 ? wide : narrow)
        guard m.pairs.count >= 3 else { break }
        let next = RigidTransform.bestFit(m.pairs.map { moving[$0.first] }, onto: m.pairs.map { fixed[$0.second] })
        let change = (next.translation - t.translation).length + (0..<9).map { abs(next.rotation.m[$0] - t.rotation.m[$0]) }.max()! * 10
        t = next
        if iteration >= registrationIterations / 2 {
            let rmsd = zip(m.pairs.map { next.apply(moving[$0.first]) }, m.pairs.map { fixed[$0.second] })
                .map { ($0 - $1).lengthSquared }.reduce(0, +) / Double(m.pairs.count)
            let close = zip(m.pairs.map { next.apply(moving[$0.first]) }, m.pairs.map { fixed[$0.second] })
                .filter { ($0 - $1).length <= narrow / 2 }.count
            result = (t, rmsd.squareRoot(), m.pairs.count, close)
            if change < 1e-7 { break }
        }
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
    /// Of those pairs, the ones within half the common distance: most of them for one
    /// particle, few for two that are not.
    public let registrationClosePairs: Int
    /// The comparison of the stage before with this one (registered), by optimal assignment.
    public let comparison: ModelComparison

    /// Why this step's counts should not be trusted, or nil: registration paired fewer than
    /// half the atoms (the stages may not be one particle, or it changed past registering),
    /// or some pairs were made closest first.
    public var doubt: String? {
        let smaller = min(comparison.firstCount, comparison.secondCount)
        if Double(registrationClosePairs) < 0.5 * Double(smaller) {
            return "registration brought \(registrationClosePairs) of \(smaller) atoms within \(String(format: "%.2f", comparison.commonDistance / 2)) Å of a partner: the stages may not be one particle, or it changed too much to register"
        }
        if comparison.greedyGroups > 0 { return "\(comparison.greedyGroups) groups of candidate pairs too large for the exact assignment were paired closest first" }
        return nil
    }
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
        steps.append(SeriesStep(stage: k + 1, transform: reg.transform, registrationRMSD: reg.rmsd, registrationPairs: reg.pairs,
                                registrationClosePairs: reg.close, comparison: c))
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
