import Foundation

/// The structure of a particle beyond one lattice: each atom's local structure, the crystalline
/// grains, and the radial distribution function.
public struct ParticleStructure: Sendable {
    /// Each atom's local structure (a-CNA).
    public let types: [LocalStructure]
    /// Each atom's grain: an index into `grainSizes`, or −1 for an atom in no grain.
    public let grain: [Int]
    /// The number of atoms in each grain, largest first.
    public let grainSizes: [Int]
    /// g(r) and its first shell.
    public let radialDistribution: RadialDistribution

    /// A grain is a connected set of fcc atoms, two fcc atoms joined when they lie within
    /// (1 + √2)/2 × the first-shell bond of each other. Twin planes and stacking faults are
    /// hcp layers and grain boundaries are disordered, so neither joins two grains: the fcc
    /// atoms on the two sides of one twin plane lie 2/√3 · a ≈ 1.15 a apart, beyond the radius.
    /// Grains of fewer than this many atoms are not counted (a tetrahedron of four shells of
    /// an icosahedron holds only a handful of fcc atoms: a lattice fitted to them means little).
    public static let minimumGrainAtoms = 19

    /// Analyses `positions`, with the bulk nearest-neighbour distance `bulkBond` (Å) bounding
    /// the search: a-CNA looks within 1.5 × it, g(r) up to 2 × it.
    public init(_ positions: [Vector3], bulkBond: Double, threads: Int = Parallel.availableCores) {
        types = adaptiveCommonNeighborAnalysis(positions, searchRadius: 1.5 * bulkBond, threads: threads)
        radialDistribution = RadialDistribution(positions, maximumRadius: 2 * bulkBond)
        let bond = radialDistribution.firstShellBond ?? bulkBond
        let link = cnaCutoffFactor * bond
        let grid = NeighborGrid(points: positions, maximumRadius: link)
        let fcc = types.map { $0 == .fcc }
        let (group, sizes) = connectedGroups(count: positions.count, included: { fcc[$0] }) { p, linked in
            grid.forEachNeighbor(of: positions[p], within: link) { q, _ in if q != p { linked.append(q) } }
        }
        // Grains large enough, renumbered largest first.
        let kept = sizes.indices.filter { sizes[$0] >= Self.minimumGrainAtoms }.sorted { sizes[$0] > sizes[$1] }
        var renumber = [Int](repeating: -1, count: sizes.count)
        for (k, g) in kept.enumerated() { renumber[g] = k }
        grain = group.map { $0 >= 0 ? renumber[$0] : -1 }
        grainSizes = kept.map { sizes[$0] }
    }

    /// The count of atoms of structure `s`.
    public func count(_ s: LocalStructure) -> Int { types.reduce(0) { $0 + ($1 == s ? 1 : 0) } }

    /// Whether the particle is one crystal: one grain holding most of the fcc atoms and no
    /// hcp plane or icosahedral centre between them.
    public var isSingleCrystal: Bool {
        grainSizes.count == 1 && count(.icosahedral) == 0 && count(.hcp) < max(1, grainSizes[0] / 20)
    }

    /// One line: the structure counts and grains, e.g. "fcc 305, hcp 230, other 110; 5 grains of 62–60 atoms".
    public var description: String {
        let n = max(1, types.count)
        let parts = structureCounts(types).filter { $0.1 > 0 }.map { s, c in
            String(format: "%@ %d (%.0f %%)", s.name, c, 100 * Double(c) / Double(n))
        }
        let grains: String
        switch grainSizes.count {
        case 0: grains = "no fcc grain of \(Self.minimumGrainAtoms) atoms or more"
        case 1: grains = "one fcc grain of \(grainSizes[0]) atoms"
        default: grains = "\(grainSizes.count) fcc grains of \(grainSizes.last!)–\(grainSizes.first!) atoms"
        }
        return parts.isEmpty ? grains : parts.joined(separator: ", ") + "; " + grains
    }
}
