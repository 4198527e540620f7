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

    /// The fitted curve at depth x.
    public func value(at x: Double) -> Double { x <= delta ? slope * (x - delta) + plateau : plateau }
}

/// Atoms averaged per point of the depth curve: "We averaged the CN of every five
/// consecutive atoms after ordering them according to radial depth" (paper).
public let depthAveragingWindow = 5
/// Bounds on the plateau for CN: "c was restricted to the interval [10, 12]" (paper).
public let coordinationPlateauBounds = 10.0...12.0

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
    guard pairs.count >= window + 3 else { return nil }
    var xs: [Double] = [], ys: [Double] = []
    for s in 0...(pairs.count - window) {
        let run = pairs[s..<(s + window)]
        xs.append(run.map(\.0).reduce(0, +) / Double(window))
        ys.append(run.map(\.1).reduce(0, +) / Double(window))
    }
    func solve(_ delta: Double) -> (m: Double, c: Double, cost: Double) {
        // y ≈ m·t + c with t = min(x − δ, 0).
        // Called some 500 times per fit: the loops read the points through pointers.
        var st = 0.0, stt = 0.0, sy = 0.0, sty = 0.0
        let n = Double(xs.count)
        xs.withUnsafeBufferPointer { xs in ys.withUnsafeBufferPointer { ys in
            for q in xs.indices { let t = min(xs[q] - delta, 0), y = ys[q]; st += t; stt += t * t; sy += y; sty += t * y }
        } }
        let det = n * stt - st * st
        var m = 0.0, c = sy / n
        if det > 1e-12 { m = (n * sty - st * sy) / det; c = (sy - m * st) / n }
        if let b = plateauBounds, !b.contains(c) {
            c = min(max(c, b.lowerBound), b.upperBound)
            m = stt > 1e-12 ? (sty - c * st) / stt : 0
        }
        var cost = 0.0
        xs.withUnsafeBufferPointer { xs in ys.withUnsafeBufferPointer { ys in
            for q in xs.indices { let r = m * min(xs[q] - delta, 0) + c - ys[q]; cost += r * r }
        } }
        return (m, c, cost)
    }
    let lo = xs.first!, hi = xs.last!
    var bestDelta = lo, best = solve(lo)
    let steps = 400
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
    return DepthFit(slope: best.m, plateau: best.c, delta: bestDelta,
                    rmsResidual: (best.cost / Double(xs.count)).squareRoot(), depths: xs, values: ys,
                    plateauBounds: plateauBounds, statistic: statistic)
}
