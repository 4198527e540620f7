import Foundation
import Testing
@testable import NanoAtomsEngine

/// The rotation by `angle` about the unit axis `n`, applied to `v` (Rodrigues).
private func rotate(_ v: Vector3, about n: Vector3, by angle: Double) -> Vector3 {
    let k = n / n.length
    let c = cos(angle), s = sin(angle)
    let kxv = Vector3(k.y * v.z - k.z * v.y, k.z * v.x - k.x * v.z, k.x * v.y - k.y * v.x)
    return v * c + kxv * s + k * (k.dot(v)) * (1 - c)
}

/// The quaternion (w, x, y, z) of a rotation by `angle` about `n`.
private func quaternion(about n: Vector3, by angle: Double) -> SIMD4<Double> {
    let k = n / n.length
    return SIMD4(cos(angle / 2), k.x * sin(angle / 2), k.y * sin(angle / 2), k.z * sin(angle / 2))
}

@Suite("Local structure by polyhedral template matching")
struct TemplateMatchingTests {
    let pt = Element.named("Pt")!

    /// The atoms of `p` with twelve neighbours within 1.1 bonds and eighteen within 1.1 √2 bonds.
    func interior(_ p: [Vector3], bond: Double) -> [Int] {
        let first = neighborLists(p, radius: 1.1 * bond), second = neighborLists(p, radius: 1.1 * bond * 2.0.squareRoot())
        return p.indices.filter { first[$0].count == 12 && second[$0].count == 18 }
    }

    @Test("ideal fcc, hcp and icosahedral sites match their templates with RMSD 0, in any orientation and at any scale")
    func idealSites() {
        let axis = Vector3(0.3, -0.5, 0.8)
        for (angle, scale) in [(0.0, 1.0), (0.7, 1.3), (2.9, 0.8)] {
            let fcc = fccBlock(pt.latticeConstant * scale, cells: 4).map { rotate($0, about: axis, by: angle) }
            let mf = polyhedralTemplateMatching(fcc, searchRadius: 1.5 * pt.bulkBondLength * scale)
            let inner = interior(fcc, bond: pt.bulkBondLength * scale)
            #expect(inner.count > 30)
            #expect(inner.allSatisfy { mf[$0].structure == .fcc && mf[$0].rmsd < 1e-7 })

            let hcp = hcpBlock(2.77 * scale, cells: 5).map { rotate($0, about: axis, by: angle) }
            let mh = polyhedralTemplateMatching(hcp, searchRadius: 4.2 * scale)
            let ih = interior(hcp, bond: 2.77 * scale)
            #expect(ih.count > 10)
            #expect(ih.allSatisfy { mh[$0].structure == .hcp && mh[$0].rmsd < 1e-7 })

            let phi = (1 + 5.0.squareRoot()) / 2
            var ico = [Vector3.zero]
            for a in [-1.0, 1.0] { for b in [-phi, phi] { ico += [Vector3(0, a, b), Vector3(a, b, 0), Vector3(b, 0, a)] } }
            ico = ico.map { rotate($0 * 1.5 * scale, about: axis, by: angle) }
            let mi = polyhedralTemplateMatching(ico, searchRadius: 4.0 * scale)
            #expect(mi[0].structure == .icosahedral && mi[0].rmsd < 1e-7)
            // A vertex of a lone icosahedron has five neighbours, not twelve: no structure.
            #expect(mi[1].structure == .other && mi[1].rmsd == .infinity)
        }
    }

    @Test("the RMSD of a distorted site equals the optimum over every rotation, found by brute force")
    func rmsdIsTheOptimum() {
        // One fcc site with its neighbours pushed by a known small distortion: the RMSD against
        // the fcc template under the true correspondence, after the best rotation and scale, is
        // computed here independently by an exhaustive search over rotations.
        var g = SeededGenerator(seed: 11)
        var shell = NeighborShell()
        var truth: [Vector3] = []
        var k = 0
        for a in [-1.0, 1.0] { for b in [-1.0, 1.0] {
            for v in [Vector3(a, b, 0), Vector3(a, 0, b), Vector3(0, a, b)] {
                let p = v * 1.96 + Vector3(g.gaussian(), g.gaussian(), g.gaussian()) * 0.08
                shell[k] = p; truth.append(v / 2.0.squareRoot()); k += 1
            }
        } }
        let m = matchShell(shell, rmsdCutoff: ptmRMSDCutoff)
        #expect(m.structure == .fcc)
        // Independent: centre the 13 points, scale, and minimise over a fine grid of rotations
        // near the identity (the distortion is small) with the optimal scale for each.
        var pts = [Vector3.zero] + (0..<12).map { shell[$0] }
        let c = pts.reduce(Vector3.zero, +) / 13
        pts = pts.map { $0 - c }
        let q = [Vector3.zero] + truth
        var best = Double.infinity
        let steps = 24, span = 0.06
        for i in 0...steps { for j in 0...steps { for l in 0...steps {
            let w = Vector3(Double(i), Double(j), Double(l)) / Double(steps) * 2 * span - Vector3(repeating: span)
            let angle = w.length
            let r = angle > 0 ? pts.map { rotate($0, about: w, by: angle) } : pts
            let pq = zip(r, q).reduce(0.0) { $0 + $1.0.dot($1.1) }, pp = r.reduce(0.0) { $0 + $1.lengthSquared }
            let s = pq / pp
            best = min(best, zip(r, q).reduce(0.0) { $0 + ($1.0 * s - $1.1).lengthSquared })
        } } }
        let brute = (best / 13).squareRoot()
        // The grid's step is 0.005 rad: the exhaustive value is an upper bound within 1e-4.
        #expect(m.rmsd <= brute + 1e-12)
        #expect(brute - m.rmsd < 1e-4, "PTM \(m.rmsd), brute force \(brute)")
    }

    @Test("misorientation: zero for the cube's symmetries, the angle itself for small turns, 60° for a Σ3 twin")
    func misorientation() {
        let q0 = SIMD4<Double>(1, 0, 0, 0)
        #expect(cubicMisorientation(q0, quaternion(about: Vector3(0, 0, 1), by: .pi / 2)) < 1e-6)
        #expect(cubicMisorientation(q0, quaternion(about: Vector3(1, 1, 1), by: 2 * .pi / 3)) < 1e-6)
        #expect(cubicMisorientation(q0, quaternion(about: Vector3(1, 1, 0), by: .pi)) < 1e-6)
        #expect(abs(cubicMisorientation(q0, quaternion(about: Vector3(0.2, 0.5, 0.8), by: 0.3)) - 0.3) < 1e-9)
        // A turn of 50° about z is 40° the other way after the cube's 90°.
        #expect(abs(cubicMisorientation(q0, quaternion(about: Vector3(0, 0, 1), by: 50 * .pi / 180)) - 40 * .pi / 180) < 1e-9)
        // The Σ3 twin: 60° about ⟨111⟩ is the largest reduced angle about that axis.
        #expect(abs(cubicMisorientation(q0, quaternion(about: Vector3(1, 1, 1), by: .pi / 3)) - .pi / 3) < 1e-9)
    }

    @Test("each atom's orientation is its lattice's: a crystal turned by 20° reads 20° from the unturned one")
    func orientations() {
        let block = fccBlock(pt.latticeConstant, cells: 4)
        let axis = Vector3(1, 2, 3)
        let turned = block.map { rotate($0, about: axis, by: 20 * .pi / 180) }
        let a = polyhedralTemplateMatching(block, searchRadius: 4.2), b = polyhedralTemplateMatching(turned, searchRadius: 4.2)
        let inner = interior(block, bond: pt.bulkBondLength)
        for i in inner {
            #expect(cubicMisorientation(a[i].orientation, a[inner[0]].orientation) < 1e-6)
            #expect(abs(cubicMisorientation(a[i].orientation, b[i].orientation) - 20 * .pi / 180) < 1e-6)
        }
    }

    @Test("under position noise PTM still names the fcc atoms that a-CNA loses")
    func noise() {
        var g = SeededGenerator(seed: 4)
        let p = fccBlock(pt.latticeConstant, cells: 6)
        let inner = interior(p, bond: pt.bulkBondLength)
        let noisy = p.map { $0 + Vector3(g.gaussian(), g.gaussian(), g.gaussian()) * 0.15 }
        let ptm = polyhedralTemplateMatching(noisy, searchRadius: 1.5 * pt.bulkBondLength)
        let cna = adaptiveCommonNeighborAnalysis(noisy, searchRadius: 1.5 * pt.bulkBondLength)
        let fPTM = Double(inner.filter { ptm[$0].structure == .fcc }.count) / Double(inner.count)
        let fCNA = Double(inner.filter { cna[$0] == .fcc }.count) / Double(inner.count)
        #expect(fPTM > 0.97, "PTM names \(fPTM) of the fcc atoms")
        #expect(fCNA < 0.9, "a-CNA names \(fCNA)")
        #expect(inner.allSatisfy { ptm[$0].structure != .hcp && ptm[$0].structure != .icosahedral })
    }

    @Test("a random packing is not called crystalline")
    func disordered() {
        let p = randomPacking(count: 600, side: 22, minimumDistance: 2.4, seed: 2)
        let m = polyhedralTemplateMatching(p, searchRadius: 4.2)
        #expect(Double(m.filter { $0.structure != .other }.count) < 0.02 * Double(p.count))
    }
}

@Suite("Grains by orientation")
struct GrainOrientationTests {
    let pt = Element.named("Pt")!

    @Test("two fcc crystals 14° apart, bonded fcc atom to fcc atom across their boundary, are two grains")
    func twoCrystals() {
        // The second block is turned by 14° about x and pressed against the first; of atoms
        // closer than 2.3 Å across, the second's is dropped. Without the orientation test the
        // fcc atoms bonded across (counted below) would join the two into one grain.
        let a = pt.latticeConstant
        let left = fccBlock(a, cells: 6)
        let turn = 14 * Double.pi / 180
        let right = fccBlock(a, cells: 6).map { rotate($0 - Vector3(0, 3 * a, 3 * a), about: Vector3(1, 0, 0), by: turn) + Vector3(6 * a - 0.4 * a, 3 * a, 3 * a) }
        var p = left
        for q in right where p.allSatisfy({ ($0 - q).length > 2.3 }) { p.append(q) }
        let st = ParticleStructure(p, bulkBond: pt.bulkBondLength, method: .ptm)
        let link = cnaCutoffFactor * (st.radialDistribution.firstShellBond ?? pt.bulkBondLength)
        var bridges = 0
        for i in 0..<left.count where st.types[i] == .fcc {
            for j in left.count..<p.count where st.types[j] == .fcc && (p[i] - p[j]).length < link { bridges += 1 }
        }
        #expect(bridges > 0, "no fcc bond across the boundary: the test proves nothing")
        let leftGrains = Set((0..<left.count).map { st.grain[$0] }.filter { $0 >= 0 })
        let rightGrains = Set((left.count..<p.count).map { st.grain[$0] }.filter { $0 >= 0 })
        #expect(leftGrains.count == 1 && rightGrains.count == 1 && leftGrains.isDisjoint(with: rightGrains), "\(leftGrains) \(rightGrains), \(bridges) bridges")
        #expect(st.grainSizes.count == 2)
    }
}
