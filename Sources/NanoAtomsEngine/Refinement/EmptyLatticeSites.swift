/// A site where the model's own lattice places an atom and the model has none: a candidate for
/// the joint fit to test, not an atom until the map says so.
struct EmptyLatticeSite {
    /// Where, Å: the mean of the atoms' proposals.
    var position: Vector3
    /// How many atoms propose it.
    var proposers: Int
    /// Atoms within the coordination radius of it.
    var neighbours: Int
}

/// Limits of the lattice's proposals, with where they come from.
enum EmptyLatticeSiteRules {
    /// Proposals of one site lie within this fraction of the bond of one another: half the
    /// distance at which two atoms would be merged, so two sites are never one.
    static let proposalSpread = 0.33
    /// A site bonded to fewer atoms is beyond the surface: the next layer of a {111} facet has 3
    /// neighbours, of a {100} facet 4, and on the shared hard map the sites bonded to 4 that the
    /// fit found strong enough were 8 true atoms against 15 false.
    static let minimumNeighbours = 5
    /// A site bonded to at least this many atoms is inside the particle (a gap in the bulk has
    /// 12 neighbours, 11 beside a second gap; a site of a {111} facet has 9, of a {100} facet 8),
    /// where an empty site would be a vacancy: rare in a metal at room temperature (about 1 in
    /// 10⁴ sites).
    static let interiorNeighbours = 11
    /// An inside site is kept with a fitted amplitude this many standard errors above zero and
    /// `interiorOccupancy` of the core atoms' amplitude: the lattice is nearly certain of an atom
    /// there, and the map need only not deny it.
    static let interiorSignificance = 1.5
    /// See `interiorSignificance`.
    static let interiorOccupancy = 0.25
    /// A surface site is kept with a fitted amplitude this many standard errors above zero and
    /// `surfaceOccupancy`: a surface has real gaps (the shared irregular map's 25 removed atoms
    /// fitted up to 3.3 standard errors and 0.47 of an atom, from their neighbours' tails).
    static let surfaceSignificance = 3.5
    /// See `surfaceSignificance`.
    static let surfaceOccupancy = 0.45
    /// Gauss–Newton steps of a site's fit alone to the residual (each takes 0.6 of its step,
    /// so ten come within 1 % of the full one).
    static let screeningSteps = 10
}

/// Sites of the model's local lattice that no atom occupies: every bonded pair (i, j) proposes
/// the site 2pᵢ − pⱼ, the bond continued through i (close packing, fcc or hcp, is centrosymmetric
/// about each atom for the in-plane and most out-of-plane bonds, and an atom missing from a
/// crystal has its neighbours on both sides of it). Proposals within `proposalSpread` bonds of
/// one another are one site; a site at least `spacing` from every atom and bonded to
/// `minimumNeighbours` or more is returned, most proposers first.
func emptyLatticeSites(_ positions: [Vector3], bond: Double, coordinationRadius: Double, spacing: Double) -> [EmptyLatticeSite] {
    guard positions.count >= 4, bond > 0, coordinationRadius > 0 else { return [] }
    let grid = NeighborGrid(points: positions, maximumRadius: max(coordinationRadius, spacing))
    var proposals: [Vector3] = [], proposer: [Int] = []
    for i in positions.indices {
        for j in grid.neighbors(of: i, within: coordinationRadius) {
            let site = 2 * positions[i] - positions[j]
            var free = true
            grid.forEachNeighbor(of: site, within: spacing) { _, _ in free = false }
            if free { proposals.append(site); proposer.append(i) }
        }
    }
    guard !proposals.isEmpty else { return [] }
    // Group proposals greedily, in a fixed order (deterministic): each ungrouped proposal takes
    // every ungrouped one within the spread.
    let spread = EmptyLatticeSiteRules.proposalSpread * bond
    let proposalGrid = NeighborGrid(points: proposals, maximumRadius: spread)
    var grouped = [Bool](repeating: false, count: proposals.count)
    var sites: [EmptyLatticeSite] = []
    for k in proposals.indices where !grouped[k] {
        var members = [k]
        grouped[k] = true
        proposalGrid.forEachNeighbor(of: proposals[k], within: spread) { m, _ in
            if !grouped[m] { grouped[m] = true; members.append(m) }
        }
        var sum = Vector3(0, 0, 0)
        for m in members { sum = sum + proposals[m] }
        let centre = (1.0 / Double(members.count)) * sum
        var nearest = Double.infinity, bonded = 0
        grid.forEachNeighbor(of: centre, within: max(coordinationRadius, spacing)) { _, d2 in
            nearest = min(nearest, d2)
            if d2 < coordinationRadius * coordinationRadius { bonded += 1 }
        }
        guard nearest.squareRoot() >= spacing, bonded >= EmptyLatticeSiteRules.minimumNeighbours else { continue }
        sites.append(EmptyLatticeSite(position: centre, proposers: Set(members.map { proposer[$0] }).count, neighbours: bonded))
    }
    // Two groups' centres can still fall close together: keep the better-supported one.
    sites.sort { ($0.proposers, $0.neighbours) > ($1.proposers, $1.neighbours) }
    var chosen: [EmptyLatticeSite] = []
    for s in sites where chosen.allSatisfy({ ($0.position - s.position).length >= spacing }) { chosen.append(s) }
    return chosen
}

/// How an empty site fits the map on its own: its occupancy (amplitude over the core atoms')
/// and the amplitude's significance in standard errors.
struct SiteEvidence {
    var position: Vector3
    var occupancy: Double
    var significance: Double
}

/// The lattice's verdict on a site: whether a fitted site holds an atom, by where it is.
enum SiteTest {
    /// Whether a site bonded to `neighbours` atoms, fitted at `occupancy` of the core atoms'
    /// amplitude and `significance` standard errors above zero, holds an atom.
    static func holdsAtom(neighbours: Int, occupancy: Double, significance: Double) -> Bool {
        let inside = neighbours >= EmptyLatticeSiteRules.interiorNeighbours
        let needed = inside ? EmptyLatticeSiteRules.interiorSignificance : EmptyLatticeSiteRules.surfaceSignificance
        let least = inside ? EmptyLatticeSiteRules.interiorOccupancy : EmptyLatticeSiteRules.surfaceOccupancy
        return occupancy >= least && significance.isFinite && significance >= needed
    }
}

/// Fits one atom at each site to the joint fit's residual (the map less the background and the
/// whole model): a few Gauss–Newton steps of position, amplitude and width, the move bounded
/// by `JointFitLimits.maximumMove`, starting from a whole core atom. Cheap beside a joint refit,
/// so that only sites the map may support are put into one.
func screenSites(_ sites: [EmptyLatticeSite], fit: JointFit, profile: AtomProfile, windowRadius: Double,
                 coreAmplitude core: Double) -> [SiteEvidence] {
    let R = fit.residual
    let reach = Int((windowRadius / R.voxelSize).rounded(.up))
    let variance = fit.noiseSD * fit.noiseSD * fit.correlationFactor
    return sites.map { site in
        var p = site.position, a = core, u = JointFitLimits.startingDisplacement
        var normalAA = 0.0
        for _ in 0..<EmptyLatticeSiteRules.screeningSteps {
            let s = atomStep(p, a, u, map: R, model: nil, background: 0, profile: profile, reach: reach, windowRadius: windowRadius)
            guard s.normal.count == 25 else { return SiteEvidence(position: p, occupancy: 0, significance: .nan) }
            var offset = s.position - site.position
            if offset.length > JointFitLimits.maximumMove { offset = offset * (JointFitLimits.maximumMove / offset.length) }
            p = site.position + offset; a = s.amplitude; u = s.displacement
            normalAA = s.normal[18]
        }
        let z = normalAA > 0 && variance > 0 ? a / (variance / normalAA).squareRoot() : .nan
        return SiteEvidence(position: p, occupancy: a / core, significance: z)
    }
}
