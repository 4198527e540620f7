import Foundation
import Testing
@testable import NanoAtomsEngine

@Suite("Atoms paired by optimal assignment and followed through a series")
struct SeriesTrackingTests {
    let pt = TestSupport.platinum

    /// A rotation by `degrees` about `axis`.
    func rotation(_ degrees: Double, about axis: Vector3) -> Matrix3 {
        let a = degrees * .pi / 180, u = axis / axis.length, c = cos(a), s = sin(a), t = 1 - c
        return Matrix3([t * u.x * u.x + c, t * u.x * u.y - s * u.z, t * u.x * u.z + s * u.y,
                        t * u.x * u.y + s * u.z, t * u.y * u.y + c, t * u.y * u.z - s * u.x,
                        t * u.x * u.z - s * u.y, t * u.y * u.z + s * u.x, t * u.z * u.z + c])
    }

    @Test("a chain where the closest pair first loses a pair: assignment keeps both")
    func chain() {
        // A–C 1.2 Å, B–C 0.8 Å, B–D 1.4 Å: closest first takes B–C and leaves A and D alone.
        let first = [Vector3(0, 0, 0), Vector3(2.0, 0, 0)], second = [Vector3(1.2, 0, 0), Vector3(3.4, 0, 0)]
        #expect(matchAtoms(first, second, tolerance: 1.5).pairs.count == 1)
        let (m, greedy) = assignAtoms(first, second, tolerance: 1.5)
        #expect(greedy == 0)
        #expect(m.pairs.map { [$0.first, $0.second] } == [[0, 0], [1, 1]])
        #expect(m.unmatchedFirst.isEmpty && m.unmatchedSecond.isEmpty)
    }

    @Test("the Hungarian method finds the least total cost that trying every assignment finds")
    func hungarianAgainstBruteForce() {
        var rng = SeededGenerator(seed: 7)
        func permutations(_ n: Int) -> [[Int]] {
            if n == 1 { return [[0]] }
            return permutations(n - 1).flatMap { p in (0...p.count).map { k in var q = p; q.insert(n - 1, at: k); return q } }
        }
        for n in 1...6 {
            for _ in 0..<20 {
                let cost = (0..<(n * n)).map { _ in Double.random(in: -5...5, using: &rng) }
                let best = permutations(n).map { p in p.enumerated().map { cost[$0.offset * n + $0.element] }.reduce(0, +) }.min()!
                let a = hungarianAssignment(cost: cost, n: n)
                #expect(Set(a).count == n)
                #expect(abs(a.enumerated().map { cost[$0.offset * n + $0.element] }.reduce(0, +) - best) < 1e-9)
            }
        }
    }

    @Test("the best rigid fit recovers a known rotation and shift")
    func bestFit() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 55
        let p = TestParticle.make(s).positions
        let r = rotation(25, about: Vector3(1, 2, 3)), shift = Vector3(3, -1, 7)
        let t = RigidTransform.bestFit(p, onto: p.map { r * $0 + shift })
        #expect((0..<9).allSatisfy { abs(t.rotation.m[$0] - r.m[$0]) < 1e-9 })
        #expect((t.translation - shift).length < 1e-8)
        #expect(abs(t.angleDegrees - 25) < 1e-6)
        #expect(abs(t.rotation.determinant - 1) < 1e-9)
    }

    /// A particle, and the same particle with `lost` surface atoms taken away, `moved` others
    /// pushed 2.2 Å outward, `gained` adatoms added 4 Å beyond the surface, then turned by
    /// `degrees` and shifted.
    func nextStage(_ p: [Vector3], lost: Range<Int>, moved: Range<Int>, gained: Int, degrees: Double, shift: Vector3) -> [Vector3] {
        let centre = p.reduce(.zero, +) / Double(p.count)
        let surface = p.indices.sorted { (p[$0] - centre).length > (p[$1] - centre).length }
        var next: [Vector3] = []
        let lostSet = Set(lost.map { surface[$0] }), movedSet = Set(moved.map { surface[$0] })
        for (i, x) in p.enumerated() where !lostSet.contains(i) {
            let out = (x - centre) / (x - centre).length
            next.append(movedSet.contains(i) ? x + 2.2 * out : x)
        }
        let radius = (p[surface[0]] - centre).length + 4
        for k in 0..<gained {
            let z = -1 + 2 * (Double(k) + 0.5) / Double(gained), phi = Double(k) * 2.399963
            next.append(centre + radius * Vector3((1 - z * z).squareRoot() * cos(phi), (1 - z * z).squareRoot() * sin(phi), z))
        }
        let r = rotation(degrees, about: Vector3(0.3, -1, 0.5))
        return next.map { r * ($0 - centre) + centre + shift }
    }

    @Test("a series with known lost, displaced and gained atoms, turned and shifted: every count and track as made")
    func knownSeries() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309
        let stage1 = TestParticle.make(s).positions
        // Lost and moved atoms far apart on the surface (every third of the outermost).
        let stage2 = nextStage(stage1, lost: 0..<10, moved: 30..<36, gained: 0, degrees: 3, shift: Vector3(4, -2, 1))
        let stage3 = nextStage(stage2, lost: 0..<0, moved: 0..<0, gained: 8, degrees: -2, shift: Vector3(-1, 0, 2))
        let t = trackSeries([stage1, stage2, stage3], element: pt)
        #expect(t.steps.count == 2 && t.greedyGroups == 0)
        let c2 = t.steps[0].comparison, c3 = t.steps[1].comparison
        #expect(c2.common.count == 309 - 10 - 6 && c2.displaced.count == 6 && c2.lost.count == 10 && c2.gained.isEmpty)
        #expect(c3.common.count == stage2.count && c3.displaced.isEmpty && c3.lost.isEmpty && c3.gained.count == 8)
        // Registration undoes the turn: the kept atoms land on their places.
        #expect(abs(t.steps[0].transform.angleDegrees - 3) < 0.2)
        #expect(t.steps[0].registrationRMSD < 0.05)
        #expect(t.steps[1].registrationRMSD < 0.05)
        // Tracks: every first-stage atom, and one per gained atom.
        #expect(t.tracks.count == 309 + 8)
        #expect(t.tracks.filter { $0.status[1] == .lost }.count == 10)
        #expect(t.tracks.filter { $0.status[1] == .displaced }.count == 6)
        #expect(t.tracks.filter { $0.status[2] == .gained }.count == 8)
        // A displaced atom keeps its track into the next stage.
        #expect(t.tracks.filter { $0.status[1] == .displaced && $0.status[2] == .kept }.count == 6)
        #expect(t.tracks.filter { $0.status[1] == .lost }.allSatisfy { $0.atoms[2] == nil && $0.status[2] == nil })
        #expect(t.steps.allSatisfy { $0.doubt == nil })
    }

    @Test("a particle turned by any angle between stages is registered by the search over rotations", arguments: [40.0, 120.0, 175.0])
    func largeTurn(degrees: Double) {
        var s = ParticleSpec(element: pt)
        s.atomCount = 561
        // Without some surface atoms the particle has no symmetry, so one turn alone fits it.
        var rng = SeededGenerator(seed: 3)
        let full = TestParticle.make(s).positions
        let centre = full.reduce(.zero, +) / Double(full.count)
        let stage1 = full.filter { ($0 - centre).length < 10 || Double.random(in: 0..<1, using: &rng) > 0.15 }
        // Each atom found again 0.15 Å (RMS) from where it was, as in a model built from a map.
        let stage2 = nextStage(stage1, lost: 0..<12, moved: 0..<0, gained: 3, degrees: degrees, shift: Vector3(6, 3, -5)).map {
            $0 + Vector3(Double.random(in: -0.26...0.26, using: &rng), Double.random(in: -0.26...0.26, using: &rng), Double.random(in: -0.26...0.26, using: &rng))
        }
        let t = trackSeries([stage1, stage2], element: pt)
        let c = t.steps[0].comparison
        #expect(c.lost.count == 12 && c.gained.count == 3 && c.common.count == stage1.count - 12)
        #expect(t.steps[0].registrationRMSD < 0.3)
        #expect(abs(t.steps[0].transform.angleDegrees - degrees) < 0.5)
    }

    @Test("two stages that are not one particle are flagged, not counted as if they were")
    func unrelatedStages() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 309
        let lattice = TestParticle.make(s).positions
        // A gas of atoms at random places in the same sphere, no two closer than 2.4 Å.
        var rng = SeededGenerator(seed: 5)
        var gas: [Vector3] = []
        while gas.count < 250 {
            let p = Vector3(Double.random(in: -12...12, using: &rng), Double.random(in: -12...12, using: &rng), Double.random(in: -12...12, using: &rng))
            if p.length < 12 && gas.allSatisfy({ ($0 - p).length > 2.4 }) { gas.append(p) }
        }
        let t = trackSeries([lattice, gas], element: pt)
        #expect(t.steps[0].doubt?.hasPrefix("registration brought") == true, "\(String(describing: t.steps[0].doubt))")
    }
}
