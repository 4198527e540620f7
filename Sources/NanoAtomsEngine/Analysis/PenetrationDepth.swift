import Foundation

/// A fit of the paper's Eq. 1 to a statistic against radial depth:
/// y = m (x − δ) + c for x ≤ δ, and y = c beyond; δ is the penetration depth.
public struct DepthFit: Sendable {
    /// Slope of the surface part.
    public let slope: Double
    /// The core plateau c.
    public let plateau: Double
    /// The penetration depth δ, Å.
    public let delta: Double
    /// RMS residual of the averaged points about the fit.
    public let rmsResidual: Double
    /// The averaged points: mean depth (Å) and mean statistic of every run of consecutive atoms.
    public let depths: [Double]
    /// See `depths`.
    public let values: [Double]
    /// The bounds c was held to, if any.
    public let plateauBounds: ClosedRange<Double>?
    /// The name of the statistic fitted.
    public let statistic: String
    /// The fraction of the averaged points' variance that the fit explains (R²).
    public var rSquared: Double = .nan
    /// The bootstrap 95 % interval of δ, Å (nil until ``withBootstrapInterval(depths:values:replicates:seed:threads:)``).
    public var interval: ClosedRange<Double>? = nil
    /// Atoms deeper than δ: the core plateau rests on them.
    public var atomsBeyondDelta = 0
    /// Atoms fitted.
    public var atomCount = 0

    /// The fitted curve at depth x.
    public func value(at x: Double) -> Double { x <= delta ? slope * (x - delta) + plateau : plateau }
}

/// Atoms averaged per point of the depth curve: "We averaged the CN of every five
/// consecutive atoms after ordering them according to radial depth" (paper).
public let depthAveragingWindow = 5
/// Bounds on the plateau for CN: "c was restricted to the interval [10, 12]" (paper).
package let coordinationPlateauBounds = 10.0...12.0

/// Fits Eq. 1 to `values` against `depths`.
///
/// Atoms are ordered by depth and averaged over a sliding window of `window` consecutive
/// atoms. For a fixed δ the model is linear in m and c, so the best (m, c) is a small
/// least-squares problem (c clamped to `plateauBounds` when given, m then refitted); δ is
/// found by scanning 400 values from the shallowest to the deepest point and refining by
/// golden-section search around the best, which cannot be trapped by a local minimum of
/// the scan's resolution. Returns nil with fewer than `window` + 3 finite values.
public func fitPenetrationDepth(depths: [Double], values: [Double], statistic: String,
                                window: Int = depthAveragingWindow,
                                plateauBounds: ClosedRange<Double>? = nil) -> DepthFit? {
    let pairs = zip(depths, values).filter { $0.0.isFinite && $0.1.isFinite }.sorted { $0.0 < $1.0 }
    return fitPenetrationDepth(sorted: pairs, statistic: statistic, window: window, plateauBounds: plateauBounds)
}

/// ``fitPenetrationDepth(depths:values:statistic:window:plateauBounds:)`` on finite (depth,
/// value) pairs already in order of depth.
func fitPenetrationDepth(sorted pairs: [(Double, Double)], statistic: String, window: Int = depthAveragingWindow,
                         plateauBounds: ClosedRange<Double>? = nil, scanSteps steps: Int = depthScanSteps) -> DepthFit? {
    guard pairs.count >= window + 3 else { return nil }
    var xs: [Double] = [], ys: [Double] = []
    xs.reserveCapacity(pairs.count - window + 1); ys.reserveCapacity(pairs.count - window + 1)
    for s in 0...(pairs.count - window) {
        // Summed in order from zero, as a reduce would: the same bits, without an array per window.
        var sx = 0.0, sy = 0.0
        for q in s..<(s + window) { sx += pairs[q].0; sy += pairs[q].1 }
        xs.append(sx / Double(window))
        ys.append(sy / Double(window))
    }
    // The points are in order of depth, so for a given δ the points with t = min(x − δ, 0) ≠ 0
    // are a prefix: prefix sums make each trial δ cost a binary search, not a pass.
    let n = xs.count
    var p1 = [0.0], p2 = [0.0], py = [0.0], pxy = [0.0]
    p1.reserveCapacity(n + 1); p2.reserveCapacity(n + 1); py.reserveCapacity(n + 1); pxy.reserveCapacity(n + 1)
    var syy = 0.0
    for q in 0..<n {
        p1.append(p1[q] + xs[q]); p2.append(p2[q] + xs[q] * xs[q]); py.append(py[q] + ys[q]); pxy.append(pxy[q] + xs[q] * ys[q])
        syy += ys[q] * ys[q]
    }
    let sy = py[n], count = Double(n)
    func solve(_ delta: Double) -> (m: Double, c: Double, cost: Double) {
        // y ≈ m·t + c with t = min(x − δ, 0): k points lie shallower than δ.
        var lo = 0, hi = n
        while lo < hi { let mid = (lo + hi) / 2; if xs[mid] < delta { lo = mid + 1 } else { hi = mid } }
        let k = Double(lo)
        let st = p1[lo] - k * delta
        let stt = max(0, p2[lo] - 2 * delta * p1[lo] + k * delta * delta)
        let sty = pxy[lo] - delta * py[lo]
        let det = count * stt - st * st
        var m = 0.0, c = sy / count
        if det > 1e-12 { m = (count * sty - st * sy) / det; c = (sy - m * st) / count }
        if let b = plateauBounds, !b.contains(c) {
            c = min(max(c, b.lowerBound), b.upperBound)
            m = stt > 1e-12 ? (sty - c * st) / stt : 0
        }
        let cost = max(0, m * m * stt + count * c * c + syy + 2 * m * c * st - 2 * m * sty - 2 * c * sy)
        return (m, c, cost)
    }
    let lo = xs.first!, hi = xs.last!
    var bestDelta = lo, best = solve(lo)
    for s in 0...steps {
        let d = lo + (hi - lo) * Double(s) / Double(steps)
        let r = solve(d)
        if r.cost < best.cost { best = r; bestDelta = d }
    }
    var a = max(lo, bestDelta - (hi - lo) / Double(steps)), b = min(hi, bestDelta + (hi - lo) / Double(steps))
    let g = (5.0.squareRoot() - 1) / 2
    for _ in 0..<60 {
        let c1 = b - g * (b - a), c2 = a + g * (b - a)
        if solve(c1).cost < solve(c2).cost { b = c2 } else { a = c1 }
    }
    let refined = (a + b) / 2
    if solve(refined).cost < best.cost { bestDelta = refined; best = solve(refined) }
    var fit = DepthFit(slope: best.m, plateau: best.c, delta: bestDelta,
                       rmsResidual: (best.cost / Double(xs.count)).squareRoot(), depths: xs, values: ys,
                       plateauBounds: plateauBounds, statistic: statistic)
    let mean = ys.reduce(0, +) / Double(ys.count)
    let total = ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    fit.rSquared = total > 0 ? 1 - best.cost / total : .nan
    fit.atomsBeyondDelta = pairs.filter { $0.0 > bestDelta }.count
    fit.atomCount = pairs.count
    return fit
}

/// Trial depths of the scan before the golden-section refinement.
let depthScanSteps = 400
/// The bootstrap's replicates scan more coarsely: each only needs δ to a few hundredths of an
/// Å, which the refinement around the best of 100 trials gives.
let bootstrapScanSteps = 100

/// Bootstrap replicates for δ's interval: enough for a 95 % interval to within a few tenths
/// of an Å on a few hundred atoms, at a cost of about a tenth of a second on the largest particles.
public let depthBootstrapReplicates = 100

/// The core plateau must rest on at least this fraction of the atoms (and on two averaging
/// windows), else δ is flagged: with δ at half the radius of a sphere, 7/8 of its atoms are
/// "surface".
package let minimumPlateauFraction = 0.1
/// A 95 % interval of δ wider than this (Å), and than half of δ, is flagged.
package let maximumDeltaInterval = 2.0
/// A fit explaining less than this fraction of the averaged points' variance is flagged.
package let minimumDepthRSquared = 0.5

extension DepthFit {
    /// This fit with its bootstrap 95 % interval: the atoms are resampled with replacement
    /// `replicates` times (seeded, so a run repeats exactly) and Eq. 1 refitted to each sample.
    public func withBootstrapInterval(depths: [Double], values: [Double], replicates: Int = depthBootstrapReplicates,
                                      seed: UInt64 = 1, threads: Int = Parallel.availableCores) -> DepthFit {
        let pairs = zip(depths, values).filter { $0.0.isFinite && $0.1.isFinite }.sorted { $0.0 < $1.0 }
        guard pairs.count >= depthAveragingWindow + 3, replicates >= 10 else { return self }
        // One seed per replicate, drawn up front, so the threads' share does not change the draws.
        var rng = SeededGenerator(seed: seed)
        let seeds = (0..<replicates).map { _ in rng.next() }
        var deltas = [Double](repeating: .nan, count: replicates)
        let bounds = plateauBounds, name = statistic
        deltas.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer.baseAddress!)
            Parallel.forRanges(replicates, threads: threads, minimumChunk: 1) { range in
                for k in range {
                    var g = SeededGenerator(seed: seeds[k])
                    // A sample of the depth-ordered atoms, in order: counting sort of the drawn indices.
                    var drawn = [Int](repeating: 0, count: pairs.count)
                    for _ in pairs.indices { drawn[Int(g.next() % UInt64(pairs.count))] += 1 }
                    var sample: [(Double, Double)] = []
                    sample.reserveCapacity(pairs.count)
                    for (q, times) in drawn.enumerated() where times > 0 { for _ in 0..<times { sample.append(pairs[q]) } }
                    out.value[k] = fitPenetrationDepth(sorted: sample, statistic: name, plateauBounds: bounds,
                                                       scanSteps: bootstrapScanSteps)?.delta ?? .nan
                }
            }
        }
        let sorted = deltas.filter(\.isFinite).sorted()
        guard sorted.count >= 10 else { return self }
        var copy = self
        copy.interval = sorted[Int(0.025 * Double(sorted.count - 1))]...sorted[Int((0.975 * Double(sorted.count - 1)).rounded(.up))]
        return copy
    }

    /// Why δ should not be trusted, or nil: a plateau on too few atoms, a wide bootstrap
    /// interval, or a poor fit.
    public var doubt: String? {
        var why: [String] = []
        let plateauMinimum = max(Int((minimumPlateauFraction * Double(atomCount)).rounded(.up)), 2 * depthAveragingWindow)
        if atomsBeyondDelta < plateauMinimum {
            why.append("the core plateau rests on \(atomsBeyondDelta) of \(atomCount) atoms")
        }
        if let i = interval, i.upperBound - i.lowerBound > max(maximumDeltaInterval, 0.5 * delta) {
            why.append(String(format: "its 95 %% interval is %.1f–%.1f Å", i.lowerBound, i.upperBound))
        }
        if rSquared.isFinite && rSquared < minimumDepthRSquared {
            why.append(String(format: "Eq. 1 explains %.0f %% of the variance", 100 * rSquared))
        }
        return why.isEmpty ? nil : why.joined(separator: "; ")
    }

    /// The flag for this fit, or nil when it can be trusted.
    public var flag: QualityFlag? {
        doubt.map { QualityFlag(.depthUncertain, String(format: "δ_%@ = %.1f Å is uncertain: %@", statistic.uppercased(), delta, $0),
                                remedy: "a particle without a clear core, or false atoms outside the surface, leaves δ undetermined") }
    }
}
