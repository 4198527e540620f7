import Foundation
import Testing
import NanoAtomsEngine

@Suite("The simulated atom")
struct AtomProfileTests {
    let pt = Element.named("Pt")!

    @Test("the Peng atom's terms have variance (b + B)/8π² and integrate to Σ a")
    func pengTerms() {
        let p = AtomProfile.peng(pt, voxelSize: 0.358)
        let b = 64 * 0.358 * 0.358
        for k in 0..<5 { #expect(abs(p.variances[k] - (pt.scatteringB[k] + b) / (8 * Double.pi * Double.pi)) < 1e-12) }
        #expect(abs(p.integral - pt.scatteringA.reduce(0, +)) < 1e-12)
    }

    /// Σ over a fine grid of f(position) · h³.
    func integrate(step h: Double, reach: Double, _ f: (Vector3) -> Double) -> Double {
        let n = Int(reach / h)
        var s = 0.0
        for k in -n...n { for j in -n...n { for i in -n...n { s += f(Vector3(Double(i), Double(j), Double(k)) * h) } } }
        return s * h * h * h
    }

    @Test("the density integrates to the atom's total weight")
    func densityIntegral() {
        let p = AtomProfile.peng(pt, voxelSize: 0.358)
        let total = integrate(step: 0.1, reach: 6) { p.density(distanceSquared: $0.lengthSquared) }
        #expect(abs(total / p.integral - 1) < 1e-3)
    }

    @Test("the overlap of two atoms equals the integral of their product")
    func overlap() {
        let p = AtomProfile.peng(pt, voxelSize: 0.358)
        let d = Vector3(1.3, 0.4, -0.7)
        let numeric = integrate(step: 0.1, reach: 6) { x in
            p.density(distanceSquared: x.lengthSquared) * p.density(distanceSquared: (x - d).lengthSquared)
        }
        #expect(abs(numeric / p.overlap(distanceSquared: d.lengthSquared) - 1) < 2e-3)
    }

    @Test("a table of overlaps holds exactly what the overlap gives at each distance")
    func overlapTable() {
        let p = AtomProfile.peng(pt, voxelSize: 0.358).displaced(by: 0.01)
        let d2 = (0..<200).map { Double($0) * 0.07 }
        #expect(p.overlaps(distancesSquared: d2) == d2.map { p.overlap(distanceSquared: $0) })
    }

    @Test("displacing an atom adds U to every term's variance")
    func displaced() {
        let p = AtomProfile.gaussian(variance: 0.2).displaced(by: 0.05)
        #expect(p.variances == [0.25])
        #expect(abs(p.effectiveVariance - 0.25) < 1e-15)
    }
}
