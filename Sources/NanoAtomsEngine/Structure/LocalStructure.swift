import Foundation

/// The crystal structure around one atom, by adaptive common-neighbour analysis.
///
/// The raw values are OVITO's structure-type numbers (`CommonNeighborAnalysisModifier`), so a
/// column written by nanoatoms reads the same as one written by OVITO.
public enum LocalStructure: Int, Sendable, CaseIterable {
    /// None of the templates below (surface atoms, disordered or strongly distorted sites).
    case other = 0
    /// Face-centred cubic: twelve neighbours, every bond of CNA signature (4,2,1).
    case fcc = 1
    /// Hexagonal close packed: six (4,2,1) and six (4,2,2) bonds. In an fcc metal, an atom in
    /// a twin plane or a stacking fault.
    case hcp = 2
    /// Icosahedral: twelve (5,5,5) bonds, the centre of a five-fold twinned (Mackay) particle.
    case icosahedral = 4

    /// The name used in tables and the report.
    public var name: String {
        switch self {
        case .other: return "other"
        case .fcc: return "fcc"
        case .hcp: return "hcp"
        case .icosahedral: return "ico"
        }
    }
}

/// Adaptive common-neighbour analysis (a-CNA; Stukowski, Modelling Simul. Mater. Sci. Eng. 20,
/// 045021, 2012) of every atom.
///
/// For each atom the twelve nearest neighbours set a local cut-off
/// r_c = (1 + √2)/2 × their mean distance, halfway between the first and second fcc shells, so
/// no global radius (and no lattice constant) is needed: strained, twinned and alloyed particles
/// are classified alike. Each bond to a neighbour gets the signature (common neighbours within
/// r_c of both atoms, bonds among those, bonds in the longest chain); the set of twelve
/// signatures names the structure. An atom whose twelve nearest neighbours do not all lie within
/// r_c, or that has fewer than twelve within `searchRadius`, is `other`.
///
/// - Parameters:
///   - positions: atom positions, Å.
///   - searchRadius: how far to look for the twelve neighbours, Å (1.5 × the bulk nearest-neighbour
///     distance is ample: a-CNA needs only the first shell).
public func adaptiveCommonNeighborAnalysis(_ positions: [Vector3], searchRadius: Double,
                                           threads: Int = Parallel.availableCores) -> [LocalStructure] {
    let grid = NeighborGrid(points: positions, maximumRadius: searchRadius)
    var out = [LocalStructure](repeating: .other, count: positions.count)
    out.withUnsafeMutableBufferPointer { buffer in
        let dst = UncheckedSendable(buffer.baseAddress!)
        Parallel.forRanges(positions.count, threads: threads, minimumChunk: 256) { range in
            var candidates: [(Double, Int)] = []
            for i in range {
                candidates.removeAll(keepingCapacity: true)
                grid.forEachNeighbor(of: positions[i], within: searchRadius) { j, d2 in if j != i { candidates.append((d2, j)) } }
                dst.value[i] = classify(i, candidates: &candidates, positions)
            }
        }
    }
    return out
}

/// The neighbours counted by a-CNA for fcc, hcp and icosahedral sites.
let cnaNeighborCount = 12
/// r_c = this × the mean distance of the twelve nearest neighbours: (1 + √2)/2, the midpoint
/// of the first (a/√2) and second (a) fcc shells in units of the first (Stukowski 2012).
let cnaCutoffFactor = (1 + 2.0.squareRoot()) / 2

/// The structure of atom `i` given its candidate neighbours (squared distance, index).
private func classify(_ i: Int, candidates: inout [(Double, Int)], _ positions: [Vector3]) -> LocalStructure {
    guard candidates.count >= cnaNeighborCount else { return .other }
    candidates.sort { $0.0 < $1.0 }
    var mean = 0.0
    for q in 0..<cnaNeighborCount { mean += candidates[q].0.squareRoot() }
    mean /= Double(cnaNeighborCount)
    let rc = cnaCutoffFactor * mean, rc2 = rc * rc
    // The twelfth neighbour must lie inside r_c, and the thirteenth outside it.
    guard candidates[cnaNeighborCount - 1].0 < rc2 else { return .other }
    if candidates.count > cnaNeighborCount && candidates[cnaNeighborCount].0 < rc2 { return .other }
    var neighbor = [Vector3](repeating: .zero, count: cnaNeighborCount)
    for q in 0..<cnaNeighborCount { neighbor[q] = positions[candidates[q].1] }
    // Bonds among the twelve as bit masks: bonded[a] has bit b set when a and b lie within r_c.
    var bonded = [UInt16](repeating: 0, count: cnaNeighborCount)
    for a in 0..<cnaNeighborCount {
        for b in (a + 1)..<cnaNeighborCount where (neighbor[a] - neighbor[b]).lengthSquared < rc2 {
            bonded[a] |= 1 << b; bonded[b] |= 1 << a
        }
    }
    var n421 = 0, n422 = 0, n555 = 0
    for a in 0..<cnaNeighborCount {
        let common = bonded[a]
        let nCommon = common.nonzeroBitCount
        guard nCommon == 4 || nCommon == 5 else { return .other }
        // Bonds among the common neighbours, and the longest chain of them.
        var edges: [(Int, Int)] = []
        for b in 0..<cnaNeighborCount where common & (1 << b) != 0 {
            let others = bonded[b] & common
            for c in (b + 1)..<cnaNeighborCount where others & (1 << c) != 0 { edges.append((b, c)) }
        }
        let chain = longestBondChain(edges)
        switch (nCommon, edges.count, chain) {
        case (4, 2, 1): n421 += 1
        case (4, 2, 2): n422 += 1
        case (5, 5, 5): n555 += 1
        default: return .other
        }
    }
    if n421 == 12 { return .fcc }
    if n421 == 6 && n422 == 6 { return .hcp }
    if n555 == 12 { return .icosahedral }
    return .other
}

/// The number of bonds in the largest connected cluster of `edges` (CNA's third index).
private func longestBondChain(_ edges: [(Int, Int)]) -> Int {
    var cluster = [Int](repeating: -1, count: edges.count)
    var largest = 0
    for seed in edges.indices where cluster[seed] < 0 {
        cluster[seed] = seed
        var stack = [seed], size = 0
        while let e = stack.popLast() {
            size += 1
            for f in edges.indices where cluster[f] < 0 {
                let (a, b) = edges[e], (c, d) = edges[f]
                if a == c || a == d || b == c || b == d { cluster[f] = seed; stack.append(f) }
            }
        }
        largest = max(largest, size)
    }
    return largest
}

/// How many atoms of each structure, in `LocalStructure.allCases` order.
public func structureCounts(_ types: [LocalStructure]) -> [(LocalStructure, Int)] {
    LocalStructure.allCases.map { s in (s, types.filter { $0 == s }.count) }
}
