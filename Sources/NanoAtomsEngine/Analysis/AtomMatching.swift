/// A one-to-one pairing of the atoms of two models within a distance tolerance.
public struct AtomMatching: Sendable {
    /// Matched pairs: index in the first model, index in the second, distance (Å).
    public let pairs: [(first: Int, second: Int, distance: Double)]
    /// Atoms of the first model with no partner.
    public let unmatchedFirst: [Int]
    /// Atoms of the second model with no partner.
    public let unmatchedSecond: [Int]

    /// Root-mean-square distance of the matched pairs, Å (NaN with no pairs).
    public var rmsd: Double {
        pairs.isEmpty ? .nan : (pairs.map { $0.distance * $0.distance }.reduce(0, +) / Double(pairs.count)).squareRoot()
    }
}

/// Pairs atoms of `first` with atoms of `second` one to one, closest pairs first, never
/// farther apart than `tolerance` Å. With the tolerance well below the interatomic distance,
/// as here, taking the closest pairs first gives the same pairs as an optimal assignment.
public func matchAtoms(_ first: [Vector3], _ second: [Vector3], tolerance: Double) -> AtomMatching {
    let grid = NeighborGrid(points: second, maximumRadius: tolerance)
    var candidates: [(Int, Int, Double)] = []
    for (i, p) in first.enumerated() {
        grid.forEachNeighbor(of: p, within: tolerance) { j, d2 in candidates.append((i, j, d2.squareRoot())) }
    }
    candidates.sort { $0.2 < $1.2 }
    var usedFirst = [Bool](repeating: false, count: first.count), usedSecond = [Bool](repeating: false, count: second.count)
    var pairs: [(first: Int, second: Int, distance: Double)] = []
    for (i, j, d) in candidates where !usedFirst[i] && !usedSecond[j] {
        usedFirst[i] = true; usedSecond[j] = true
        pairs.append((i, j, d))
    }
    return AtomMatching(pairs: pairs, unmatchedFirst: first.indices.filter { !usedFirst[$0] },
                        unmatchedSecond: second.indices.filter { !usedSecond[$0] })
}
