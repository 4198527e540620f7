import Foundation
import Testing
import NanoAtomsEngine

@Suite("Statistics of any model, with or without a map")
struct StatisticsOfAnyModelTests {
    let pt = TestSupport.platinum

    /// A built model of a simulated particle, and its statistics as the run computes them.
    func builtModel() throws -> (ValidatedModel, ParticleStatistics) {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.snr = 6; s.seed = 4
        let r = buildModel(from: TestParticle.make(s).map, options: ModelBuildingOptions(element: pt))
        return (r, try computeStatistics(of: r))
    }

    @Test("stats on the model read back from its PDB equal the run's, column for column")
    func pdbRoundTrip() throws {
        let (r, st) = try builtModel()
        let folder = TestSupport.temporaryFolder()
        try ParticleRun(model: r).write(to: folder, mapName: "sample")
        let loaded = try ModelFile.read(path: folder + "/model.pdb", element: nil)
        #expect(loaded.element == pt && loaded.count == st.atoms.count)
        // Positions only: every position statistic.
        let positionsOnly = try computeStatistics(atoms: loaded, map: nil, cancellation: nil)
        #expect(!positionsOnly.hasShapeStatistics && positionsOnly.atoms[column: "peak_z"] == nil)
        // The PDB's B column is read back as Uiso = B/8π² (B kept to two decimals).
        let fromFile = positionsOnly.atoms[column: "uiso"]!, run = st.atoms[column: "uiso"]!
        #expect(zip(fromFile, run).allSatisfy { !$1.isFinite || abs($0 - $1) < 0.01 / (8 * Double.pi * Double.pi) })
        // With the map: the shape statistics too (the atoms then own the voxels within r_th).
        let withMap = try computeStatistics(atoms: loaded, map: MapEvidence(raw: r.raw, regions: nil, profile: r.profile, radius: r.radius),
                                            cancellation: nil)
        #expect(withMap.hasShapeStatistics)
        #expect(abs(positionsOnly.lattice.meanLatticeConstant - st.lattice.meanLatticeConstant) < 1e-3)
        // PDB keeps three decimals: CN and structure are unchanged, lengths to a few mÅ.
        for name in ["cn", "structure", "grain", "site", "crystalline_bonds"] {
            #expect(positionsOnly.atoms[column: name]! == st.atoms[column: name]!, "\(name)")
        }
        for name in ["radial_depth", "nn_bond", "q6"] {
            let a = positionsOnly.atoms[column: name]!, b = st.atoms[column: name]!
            #expect(zip(a, b).allSatisfy { abs($0 - $1) < 0.01 }, "\(name)")
        }
        // Uiso from the map the atoms came from agrees closely with the run's (voxels within r_th
        // instead of the component's: the weighted fit is dominated by the core).
        let u1 = withMap.atoms[column: "uiso"]!, u2 = st.atoms[column: "uiso"]!
        #expect(zip(u1, u2).filter { abs($0 - $1) < 0.002 }.count >= u1.count * 95 / 100)
        let c1 = withMap.atoms[column: "valid_corr"]!, c2 = st.atoms[column: "valid_corr"]!
        #expect(zip(c1, c2).filter { abs($0 - $1) < 0.005 }.count >= c1.count * 99 / 100)
    }

    @Test("the run's table uses validation's CN radius, and no atom in it breaks the CN rule")
    func oneLatticePerResult() throws {
        let (r, st) = try builtModel()
        #expect(st.coordinationRadius == r.lattice.coordinationRadius)
        #expect(st.atoms[column: "cn"]!.allSatisfy { $0 >= Double(ModelBuildingOptions.defaultMinimumCoordination) })
        #expect(r.lattice.fittedPositions == r.atoms.positions)
    }

    @Test("a lattice fitted to other atoms sets the CN radius only: structure and strain are the atoms' own")
    func foreignLattice() throws {
        var s = ParticleSpec(element: pt)
        s.atomCount = 561
        let p = TestParticle.make(s).positions
        let other = LatticeFit.fit(Array(p.dropLast(40)), bulkLatticeConstant: pt.latticeConstant)
        let atoms = AtomSet(element: pt, positions: p)
        let st = try computeStatistics(atoms: atoms, map: nil, lattice: other, cancellation: nil)
        #expect(st.coordinationRadius == other.coordinationRadius)
        #expect(st.atoms[column: "structure"]!.count == p.count)
        #expect(st.atoms[column: "radial_strain"]!.filter(\.isFinite).count > p.count / 2)
    }

    @Test("a core–shell model keeps each atom's element and gives statistics per element")
    func coreShell() throws {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309
        let p = TestParticle.make(s).positions
        let c = p.reduce(Vector3.zero, +) / Double(p.count)
        // Pd core within 6 Å of the centre, Pt shell: as an XYZ file.
        let text = "\(p.count)\ncore-shell\n" + p.map { q in
            String(format: "%@ %.4f %.4f %.4f\n", (q - c).length < 6 ? "Pd" : "Pt", q.x, q.y, q.z)
        }.joined()
        let path = TestSupport.temporaryFolder() + "/coreshell.xyz"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let model = try ModelFile.read(path: path, element: nil)
        let core = p.filter { ($0 - c).length < 6 }.count
        #expect(model.element == pt)
        #expect(model.elements.filter { $0.symbol == "Pd" }.count == core)
        let st = try computeStatistics(atoms: model, map: nil, cancellation: nil)
        #expect(st.perElement.map(\.element.symbol) == ["Pt", "Pd"])
        let pd = st.perElement[1], ptShell = st.perElement[0]
        #expect(pd.atoms == core && pd.medianCN == 12 && pd.surfaceFraction == 0)
        #expect(ptShell.medianCN < 12 && ptShell.surfaceFraction > 0.5)
        // XYZ written back names each atom's element.
        #expect(XYZFormat.text(model, comment: "x").components(separatedBy: "\nPd ").count - 1 == core)
    }
}

@Suite("The statistics' own flags")
struct StatisticsFlagTests {
    @Test("a 13-atom cluster's CN bins are too few to show a trend; a 309-atom particle's are not")
    func fewBins() throws {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 13
        let small = try computeStatistics(atoms: AtomSet(element: s.element, positions: TestParticle.make(s).positions), map: nil, cancellation: nil)
        #expect(small.flags.map(\.code).contains(.fewBins))
        s.atomCount = 309
        let large = try computeStatistics(atoms: AtomSet(element: s.element, positions: TestParticle.make(s).positions), map: nil, cancellation: nil)
        #expect(!large.flags.map(\.code).contains(.fewBins))
    }
}
