import Foundation

/// The structure of a particle beyond one lattice: each atom's local structure, the crystalline
/// grains, and the radial distribution function.
public struct ParticleStructure: Sendable {
    /// How the local structure was classified.
    public enum Method: String, Sendable, CaseIterable {
        /// Polyhedral template matching (``polyhedralTemplateMatching(_:searchRadius:rmsdCutoff:threads:)``):
        /// robust to position noise, and gives each atom's lattice orientation.
        case ptm
        /// Adaptive common-neighbour analysis (``adaptiveCommonNeighborAnalysis(_:searchRadius:threads:)``):
        /// exact on clean positions, lost above about 0.1 Å of noise.
        case cna

        /// The name in the report and summary.json.
        public var title: String {
            switch self {
            case .ptm: return "polyhedral template matching"
            case .cna: return "adaptive common-neighbour analysis"
            }
        }
    }

    /// The method that classified `types`.
    public let method: Method
    /// Each atom's local structure.
    public let types: [LocalStructure]
    /// Each atom's PTM match (nil under a-CNA).
    public let matches: [TemplateMatch]?
    /// Each atom's grain: an index into `grainSizes`, or −1 for an atom in no grain.
    public let grain: [Int]
    /// The number of atoms in each grain, largest first.
    public let grainSizes: [Int]
    /// g(r) and its first shell.
    public let radialDistribution: RadialDistribution

    /// A grain is a connected set of fcc atoms, two fcc atoms joined when they lie within
    /// (1 + √2)/2 × the first-shell bond of each other and (under PTM) each lattice is oriented
    /// within ``grainMisorientationLimit`` of the grain's seed. Twin planes and stacking
    /// faults are hcp layers and grain boundaries are disordered, so neither joins two grains:
    /// the fcc atoms on the two sides of one twin plane lie 2/√3 · a ≈ 1.15 a apart, beyond the
    /// radius. The orientation also splits a boundary with fcc atoms on both sides.
    /// Grains of fewer than this many atoms are not counted (a tetrahedron of four shells of
    /// an icosahedron holds only a handful of fcc atoms: a lattice fitted to them means little).
    public static let minimumGrainAtoms = 19

    /// The largest misorientation (radians) between two bonded fcc atoms of one grain: 10°.
    /// At 0.2 Å of position noise per coordinate neighbouring atoms of one crystal differ by
    /// 2–4°; grain boundaries are high-angle (above 15°) in the sense of OVITO's grain
    /// segmentation, so a low-angle boundary below 10° is one grain here.
    public static let grainMisorientationLimit = 10.0 * .pi / 180

    /// Analyses `positions`, with the bulk nearest-neighbour distance `bulkBond` (Å) bounding
    /// the search: the twelve neighbours are looked for within 1.5 × it, g(r) up to 2 × it.
    public init(_ positions: [Vector3], bulkBond: Double, method: Method = .ptm, threads: Int = Parallel.availableCores) {
        self.method = method
        switch method {
        case .ptm:
            let m = polyhedralTemplateMatching(positions, searchRadius: 1.5 * bulkBond, threads: threads)
            matches = m
            types = m.map(\.structure)
        case .cna:
            matches = nil
            types = adaptiveCommonNeighborAnalysis(positions, searchRadius: 1.5 * bulkBond, threads: threads)
        }
        radialDistribution = RadialDistribution(positions, maximumRadius: 2 * bulkBond)
        let bond = radialDistribution.firstShellBond ?? bulkBond
        let link = cnaCutoffFactor * bond
        let grid = NeighborGrid(points: positions, maximumRadius: link)
        let fcc = types.map { $0 == .fcc }
        let (group, sizes): ([Int], [Int])
        if let m = matches {
            (group, sizes) = Self.orientedGrains(positions, m, grid: grid, link: link)
        } else {
            (group, sizes) = connectedGroups(count: positions.count, included: { fcc[$0] }) { p, linked in
                grid.forEachNeighbor(of: positions[p], within: link) { q, _ in if q != p { linked.append(q) } }
            }
        }
        // Grains large enough, renumbered largest first.
        let kept = sizes.indices.filter { sizes[$0] >= Self.minimumGrainAtoms }.sorted { sizes[$0] > sizes[$1] }
        var renumber = [Int](repeating: -1, count: sizes.count)
        for (k, g) in kept.enumerated() { renumber[g] = k }
        grain = group.map { $0 >= 0 ? renumber[$0] : -1 }
        grainSizes = kept.map { sizes[$0] }
    }

    /// Grains grown from the most ideal fcc atoms (lowest PTM RMSD) first: a bonded fcc atom
    /// joins when its orientation lies within ``grainMisorientationLimit`` of the seed's. Comparing
    /// with the seed, not with the bonded neighbour, keeps a boundary atom of intermediate
    /// orientation from chaining two crystals into one.
    private static func orientedGrains(_ positions: [Vector3], _ m: [TemplateMatch], grid: NeighborGrid, link: Double) -> ([Int], [Int]) {
        var group = [Int](repeating: -1, count: positions.count)
        var sizes: [Int] = []
        let seeds = positions.indices.filter { m[$0].structure == .fcc }.sorted { (m[$0].rmsd, $0) < (m[$1].rmsd, $1) }
        var stack: [Int] = []
        for seed in seeds where group[seed] < 0 {
            let id = sizes.count, reference = m[seed].orientation
            group[seed] = id
            stack.append(seed)
            var size = 0
            while let p = stack.popLast() {
                size += 1
                grid.forEachNeighbor(of: positions[p], within: link) { q, _ in
                    guard group[q] < 0, m[q].structure == .fcc,
                          cubicMisorientation(reference, m[q].orientation) <= grainMisorientationLimit else { return }
                    group[q] = id
                    stack.append(q)
                }
            }
            sizes.append(size)
        }
        return (group, sizes)
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
