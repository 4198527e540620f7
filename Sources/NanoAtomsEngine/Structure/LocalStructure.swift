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
package func adaptiveCommonNeighborAnalysis(_ positions: [Vector3], searchRadius: Double,
                                           threads: Int = Parallel.availableCores) -> [LocalStructure] {
    let grid = NeighborGrid(points: positions, maximumRadius: searchRadius)
    var out = [LocalStructure](repeating: .other, count: positions.count)
    out.withUnsafeMutableBufferPointer { buffer in
        let dst = UncheckedSendable(buffer.baseAddress!)
        Parallel.forRanges(positions.count, threads: threads, minimumChunk: 256) { range in
            var candidates: [(Double, Int)] = []
            var neighbor = [Vector3](repeating: .zero, count: cnaNeighborCount)
            for i in range {
                candidates.removeAll(keepingCapacity: true)
                grid.forEachNeighbor(of: positions[i], within: searchRadius) { j, d2 in if j != i { candidates.append((d2, j)) } }
                dst.value[i] = classify(i, candidates: &candidates, neighbor: &neighbor, positions)
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
private func classify(_ i: Int, candidates: inout [(Double, Int)], neighbor: inout [Vector3], _ positions: [Vector3]) -> LocalStructure {
    guard candidates.count >= cnaNeighborCount else { return .other }
    candidates.sort { $0.0 < $1.0 }
    var mean = 0.0
    for q in 0..<cnaNeighborCount { mean += candidates[q].0.squareRoot() }
    mean /= Double(cnaNeighborCount)
    let rc = cnaCutoffFactor * mean, rc2 = rc * rc
    // The twelfth neighbour must lie inside r_c, and the thirteenth outside it.
    guard candidates[cnaNeighborCount - 1].0 < rc2 else { return .other }
    if candidates.count > cnaNeighborCount && candidates[cnaNeighborCount].0 < rc2 { return .other }
    for q in 0..<cnaNeighborCount { neighbor[q] = positions[candidates[q].1] }
    // Bonds among the twelve as bit masks: bonded[a] has bit b set when a and b lie within r_c.
    var bonded = SIMD16<UInt16>()
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
        // Bonds among the common neighbours, and the longest chain of them: the most bonds in
        // one connected cluster of the common neighbours (bit masks, no allocation).
        var bonds = 0, chain = 0, unseen = common
        while unseen != 0 {
            var cluster = unseen & (~unseen &+ 1)   // the lowest remaining atom, grown to its cluster
            var grown = cluster
            repeat {
                cluster = grown
                var m = cluster
                while m != 0 {
                    let b = m.trailingZeroBitCount
                    grown |= bonded[b] & common
                    m &= m - 1
                }
            } while grown != cluster
            var degrees = 0
            var m = cluster
            while m != 0 { let b = m.trailingZeroBitCount; degrees += (bonded[b] & common).nonzeroBitCount; m &= m - 1 }
            bonds += degrees / 2
            chain = max(chain, degrees / 2)
            unseen &= ~cluster
        }
        switch (nCommon, bonds, chain) {
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

/// How many atoms of each structure, in `LocalStructure.allCases` order.
package func structureCounts(_ types: [LocalStructure]) -> [(LocalStructure, Int)] {
    LocalStructure.allCases.map { s in (s, types.filter { $0 == s }.count) }
}
