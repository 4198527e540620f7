import Foundation
import Testing
import NanoAtomsEngine

@Suite("Fitting an fcc lattice")
struct LatticeFitTests {
    let pt = TestSupport.platinum

    @Test("recovers the lattice constant of a rotated, expanded particle", arguments: [UInt64(1), 2, 3])
    func expanded(seed: UInt64) {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.expansion = 0.02; s.seed = seed
        let p = TestParticle.make(s)
        let fit = LatticeFit.fit(p.positions, bulkLatticeConstant: pt.latticeConstant)
        #expect(fit.method == .fccLeastSquares)
        #expect(abs(fit.meanLatticeConstant - pt.latticeConstant * 1.02) < 1e-6)
        #expect(fit.rmsResidual! < 1e-6)
        #expect(abs(fit.coordinationRadius - 0.5 * p.latticeConstant * (1 + 1 / 2.0.squareRoot())) < 1e-6)
    }

    @Test("falls back, and says so, for atoms that are not one fcc crystal")
    func notACrystal() {
        let positions = randomPacking(count: 200, side: 16, minimumDistance: 2.4, seed: 5)
        let fit = LatticeFit.fit(positions, bulkLatticeConstant: pt.latticeConstant)
        #expect(fit.method == .neighborShell)
        #expect(fit.note != nil)
    }

    @Test("the rotation fit recovers a known rotation")
    func rotation() {
        var g = SeededGenerator(seed: 8)
        let angle = 0.7, c = cos(angle), s = sin(angle)
        let r = Matrix3([c, -s, 0, s, c, 0, 0, 0, 1])
        let src = (0..<10).map { _ in Vector3(g.gaussian(), g.gaussian(), g.gaussian()) }
        let found = bestRotation(from: src, to: src.map { r * $0 })!
        for i in 0..<9 { #expect(abs(found.m[i] - r.m[i]) < 1e-9) }
    }

    @Test("nearest fcc sites have an even coordinate sum", arguments: [Vector3(0.4, 0.4, 0.1), Vector3(1.2, 0.9, -0.3), Vector3(0.6, 0.4, 0.0)])
    func sites(f: Vector3) {
        let n = nearestFCCSite(f)
        #expect((n.x + n.y + n.z) % 2 == 0)
        #expect((Vector3(Double(n.x), Double(n.y), Double(n.z)) - f).length < 1.0)
    }
}
