import Foundation
import Testing
import NanoAtomsEngine

@Suite("Simulated test particles")
struct TestParticleTests {
    func spec(_ n: Int, _ shape: ParticleShape = .cuboctahedron) -> ParticleSpec {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.shape = shape; s.atomCount = n
        return s
    }

    @Test("cuboctahedra follow the magic-number series", arguments: [13, 55, 147, 309, 561])
    func magicNumbers(n: Int) {
        #expect(TestParticle.make(spec(n)).positions.count == n)
    }

    @Test("a 309-atom cuboctahedron has 147 bulk atoms and hand-counted surface sites")
    func coordinationOf309() {
        let cn = TestParticle.make(spec(309)).coordination
        func count(_ c: Int) -> Int { cn.filter { $0 == c }.count }
        // 4 shells: 12 corners (CN 5), 24 edges × 3 (CN 7), 6 squares × 3² (CN 8),
        // 8 triangles × 3 (CN 9), and the 147-atom core (CN 12).
        #expect(count(5) == 12)
        #expect(count(7) == 72)
        #expect(count(8) == 54)
        #expect(count(9) == 24)
        #expect(count(12) == 147)
    }

    @Test("neighbours sit a/√2 apart in the expanded lattice")
    func expansion() {
        var s = spec(55)
        s.expansion = 0.015
        let p = TestParticle.make(s)
        let d = (p.positions.indices.dropFirst()).map { (p.positions[$0] - p.positions[0]).length }.min()!
        #expect(abs(p.latticeConstant - 3.9242 * 1.015) < 1e-12)
        #expect(abs(d - p.latticeConstant / 2.0.squareRoot()) < 1e-9)
    }

    @Test("irregular particles have exactly the atoms asked for, all with at least 4 neighbours")
    func irregular() {
        let p = TestParticle.make(spec(250, .irregular))
        #expect(p.positions.count == 250)
        #expect(p.coordination.min()! >= 4)
    }

    @Test("the same seed gives the same map; noise is added at the asked SNR")
    func seededNoise() {
        var s = spec(55)
        s.snr = 5
        let a = TestParticle.make(s), b = TestParticle.make(s)
        #expect(a.map == b.map)
        s.seed = 2
        #expect(TestParticle.make(s).map != a.map)
        // A noise seed keeps the particle and changes only the noise.
        s.seed = 1; s.noiseSeed = 99
        let renoised = TestParticle.make(s)
        #expect(renoised.positions == a.positions && renoised.map != a.map)
        s.noiseSeed = nil
        s.snr = nil
        s.seed = 1
        let clean = TestParticle.make(s).map
        var noise = a.map.values
        for i in noise.indices { noise[i] -= clean.values[i] }
        #expect(abs(VolumeStatistics(noise).standardDeviation / a.noiseSD - 1) < 1e-3)
    }
}
