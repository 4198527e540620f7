import Foundation
import Testing
import NanoAtomsEngine

@Suite("Otsu's threshold and connected components")
struct ThresholdingTests {
    @Test("Otsu's threshold separates two clusters of values")
    func otsu() {
        let values = [Float](repeating: 1, count: 300) + [Float](repeating: 9, count: 100) + [2, 8]
        let t = otsuThreshold(values)
        #expect(t > 2 && t < 8)
    }

    @Test("components are 26-connected: voxels touching at a corner join")
    func connectivity() {
        var v = Volume(nx: 8, ny: 8, nz: 8, voxelSize: 1)
        v[1, 1, 1] = 5; v[2, 2, 2] = 5                      // corner contact: one component
        v[5, 5, 5] = 5; v[5, 5, 6] = 5; v[6, 5, 6] = 5      // face contacts: one component
        v[1, 6, 1] = 5                                      // alone
        v[3, 6, 1] = 5                                      // two voxels away: separate
        let c = connectedComponents(of: v, above: 1)
        #expect(c.count == 4)
        #expect((0..<c.count).map { c.size(of: $0) }.sorted() == [1, 1, 2, 3])
        #expect(connectedComponents(of: v, above: 5).count == 0)
    }

    @Test("the one-pass sweep finds the same components and centres as labelling each threshold")
    func sweepMatchesLabelling() {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 55; s.snr = 3; s.seed = 4
        let map = TestParticle.make(s).map
        let thresholds: [Float] = [0.5, 0.1, 2, 1].map { Float($0) * VolumeStatistics(map).maximum / 3 }
        let swept = ComponentSweep.centres(denoised: map, weights: map, thresholds: thresholds)
        for (t, centres) in zip(thresholds, swept) {
            let labelled = detectAtoms(denoised: map, raw: map, threshold: t).positions
            #expect(centres.count == labelled.count)
            let m = matchAtoms(centres, labelled, tolerance: 1e-6)
            #expect(m.pairs.count == labelled.count)
        }
    }
}

@Suite("Denoising and the simulated-map correlation")
struct DenoiseTests {
    let pt = TestSupport.platinum

    @Test("the box of non-zero voxels is found in any row position, with NaN counted and −0 not")
    func nonzeroBox() {
        var g = SeededGenerator(seed: 8)
        for trial in 0..<40 {
            // Rows of 1 to 37 values (shorter and longer than the eight-value blocks), a few
            // non-zero voxels anywhere, sometimes none.
            let nx = 1 + trial % 37
            var v = Volume(nx: nx, ny: 5, nz: 4, voxelSize: 1, fill: 0)
            v.values[Int(g.next() % UInt64(v.count))] = -0.0
            for _ in 0..<(trial % 4) { v.values[Int(g.next() % UInt64(v.count))] = trial % 7 == 0 ? .nan : Float(g.gaussian()) + 3 }
            var lo = SIMD3(Int.max, Int.max, Int.max), hi = SIMD3(-1, -1, -1)
            for k in 0..<v.nz { for j in 0..<v.ny { for i in 0..<v.nx where v[i, j, k] != 0 {
                lo = pointwiseMin(lo, SIMD3(i, j, k)); hi = pointwiseMax(hi, SIMD3(i, j, k))
            } } }
            let found = nonzeroBounds(of: v)
            if hi.x < 0 { #expect(found == nil) } else { #expect(found?.lo == lo && found?.hi == hi, "trial \(trial)") }
        }
    }

    @Test("the denoised map has zero mean, unit SD, and its peaks on the atoms")
    func denoisedMap() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 13; s.snr = 5; s.seed = 3
        let p = TestParticle.make(s)
        let c = denoise(p.map, profile: .peng(pt, voxelSize: p.map.voxelSize))
        let st = VolumeStatistics(c)
        #expect(abs(st.mean) < 1e-4)
        #expect(abs(st.standardDeviation - 1) < 1e-4)
        // The maximum of C lies within a voxel of a true atom.
        var best = 0
        for n in c.values.indices where c.values[n] > c.values[best] { best = n }
        let q = c.position(best % c.nx, (best / c.nx) % c.ny, best / (c.nx * c.ny))
        #expect(p.positions.map { ($0 - q).length }.min()! < c.voxelSize * 1.5)
    }

    @Test("denoising equals a direct correlation with the atom, computed by hand at a voxel")
    func directCorrelation() {
        var m = Volume(nx: 24, ny: 24, nz: 24, voxelSize: 0.4)
        var g = SeededGenerator(seed: 9)
        for n in m.values.indices { m.values[n] = Float(g.gaussian()) }
        let profile = AtomProfile.peng(pt, voxelSize: 0.4)
        let c = denoise(m, profile: profile)
        // Unnormalised correlation at every voxel, then the same normalisation.
        var raw = [Double](repeating: 0, count: m.count)
        let r = Int((profile.cutoff / 0.4).rounded(.up))
        for k in 0..<24 { for j in 0..<24 { for i in 0..<24 {
            var s = 0.0
            for dk in -r...r { for dj in -r...r { for di in -r...r where m.contains(i + di, j + dj, k + dk) {
                let d2 = Double(di * di + dj * dj + dk * dk) * 0.16
                if d2 > profile.cutoff * profile.cutoff * 1.0001 && (abs(di) > r || abs(dj) > r || abs(dk) > r) { continue }
                s += Double(m[i + di, j + dj, k + dk]) * profile.density(distanceSquared: d2)
            } } }
            raw[m.index(i, j, k)] = s
        } } }
        let mean = raw.reduce(0, +) / Double(raw.count)
        let sd = (raw.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(raw.count)).squareRoot()
        for n in stride(from: 0, to: m.count, by: 97) {
            #expect(abs(Double(c.values[n]) - (raw[n] - mean) / sd) < 2e-3)
        }
    }

    @Test("the fast whole-box correlation equals rendering the atoms and correlating")
    func fastCorrelation() {
        var s = ParticleSpec(element: pt)
        s.atomCount = 55; s.snr = 4; s.seed = 5
        let p = TestParticle.make(s)
        let profile = AtomProfile.peng(pt, voxelSize: p.map.voxelSize)
        let c = denoise(p.map, profile: profile)
        let scorer = SimulatedMapCorrelation(map: c, profile: profile, above: 0)
        var g = SeededGenerator(seed: 1)
        let jittered = p.positions.map { $0 + Vector3(g.gaussian(), g.gaussian(), g.gaussian()) * 0.2 }
        for atoms in [p.positions, jittered, Array(p.positions.prefix(20))] {
            let fast = scorer.correlation(positions: atoms)
            let slow = SimulatedMapCorrelation.rendered(map: c, positions: atoms, profile: profile)
            #expect(abs(fast - slow) < 2e-3, "fast \(fast) vs rendered \(slow)")
        }
        // Atoms at the right places correlate better than displaced ones.
        #expect(scorer.correlation(positions: p.positions) > scorer.correlation(positions: jittered))
    }
}

@Suite("One sweep for many threshold sets")
struct ComponentSweepTests {
    @Test("a sweep made once above a floor answers later threshold sets as fresh sweeps do, and knows its bounds")
    func reusedSweep() {
        var s = ParticleSpec(element: TestSupport.platinum)
        s.atomCount = 79; s.snr = 4; s.seed = 8
        let map = TestParticle.make(s).map
        let top = VolumeStatistics(map).maximum
        let floor = 0.2 * top
        let sweep = ComponentSweep(denoised: map, weights: map, above: floor)
        let bounds = boundsAbove(map, floor)
        #expect(sweep.bounds?.lo == bounds?.lo && sweep.bounds?.hi == bounds?.hi)
        for set in [[0.2, 0.5, 0.35], [0.45, 0.4, 0.42, 0.41], [0.9]].map({ $0.map { Float($0) * top } }) {
            let reused = sweep.centres(thresholds: set), fresh = ComponentSweep.centres(denoised: map, weights: map, thresholds: set)
            for (a, b) in zip(reused, fresh) {
                #expect(a.count == b.count)
                #expect(matchAtoms(a, b, tolerance: 1e-9).pairs.count == b.count)
            }
        }
        // Nothing lies above the maximum: no components, and an empty sweep has no bounds.
        #expect(sweep.centres(thresholds: [top]) == [[]])
        #expect(ComponentSweep(denoised: map, weights: map, above: top).bounds == nil)
    }
}
