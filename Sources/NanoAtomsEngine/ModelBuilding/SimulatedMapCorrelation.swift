import Foundation

/// The Pearson correlation, over the whole box, between a map C and the map S simulated
/// from atoms at given positions: the score of each trial of the threshold search.
///
/// S is never rendered. With t the simulated atom, S(v) = Σₐ t(xᵥ − pₐ), and
/// - Σᵥ C·S = Σₐ D(pₐ), where D = C ⋆ t is computed once and interpolated (Catmull–Rom);
/// - Σᵥ S = N ∫t / h³, and Σᵥ S² = Σₐ Σ_b (t ⋆ t)(pₐ − p_b) / h³, from the analytic
///   overlap of two atoms (exact for a band-limited atom up to terms of order e⁻⁸).
/// So a trial costs O(atoms × neighbours) instead of a render and a pass over the box.
package struct SimulatedMapCorrelation: Sendable {
    private let map: Volume
    private let region: MapRegion
    private let validLo: SIMD3<Int>, validHi: SIMD3<Int>
    private let profile: AtomProfile
    private let sumC: Double, sumC2: Double
    private let overlapTable: [Double]
    private let overlapRange2: Double

    /// Prepares to score atoms whose centres lie in the voxel box [lo, hi] of `map`.
    package init(map: Volume, profile: AtomProfile, lo: SIMD3<Int>, hi: SIMD3<Int>, threads: Int = Parallel.availableCores) {
        self.map = map
        self.profile = profile
        let reach = Int((profile.cutoff / map.voxelSize).rounded(.up))
        validLo = pointwiseMax(lo &- 2, .zero)
        validHi = pointwiseMin(hi &+ 2, map.dimensions &- 1)
        // D is needed only where atoms can be (the valid box); C is read from the box's reach.
        region = correlateWithAtom(map, profile: profile, lo: validLo, hi: validHi,
                                   inputBox: VoxelBox(lo: validLo &- reach, hi: validHi &+ reach), threads: threads)
        let st = VolumeStatistics(map)
        sumC = st.sum; sumC2 = st.sumOfSquares
        // Beyond this distance the overlap of two atoms is below 1e-7 of its peak.
        overlapRange2 = 4 * profile.widestVariance * log(1e7)
        overlapTable = profile.overlaps(distancesSquared: (0..<4097).map { Double($0) / 4096 * 4 * profile.widestVariance * log(1e7) })
    }

    /// Prepares to score atoms anywhere above `threshold` in `map`: the box is the bounding
    /// box of the voxels above it.
    package init(map: Volume, profile: AtomProfile, above threshold: Float, threads: Int = Parallel.availableCores) {
        let (lo, hi) = boundsAbove(map, threshold) ?? (.zero, .zero)
        self.init(map: map, profile: profile, lo: lo, hi: hi, threads: threads)
    }

    /// Prepares to score atoms whose centres lie in `box` (e.g. the bounding box of the
    /// voxels above a threshold, as a ``ComponentSweep`` found it); nil for none.
    package init(map: Volume, profile: AtomProfile, voxelsIn box: VoxelBox?, threads: Int = Parallel.availableCores) {
        self.init(map: map, profile: profile, lo: box?.lo ?? .zero, hi: box?.hi ?? .zero, threads: threads)
    }

    private func overlap(_ d2: Double) -> Double {
        if d2 >= overlapRange2 { return 0 }
        let x = d2 / overlapRange2 * 4096
        let i = Int(x), f = x - Double(i)
        return overlapTable[i] * (1 - f) + overlapTable[min(i + 1, 4096)] * f
    }

    /// D(p) = Σᵥ C(v) t(xᵥ − p) at a position p (Å).
    package func matchedValue(at p: Vector3) -> Double {
        let c = map.voxelCoordinate(of: p)
        let b = SIMD3<Int>(Int(c.x.rounded(.down)), Int(c.y.rounded(.down)), Int(c.z.rounded(.down)))
        guard b.x - 1 >= validLo.x, b.y - 1 >= validLo.y, b.z - 1 >= validLo.z,
              b.x + 2 <= validHi.x, b.y + 2 <= validHi.y, b.z + 2 <= validHi.z else {
            return directMatchedValue(at: p)
        }
        // Catmull–Rom weights of the four samples around t ∈ [0, 1).
        func weights(_ t: Double) -> SIMD4<Double> {
            let t2 = t * t, t3 = t2 * t
            return SIMD4((-t3 + 2 * t2 - t) / 2, (3 * t3 - 5 * t2 + 2) / 2, (-3 * t3 + 4 * t2 + t) / 2, (t3 - t2) / 2)
        }
        let ax = weights(c.x - Double(b.x)), ay = weights(c.y - Double(b.y)), az = weights(c.z - Double(b.z))
        let d = region.dims
        return region.values.withUnsafeBufferPointer { v in
            var s = 0.0
            for kk in 0..<4 {
                let k = b.z - 1 + kk - region.lo.z
                var plane = SIMD4<Double>()
                for jj in 0..<4 {
                    let base = d.x * (b.y - 1 + jj - region.lo.y + d.y * k) + (b.x - 1 - region.lo.x)
                    let row = SIMD4<Double>(Double(v[base]), Double(v[base + 1]), Double(v[base + 2]), Double(v[base + 3]))
                    plane += ay[jj] * row
                }
                s += az[kk] * (ax * plane).sum()
            }
            return s
        }
    }

    /// D(p) by direct summation over the atom's window (used outside the prepared box).
    package func directMatchedValue(at p: Vector3) -> Double {
        let c = map.voxelCoordinate(of: p), h = map.voxelSize
        let r = profile.cutoff / h
        var s = 0.0
        for k in Volume.window(around: c.z, radius: r, count: map.nz) {
            for j in Volume.window(around: c.y, radius: r, count: map.ny) {
                for i in Volume.window(around: c.x, radius: r, count: map.nx) {
                    let d2 = (Vector3(Double(i), Double(j), Double(k)) - c).lengthSquared * h * h
                    s += Double(map[i, j, k]) * profile.density(distanceSquared: d2)
                }
            }
        }
        return s
    }

    /// The correlation between the map and the atoms at `positions` (Å); −1 for no atoms.
    package func correlation(positions: [Vector3]) -> Double {
        guard !positions.isEmpty else { return -1 }
        let h3 = pow(map.voxelSize, 3)
        let n = Double(map.count)
        var sumCS = 0.0
        for p in positions { sumCS += matchedValue(at: p) }
        let sumS = Double(positions.count) * profile.integral / h3
        // Σ over ordered pairs (a, b), a = b included: each atom with itself, and twice each
        // unordered pair.
        let grid = NeighborGrid(points: positions, maximumRadius: overlapRange2.squareRoot())
        let sumSS = (Double(positions.count) * overlap(0) + 2 * grid.pairSum(within: overlapRange2.squareRoot()) { overlap($0) }) / h3
        let cov = sumCS - sumC * sumS / n
        let varC = sumC2 - sumC * sumC / n, varS = sumSS - sumS * sumS / n
        guard varC > 0, varS > 0 else { return -1 }
        return cov / (varC * varS).squareRoot()
    }

    /// Adds candidates to `existing`, one at a time in the order given, keeping each only if
    /// it raises the correlation: the threshold search's own criterion, applied atom by atom.
    /// Returns the indices of the candidates kept. Each trial costs O(neighbours).
    package func acceptedAdditions(to existing: [Vector3], candidates: [Vector3]) -> [Int] {
        let all = existing + candidates
        let reach = overlapRange2.squareRoot()
        let grid = NeighborGrid(points: all, maximumRadius: reach)
        var active = [Bool](repeating: true, count: existing.count) + [Bool](repeating: false, count: candidates.count)
        let h3 = pow(map.voxelSize, 3), n = Double(map.count)
        let perAtom = profile.integral / h3, selfOverlap = overlap(0) / h3
        var sumCS = existing.reduce(0) { $0 + matchedValue(at: $1) }
        var sumS = Double(existing.count) * perAtom
        var sumSS = 0.0
        for p in existing { grid.forEachNeighbor(of: p, within: reach) { j, d2 in if active[j] { sumSS += overlap(d2) } } }
        sumSS /= h3
        let varC = sumC2 - sumC * sumC / n
        func corr(_ cs: Double, _ s: Double, _ ss: Double) -> Double {
            let v = ss - s * s / n
            return v > 0 && varC > 0 ? (cs - sumC * s / n) / (varC * v).squareRoot() : -1
        }
        var current = corr(sumCS, sumS, sumSS)
        var kept: [Int] = []
        for (c, p) in candidates.enumerated() {
            var cross = 0.0
            grid.forEachNeighbor(of: p, within: reach) { j, d2 in if active[j] { cross += overlap(d2) } }
            let cs = sumCS + matchedValue(at: p), s = sumS + perAtom, ss = sumSS + 2 * cross / h3 + selfOverlap
            let trial = corr(cs, s, ss)
            if trial > current {
                current = trial; sumCS = cs; sumS = s; sumSS = ss
                active[existing.count + c] = true
                kept.append(c)
            }
        }
        return kept
    }

    /// The same correlation computed the slow, obvious way: render S on the grid, then
    /// Pearson over every voxel. The reference the fast path is tested against.
    package static func rendered(map: Volume, positions: [Vector3], profile: AtomProfile) -> Double {
        let s = MapSimulation.render(positions: positions, profile: profile, grid: map)
        return pearson(map.values, s.values)
    }
}

/// The bounding box (inclusive) of the voxels of `volume` above `threshold`, or nil.
package func boundsAbove(_ volume: Volume, _ threshold: Float) -> (lo: SIMD3<Int>, hi: SIMD3<Int>)? {
    let threshold8 = SIMD8<Float>(repeating: threshold)
    return bounds(of: volume) { span(of: $0, count: volume.nx, { $0 .> threshold8 }, { $0 > threshold }) }
}

/// Pearson's correlation coefficient of two equally long sequences (NaN when either is constant).
package func pearson(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count)
    var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
    for i in a.indices {
        let x = Double(a[i]), y = Double(b[i])
        sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y
    }
    let n = Double(a.count)
    let cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n
    return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : .nan
}
