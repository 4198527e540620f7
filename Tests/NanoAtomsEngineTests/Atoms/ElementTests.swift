import Foundation
import Testing
import NanoAtomsEngine

@Suite("The element table")
struct ElementTests {
    @Test("knows the nine fcc metals the paper's method is used on, in any letter case")
    func table() {
        #expect(Element.all.map(\.symbol) == ["Al", "Ni", "Cu", "Rh", "Pd", "Ag", "Ir", "Pt", "Au"])
        #expect(Element.named("pt") == Element.named("PT"))
        #expect(Element.named("Xx") == nil)
    }

    @Test("platinum has the paper's radius, its bulk lattice constant and Peng's five terms")
    func platinum() {
        let pt = Element.named("Pt")!
        #expect(pt.radius == 1.10)                       // 0.8 × 2 r = 1.76 Å in the paper
        #expect(abs(0.8 * 2 * pt.radius - 1.76) < 1e-12)
        #expect(pt.latticeConstant == 3.9242)
        #expect(pt.scatteringA.count == 5 && pt.scatteringB.count == 5)
        // f(0) = Σ aᵢ, the total elastic scattering amplitude of Pt in Peng et al. (1996).
        #expect(abs(pt.scatteringA.reduce(0, +) - 10.8085) < 1e-4)
        #expect(abs(pt.bulkBondLength - 3.9242 / 2.0.squareRoot()) < 1e-12)
    }

    @Test("every element's numbers are physically sensible")
    func sensible() {
        for e in Element.all {
            #expect((3.4...4.2).contains(e.latticeConstant), "\(e)")
            #expect((1.0...1.5).contains(e.radius), "\(e)")
            #expect(e.scatteringB == e.scatteringB.sorted(), "\(e): b should increase term by term")
            #expect(e.scatteringA.allSatisfy { $0 > 0 })
        }
    }
}
