import Foundation
import Testing
import NanoAtomsEngine

@Suite("The penetration-depth fit")
struct PenetrationDepthTests {
    /// Synthetic per-atom data following Eq. 1 exactly, with noise of SD `noise`.
    func data(delta: Double, m: Double, c: Double, noise: Double, seed: UInt64 = 1) -> ([Double], [Double]) {
        var g = SeededGenerator(seed: seed)
        let x = (0..<400).map { _ in 12 * g.uniform() }
        let y = x.map { ($0 <= delta ? m * ($0 - delta) + c : c) + noise * g.gaussian() }
        return (x, y)
    }

    @Test("recovers δ, m and c of noisy synthetic CN data", arguments: [3.0, 4.5, 6.0])
    func recovers(delta: Double) {
        let (x, y) = data(delta: delta, m: 1.6, c: 11.6, noise: 1.0)
        let f = fitPenetrationDepth(depths: x, values: y, statistic: "cn", plateauBounds: coordinationPlateauBounds)!
        #expect(abs(f.delta - delta) < 0.3, "δ \(f.delta)")
        #expect(abs(f.slope - 1.6) < 0.2)
        #expect(abs(f.plateau - 11.6) < 0.1)
        #expect(f.depths.count == 400 - depthAveragingWindow + 1)
    }

    @Test("holds c to [10, 12] for CN and leaves it free otherwise")
    func bounds() {
        let (x, y) = data(delta: 4, m: 2, c: 13, noise: 0.05)
        #expect(fitPenetrationDepth(depths: x, values: y, statistic: "cn", plateauBounds: coordinationPlateauBounds)!.plateau == 12)
        #expect(abs(fitPenetrationDepth(depths: x, values: y, statistic: "uiso")!.plateau - 13) < 0.02)
    }

    @Test("averages five consecutive atoms in depth order")
    func averaging() {
        let x = (0..<12).map(Double.init).reversed().map { $0 }
        let f = fitPenetrationDepth(depths: x, values: x.map { 2 * $0 }, statistic: "s")!
        #expect(f.depths == (0..<8).map { Double($0) + 2 })
        #expect(f.values == f.depths.map { 2 * $0 })
    }

    @Test("the depth of a real particle's CN comes out between one and two atomic shells")
    func particle() {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 561
        let p = TestParticle.make(s)
        let f = fitPenetrationDepth(depths: radialDepths(p.positions), values: p.coordination.map(Double.init),
                                    statistic: "cn", plateauBounds: coordinationPlateauBounds)!
        #expect(f.delta > 2.8 && f.delta < 6.5)
        #expect(f.plateau > 11.5)
    }
}

@Suite("Particle summaries and CN bins")
struct ParticleSummaryTests {
    @Test("bins keep only CNs with at least five atoms, with S/√N error bars")
    func bins() {
        let cn = [12, 12, 12, 12, 12, 9, 9, 9, 9, 9, 9, 5]
        let v = [1.0, 2, 3, 4, 5, 2, 2, 2, 2, 2, 2, 7]
        let b = binByCoordination(v, cn: cn)
        #expect(b.map(\.cn) == [9, 12])
        #expect(b[1].mean == 3 && abs(b[1].standardDeviation - 2.5.squareRoot()) < 1e-12)
        #expect(abs(b[1].standardError - 2.5.squareRoot() / 5.0.squareRoot()) < 1e-12)
        #expect(b[0].standardError == 0)
    }

    @Test("statistics of a noise-free particle: Table 1 row, CN, Uiso and the depth fits")
    func endToEnd() {
        let pt = TestSupport.platinum
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.expansion = 0.015; s.seed = 4
        s.profile = .gaussian(variance: 0.2)
        s.displacementPerMissingNeighbor = 0.01
        let p = TestParticle.make(s)
        let r = buildModel(from: p.map, options: ModelBuildingOptions(element: pt))
        let st = computeStatistics(atoms: r.atoms, regions: r.detection.regions, raw: r.raw, profile: r.profile, radius: r.radius)
        #expect(st.summary.atoms == 309)
        #expect(st.summary.coreAtoms == 147)
        #expect(st.summary.medianCN == 9)
        #expect(abs(st.lattice.meanLatticeConstant - p.latticeConstant) < 0.01)
        #expect(abs(st.summary.medianNeighborDistance - p.latticeConstant / 2.0.squareRoot()) < 0.02)
        let m = matchAtoms(st.atoms.positions, p.positions, tolerance: 0.8)
        let cn = st.atoms[column: "cn"]!
        #expect(m.pairs.allSatisfy { Int(cn[$0.first]) == p.coordination[$0.second] })
        // Uiso ranks atoms as the truth does: surface atoms (low CN) move more.
        let uiso = st.atoms[column: "uiso"]!
        let coreU = median(m.pairs.filter { p.coordination[$0.second] == 12 }.map { uiso[$0.first] })
        let cornerU = median(m.pairs.filter { p.coordination[$0.second] == 5 }.map { uiso[$0.first] })
        #expect(abs(coreU - (0.2 + 0.02)) < 0.02, "core Uiso \(coreU)")
        #expect(cornerU > coreU + 0.03)
        #expect(st.depthFitCN != nil && st.depthFitGCN != nil)
        #expect(st.atoms.columnNames.starts(with: ["valid_corr_sphere", "nvox", "split"]))
        // Every statistic the catalogue lists is in a table measured in a map, and nothing else is.
        let unrefined = Statistic.all.filter { $0.source != .refinement }
        for s in unrefined { #expect(st.atoms[column: s.key] != nil, "missing \(s.key)") }
        #expect(Set(st.atoms.columnNames) == Set(unrefined.map(\.key)))
    }
}

@Suite("Comparing two models")
struct ModelComparisonTests {
    @Test("common, displaced, lost and gained atoms by hand")
    func byHand() {
        let pt = TestSupport.platinum
        var s = ParticleSpec(element: pt)
        s.atomCount = 55
        let first = TestParticle.make(s).positions
        var second = Array(first.dropFirst(2))                     // atoms 0 and 1 lost
        second[0] += Vector3(1.0, 0, 0)                            // atom 2 moved 1.0 Å: still common
        second[1] += Vector3(0, 2.2, 0)                            // atom 3 moved 2.2 Å: displaced
        second.append(Vector3(100, 100, 100))                      // a new atom far away: gained
        let c = compareModels(first, second, element: pt)
        #expect(abs(c.commonDistance - 1.76) < 1e-12)
        #expect(c.common.count == 52)
        #expect(c.displaced.map(\.first) == [3])
        #expect(Set(c.lost) == [0, 1])
        #expect(c.gained == [second.count - 1])
        #expect(abs(c.commonPercent - 100 * 52 / 55.0) < 1e-12)
        #expect(abs(c.lostPercent + c.displacedPercent + c.commonPercent - 100) < 1e-9)
    }
}
