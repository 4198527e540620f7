import Testing
import NanoAtomsEngine

@Suite("Statistics reuse what model building computed, only when it fits")
struct StatisticsReuseTests {
    static func columns(_ st: ParticleStatistics) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for name in Statistic.all.map(\.key) { out[name] = st.atoms[column: name] }
        return out
    }

    /// Columns equal value for value, NaN matching NaN.
    static func same(_ a: [String: [Double]], _ b: [String: [Double]]) -> Bool {
        a.keys.sorted() == b.keys.sorted() && a.allSatisfy { name, x in
            let y = b[name]!
            return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
    }

    @Test("reusing the lattice and the simulated map changes no statistic, and stale ones are ignored")
    func reuse() {
        let pt = TestSupport.platinum
        var s = ParticleSpec(element: pt)
        s.atomCount = 79; s.snr = 6; s.seed = 12
        var options = ModelBuildingOptions(element: pt)
        options.threads = 2
        let r = buildModel(from: TestParticle.make(s).map, options: options)
        var so = StatisticsOptions()
        so.threads = 2
        // Nothing was removed here, so both results are on offer for the final atoms.
        #expect(r.removals.isEmpty)
        #expect(r.reusable.lattice != nil && r.reusable.simulated != nil)
        #expect(r.reusable.positions == r.atoms.positions)

        func stats(_ atoms: AtomSet, _ detection: AtomDetection, _ profile: AtomProfile, reusing: ReusableResults?) -> ParticleStatistics {
            computeStatistics(atoms: atoms, regions: detection.regions, raw: r.raw, profile: profile, radius: r.radius,
                              options: so, reusing: reusing)
        }
        let fresh = stats(r.atoms, r.detection, r.profile, reusing: nil)
        let reused = stats(r.atoms, r.detection, r.profile, reusing: r.reusable)
        #expect(Self.same(Self.columns(fresh), Self.columns(reused)))
        #expect(reused.lattice.meanLatticeConstant == fresh.lattice.meanLatticeConstant)

        // Other positions (one atom fewer): the offered results belong to other atoms.
        let keep = Array(0..<(r.atoms.count - 1))
        let fewer = r.atoms.subset(keep), fewerDetection = r.detection.subset(keep)
        #expect(Self.same(Self.columns(stats(fewer, fewerDetection, r.profile, reusing: r.reusable)),
                          Self.columns(stats(fewer, fewerDetection, r.profile, reusing: nil))))
        // Another simulated atom: the offered map was rendered with a different one.
        let wider = r.profile.displaced(by: 0.05)
        let withOther = Self.columns(stats(r.atoms, r.detection, wider, reusing: r.reusable))
        #expect(Self.same(withOther, Self.columns(stats(r.atoms, r.detection, wider, reusing: nil))))
        #expect(!Self.same(withOther, Self.columns(fresh)))   // the profile does matter
    }
}
