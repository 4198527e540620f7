import Testing
@testable import NanoAtomsEngine

/// The lattice's empty sites: a gap in the bulk is proposed where the missing atom was, nothing
/// is proposed beyond a facet, and the map decides whether a proposed site holds an atom.
@Suite("Empty sites of the lattice")
struct EmptyLatticeSitesTests {
    static let pt = Element.named("Pt")!
    static let bond = pt.latticeConstant / 2.0.squareRoot()
    static let coordinationRadius = pt.latticeConstant / 2 * (1 + 1 / 2.0.squareRoot())

    /// An fcc cube of Pt, 3 × 3 × 3 conventional cells (sites 0…6 in units of a/2, even sums),
    /// and the index of the site (3, 3, 2), deep inside it.
    static func cube() -> (positions: [Vector3], inner: Int) {
        var positions: [Vector3] = [], inner = -1
        let h = pt.latticeConstant / 2
        for z in 0...6 { for y in 0...6 { for x in 0...6 where (x + y + z) % 2 == 0 {
            if (x, y, z) == (3, 3, 2) { inner = positions.count }
            positions.append(Vector3(Double(x) * h, Double(y) * h, Double(z) * h))
        } } }
        return (positions, inner)
    }

    static func sites(_ positions: [Vector3]) -> [EmptyLatticeSite] {
        emptyLatticeSites(positions, bond: bond, coordinationRadius: coordinationRadius, spacing: RefinementRules.additionSpacing * bond)
    }

    @Test("a perfect cube has no empty site: beyond a {100} facet a site has 4 neighbours, beyond an edge fewer")
    func perfectCube() {
        #expect(Self.sites(Self.cube().positions).isEmpty)
    }

    @Test("an atom left out of the bulk is one site where it was, bonded to its 12 neighbours")
    func gapInTheBulk() throws {
        let (all, inner) = Self.cube()
        let gapped = all.indices.filter { $0 != inner }.map { all[$0] }
        let found = Self.sites(gapped)
        #expect(found.count == 1, "\(found)")
        let site = try #require(found.first)
        #expect((site.position - all[inner]).length < 1e-9)
        #expect(site.neighbours == 12)
        #expect(site.proposers == 12)
        #expect(site.neighbours >= EmptyLatticeSiteRules.interiorNeighbours)
    }

    @Test("two atoms left out side by side are two sites, each bonded to 11")
    func twoGaps() {
        let (all, inner) = Self.cube()
        let h = Self.pt.latticeConstant / 2
        let second = all.firstIndex { ($0 - (all[inner] + Vector3(h, h, 0))).length < 1e-9 }!
        let found = Self.sites(all.indices.filter { $0 != inner && $0 != second }.map { all[$0] })
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.neighbours == 11 })
        #expect(found.contains { ($0.position - all[inner]).length < 1e-9 } && found.contains { ($0.position - all[second]).length < 1e-9 })
    }

    /// The cube's map at SNR 6, with or without the inner atom, and the joint fit of the cube
    /// without it; the one empty site, screened alone against the fit's residual.
    static func screened(atomInMap: Bool) throws -> (evidence: SiteEvidence, site: EmptyLatticeSite, truth: Vector3) {
        let (all, inner) = cube()
        var spec = ParticleSpec(element: pt)
        spec.model = atomInMap ? all : all.indices.filter { $0 != inner }.map { all[$0] }
        spec.snr = 6; spec.seed = 41
        let p = TestParticle.make(spec)
        // The simulator centres the model in its box: its own positions, in the model's order.
        let truth = atomInMap ? p.positions[inner] : p.positions[0] + (all[inner] - all[0])
        let modelled = atomInMap ? p.positions.indices.filter { $0 != inner }.map { p.positions[$0] } : p.positions
        let profile = AtomProfile.peng(pt, voxelSize: p.map.voxelSize)
        let window = JointFitLimits.windowFraction * bond
        let fit = fitAtomsJointly(modelled, map: p.map, profile: profile, windowRadius: window, threads: 2)
        let site = try #require(sites(fit.positions).first)
        let core = coreAmplitude(fit, radius: coordinationRadius)
        let evidence = try #require(screenSites([site], fit: fit, profile: profile, windowRadius: window, coreAmplitude: core).first)
        return (evidence, site, truth)
    }

    @Test("a site whose atom is in the map fits as a whole atom, well above the noise, and holds one")
    func atomInTheMap() throws {
        let (e, site, truth) = try Self.screened(atomInMap: true)
        #expect((site.position - truth).length < 0.2)
        #expect(abs(e.occupancy - 1) < 0.2, "occupancy \(e.occupancy)")
        // Above the surface bar as well as the inside one: the map alone would admit it anywhere.
        #expect(e.significance > 1.5 * EmptyLatticeSiteRules.surfaceSignificance, "significance \(e.significance)")
        #expect((e.position - truth).length < 0.2)
        #expect(SiteTest.holdsAtom(neighbours: site.neighbours, occupancy: e.occupancy, significance: e.significance))
    }

    @Test("a site that is truly empty (a vacancy in the map too) fits as noise and holds none")
    func vacancyInTheMap() throws {
        let (e, site, _) = try Self.screened(atomInMap: false)
        #expect(e.occupancy < EmptyLatticeSiteRules.interiorOccupancy, "occupancy \(e.occupancy)")
        #expect(!SiteTest.holdsAtom(neighbours: site.neighbours, occupancy: e.occupancy, significance: e.significance))
    }

    @Test("the bar is lower inside than on the surface: the same evidence holds an atom at 12 neighbours, not at 8")
    func insideAndSurface() {
        #expect(SiteTest.holdsAtom(neighbours: 12, occupancy: 0.3, significance: 2))
        #expect(!SiteTest.holdsAtom(neighbours: 8, occupancy: 0.3, significance: 2))
        #expect(SiteTest.holdsAtom(neighbours: 8, occupancy: 0.5, significance: 4))
        #expect(!SiteTest.holdsAtom(neighbours: 12, occupancy: 0.5, significance: .nan))
    }
}
