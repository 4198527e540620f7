import Foundation
import Testing
@testable import NanoAtomsEngine

/// A Mackay icosahedron built shell by shell the way cluster builders do (vertices, then
/// points along each edge, then inside each face), spacing `d` along the five-fold axes, with
/// each atom's shell.
func mackayIcosahedron(shells: Int, spacing d: Double) -> (positions: [Vector3], shells: [Int]) {
    let phi = (1 + 5.0.squareRoot()) / 2
    var v: [Vector3] = []
    for a in [-1.0, 1.0] { for b in [-phi, phi] {
        v.append(Vector3(0, a, b)); v.append(Vector3(a, b, 0)); v.append(Vector3(b, 0, a))
    } }
    v = v.map { $0 / $0.length }
    let edge = 2 / (1 + phi * phi).squareRoot()
    let adjacent = { (i: Int, j: Int) in abs((v[i] - v[j]).length - edge) < 1e-9 }
    var out: [Vector3] = [.zero], shell = [0]
    for k in stride(from: 1, to: shells, by: 1) {
        for a in v.indices { out.append(Double(k) * d * v[a]); shell.append(k) }
        for a in v.indices { for b in (a + 1)..<v.count where adjacent(a, b) {
            for j in stride(from: 1, to: k, by: 1) { out.append(d * (Double(k - j) * v[a] + Double(j) * v[b])); shell.append(k) }
        } }
        for a in v.indices { for b in (a + 1)..<v.count where adjacent(a, b) { for c in (b + 1)..<v.count where adjacent(a, c) && adjacent(b, c) {
            for i in stride(from: 1, to: k, by: 1) { for j in stride(from: 1, to: k - i, by: 1) {
                out.append(d * (Double(i) * v[a] + Double(j) * v[b] + Double(k - i - j) * v[c])); shell.append(k)
            } }
        } } }
    }
    return (out, shell)
}

@Suite("Fitting a Mackay icosahedron")
struct MackayFitTests {
    let pt = TestSupport.platinum

    @Test("the builder gives the magic numbers 13, 55, 147, 309 and every atom its nearest site")
    func magicNumbers() {
        for (shells, count) in [(2, 13), (3, 55), (4, 147), (5, 309)] {
            let ico = mackayIcosahedron(shells: shells, spacing: 1)
            #expect(ico.positions.count == count)
            for (p, k) in zip(ico.positions, ico.shells) {
                let (site, shell) = nearestMackaySite(p)
                #expect((site - p).length < 1e-9 && shell == k)
            }
        }
    }

    @Test("recovers spacing, centre and shells of a moved, turned, shaken icosahedron", arguments: [UInt64(1), 2, 3])
    func shaken(seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let d = pt.latticeConstant / 2.0.squareRoot() * 1.01
        let ico = mackayIcosahedron(shells: 5, spacing: d)
        let R = TestParticle.randomRotation(&g), shift = Vector3(40, 41, 39)
        let positions = ico.positions.map { shift + R * $0 + 0.08 * Vector3(g.gaussian(), g.gaussian(), g.gaussian()) }
        let m = try #require(MackayFit.fit(positions, start: positions[0], bulkLatticeConstant: pt.latticeConstant))
        #expect(abs(m.shellSpacing / d - 1) < 0.002)
        #expect((m.centre - shift).length < 0.05)
        #expect(m.shells == ico.shells)
        #expect(m.inlierFraction == 1)
        #expect(abs(m.rmsResidual - 0.08 * 3.0.squareRoot()) < 0.03)
    }

    @Test("a vacant centre and missing atoms: the lattice is still the icosahedron's, √2 × its spacing")
    func vacantCentre() {
        var g = SeededGenerator(seed: 4)
        let d = pt.latticeConstant / 2.0.squareRoot()
        let ico = mackayIcosahedron(shells: 6, spacing: d)
        let positions = ico.positions.enumerated().filter { i, _ in i > 0 && g.uniform() > 0.1 }.map { $0.1 }
        let fit = LatticeFit.fit(positions, bulkLatticeConstant: pt.latticeConstant)
        #expect(fit.method == .mackayLeastSquares)
        #expect(abs(fit.meanLatticeConstant / pt.latticeConstant - 1) < 1e-6)
        #expect(fit.flags(element: pt).map(\.code) == [.notSingleCrystal])
    }

    @Test("an fcc crystal and a random packing are not icosahedra")
    func notIcosahedra() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309; s.seed = 2
        let crystal = TestParticle.make(s).positions
        let packing = randomPacking(count: 300, side: 18, minimumDistance: 2.4, seed: 3)
        for positions in [crystal, packing] {
            let structure = ParticleStructure(positions, bulkBond: pt.latticeConstant / 2.0.squareRoot())
            #expect(LatticeFit.fitIcosahedron(positions, structure: structure, bulkLatticeConstant: pt.latticeConstant) == nil)
            let centroid = positions.reduce(.zero, +) / Double(positions.count)
            if let m = MackayFit.fit(positions, start: centroid, bulkLatticeConstant: pt.latticeConstant) {
                #expect(m.inlierFraction < LatticeFit.minimumInlierFraction)
            }
        }
    }
}
