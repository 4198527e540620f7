import Foundation
import Testing
import NanoAtomsEngine

/// Sites of a block of fcc lattice (constant `a`, Å), `n` cells a side.
func fccBlock(_ a: Double, cells n: Int) -> [Vector3] {
    var out: [Vector3] = []
    let basis = [Vector3(0, 0, 0), Vector3(0.5, 0.5, 0), Vector3(0.5, 0, 0.5), Vector3(0, 0.5, 0.5)]
    for i in 0..<n { for j in 0..<n { for k in 0..<n { for b in basis {
        out.append((Vector3(Double(i), Double(j), Double(k)) + b) * a)
    } } } }
    return out
}

/// `count` random points in a cube of side `side` (Å), none closer than `minimumDistance`:
/// a disordered packing, seeded.
func randomPacking(count: Int, side: Double, minimumDistance: Double, seed: UInt64) -> [Vector3] {
    var g = SeededGenerator(seed: seed)
    var p: [Vector3] = []
    while p.count < count {
        let x = Vector3(g.uniform(), g.uniform(), g.uniform()) * side
        if p.allSatisfy({ ($0 - x).length > minimumDistance }) { p.append(x) }
    }
    return p
}

/// Sites of a block of ideal hcp (bond `d`, c/a = √(8/3)), `n` cells a side.
func hcpBlock(_ d: Double, cells n: Int) -> [Vector3] {
    var out: [Vector3] = []
    let c = d * (8.0 / 3).squareRoot()
    for k in 0..<n { for j in 0..<n { for i in 0..<n {
        let base = Vector3(d * (Double(i) + 0.5 * Double(j)), d * 3.0.squareRoot() / 2 * Double(j), c * Double(k))
        out.append(base)
        out.append(base + Vector3(d / 2, d / (2 * 3.0.squareRoot()), c / 2))
    } } }
    return out
}

@Suite("Local structure by adaptive common-neighbour analysis")
struct LocalStructureTests {
    let pt = Element.named("Pt")!

    /// Atoms further than `margin` from the block's faces (their twelve neighbours are all there).
    func interior(_ p: [Vector3], margin: Double) -> [Int] {
        var lo = p[0], hi = p[0]
        for q in p { lo = pointwiseMin(lo, q); hi = pointwiseMax(hi, q) }
        return p.indices.filter { i in
            let q = p[i]
            return (q - lo).min() > margin && (hi - q).min() > margin
        }
    }

    @Test("every interior atom of an fcc block is fcc, and every corner atom other")
    func fccBulk() {
        let p = fccBlock(pt.latticeConstant, cells: 5)
        let t = adaptiveCommonNeighborAnalysis(p, searchRadius: 1.5 * pt.bulkBondLength)
        let inner = interior(p, margin: 0.9 * pt.latticeConstant)
        #expect(inner.count > 100)
        #expect(inner.allSatisfy { t[$0] == .fcc })
        #expect(t[0] == .other)   // a corner atom has three neighbours
    }

    @Test("every interior atom of an hcp block is hcp")
    func hcpBulk() {
        let p = hcpBlock(2.77, cells: 6)
        let t = adaptiveCommonNeighborAnalysis(p, searchRadius: 4.2)
        // The block is a rhombic prism: interior atoms are those with all twelve first
        // neighbours and every second neighbour (at √2 d) present.
        let first = neighborLists(p, radius: 1.1 * 2.77), second = neighborLists(p, radius: 1.1 * 2.77 * 2.0.squareRoot())
        let inner = p.indices.filter { first[$0].count == 12 && second[$0].count == 18 }
        #expect(inner.count > 20)
        #expect(inner.allSatisfy { t[$0] == .hcp })
    }

    @Test("the centre of a 13-atom icosahedron is icosahedral, whatever its size")
    func icosahedron() {
        let phi = (1 + 5.0.squareRoot()) / 2
        var vertices: [Vector3] = []
        for a in [-1.0, 1.0] { for b in [-phi, phi] {
            vertices += [Vector3(0, a, b), Vector3(a, b, 0), Vector3(b, 0, a)]
        } }
        for scale in [2.6, 2.9] {
            let p = [Vector3.zero] + vertices.map { $0 / $0.length * scale }
            #expect(adaptiveCommonNeighborAnalysis(p, searchRadius: 4.5)[0] == .icosahedral)
        }
    }

    @Test("a-CNA needs no lattice constant: a block strained by 4 % stays fcc")
    func strained() {
        let p = fccBlock(1.04 * pt.latticeConstant, cells: 4)
        let t = adaptiveCommonNeighborAnalysis(p, searchRadius: 1.5 * pt.bulkBondLength)
        let inner = interior(p, margin: 0.9 * 1.04 * pt.latticeConstant)
        #expect(!inner.isEmpty && inner.allSatisfy { t[$0] == .fcc })
    }

    @Test("position noise of 0.1 Å leaves fcc sites fcc")
    func noisy() {
        var g = SeededGenerator(seed: 3)
        let p = fccBlock(pt.latticeConstant, cells: 5).map { $0 + Vector3(g.gaussian(), g.gaussian(), g.gaussian()) * 0.1 }
        let t = adaptiveCommonNeighborAnalysis(p, searchRadius: 1.5 * pt.bulkBondLength)
        let inner = interior(p, margin: 0.9 * pt.latticeConstant)
        let fcc = inner.filter { t[$0] == .fcc }.count
        #expect(Double(fcc) >= 0.97 * Double(inner.count), "\(fcc) of \(inner.count)")
    }
}

@Suite("The radial distribution function")
struct RadialDistributionTests {
    let pt = Element.named("Pt")!

    @Test("on an fcc block: first peak at a/√2, first minimum between the first two shells")
    func fccShells() {
        let a = pt.latticeConstant
        let rdf = RadialDistribution(fccBlock(a, cells: 5), maximumRadius: 2 * pt.bulkBondLength)
        #expect(abs(rdf.firstPeak! - a / 2.0.squareRoot()) <= RadialDistribution.binWidth)
        #expect(rdf.firstMinimum! > 1.02 * a / 2.0.squareRoot() && rdf.firstMinimum! < 0.98 * a)
        #expect(abs(rdf.firstShellBond! - a / 2.0.squareRoot()) < 1e-9)
        // 500 atoms: 12 bonds for interior atoms, fewer at the faces; every bond counted once.
        #expect(rdf.firstShellBonds == neighborLists(fccBlock(a, cells: 5), radius: 0.85 * a).map(\.count).reduce(0, +) / 2)
    }

    @Test("the first-shell bond is corrected for the lengthening by position noise")
    func noiseCorrection() {
        let a = pt.latticeConstant
        var g = SeededGenerator(seed: 11)
        let p = fccBlock(a, cells: 6).map { $0 + Vector3(g.gaussian(), g.gaussian(), g.gaussian()) * 0.2 }
        let rdf = RadialDistribution(p, maximumRadius: 2 * pt.bulkBondLength)
        let bond = a / 2.0.squareRoot()
        // Uncorrected, noise of 0.2 Å lengthens the mean bond by 2σ²/d ≈ 1 %.
        #expect(abs(rdf.firstShellBond! / bond - 1) < 0.003, "\(rdf.firstShellBond!)")
    }
}

@Suite("Grains and per-grain lattices")
struct ParticleStructureTests {
    let pt = Element.named("Pt")!

    @Test("one fcc crystal is one grain")
    func single() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 561
        let p = TestParticle.make(s).positions
        let st = ParticleStructure(p, bulkBond: pt.bulkBondLength)
        #expect(st.grainSizes.count == 1)
        #expect(st.isSingleCrystal)
        #expect(st.grainSizes[0] == st.count(.fcc))
    }
}

@Suite("Bond-orientational order")
struct BondOrderTests {
    @Test("q4 and q6 of ideal fcc, hcp and icosahedral sites (Steinhardt et al. 1983, Table I)")
    func idealValues() {
        let fcc = fccBlock(3.92, cells: 4)
        let nf = neighborLists(fcc, radius: 3.3)
        let of = BondOrder(fcc, neighbors: nf)
        let i = nf.indices.first { nf[$0].count == 12 }!
        #expect(abs(of.q4[i] - 0.19094) < 1e-4 && abs(of.q6[i] - 0.57452) < 1e-4)
        #expect(of.crystallineBonds[i] == 12)

        let hcp = hcpBlock(2.77, cells: 5)
        let nh = neighborLists(hcp, radius: 3.3)
        let oh = BondOrder(hcp, neighbors: nh)
        let j = nh.indices.first { nh[$0].count == 12 }!
        #expect(abs(oh.q4[j] - 0.09722) < 1e-4 && abs(oh.q6[j] - 0.48476) < 1e-4)

        let phi = (1 + 5.0.squareRoot()) / 2
        var ico = [Vector3.zero]
        for a in [-1.0, 1.0] { for b in [-phi, phi] { ico += [Vector3(0, a, b), Vector3(a, b, 0), Vector3(b, 0, a)] } }
        let oi = BondOrder(ico, neighbors: [Array(1...12)] + (1...12).map { _ in [0] })
        #expect(abs(oi.q4[0]) < 1e-9 && abs(oi.q6[0] - 0.66332) < 1e-4)
    }

    @Test("random positions have few crystalline bonds")
    func disordered() {
        let p = randomPacking(count: 400, side: 20, minimumDistance: 2.3, seed: 2)
        let o = BondOrder(p, neighbors: neighborLists(p, radius: 3.4))
        #expect(Double(o.solidLikeCount) < 0.05 * Double(p.count))
    }
}

@Suite("Surface sites")
struct SurfaceSiteTests {
    @Test("the 55-atom cuboctahedron by hand: 12 vertices, 24 edge atoms, 6 {100} centres, 13 core atoms")
    func cuboctahedron() {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 55; s.randomOrientation = false
        let p = TestParticle.make(s).positions
        #expect(p.count == 55)
        let sites = surfaceSites(p, neighbors: neighborLists(p, radius: 3.35))
        let count = { (k: SurfaceSite) in sites.filter { $0 == k }.count }
        #expect(count(.vertex) == 12 && count(.edge) == 24 && count(.face100) == 6 && count(.core) == 13)
        #expect(count(.face111) == 0 && count(.otherSurface) == 0)
    }

    @Test("a {111} terrace atom (six in the plane, three below) and a bulk atom missing one neighbour")
    func terraceAndVacancy() {
        let fcc = fccBlock(3.92, cells: 4)
        let nl = neighborLists(fcc, radius: 3.3)
        let i = nl.indices.first { nl[$0].count == 12 }!
        // Remove one neighbour: still core (the shell is balanced but for one bond).
        var one = nl
        one[i].removeLast()
        #expect(surfaceSites(fcc, neighbors: one)[i] == .core)
        // Keep the six in one {111} plane and the three below it.
        let n = Vector3(1, 1, 1) / 3.0.squareRoot()
        var terrace = nl
        terrace[i] = nl[i].filter { (fcc[$0] - fcc[i]).dot(n) < 0.1 }
        #expect(terrace[i].count == 9)
        #expect(surfaceSites(fcc, neighbors: terrace)[i] == .face111)
    }
}
