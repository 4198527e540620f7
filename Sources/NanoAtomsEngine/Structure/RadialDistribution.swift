import Foundation

/// The radial distribution function g(r) of a particle's atoms, and what is read from it: the
/// first coordination shell (its peak, its mean bond, and the first minimum after it, which
/// serves as the CN radius where no lattice fits).
public struct RadialDistribution: Sendable {
    /// Bin centres, Å.
    public let r: [Double]
    /// g(r): pair counts per bin over those of an ideal gas at the particle's mean density (the
    /// particle's volume is that of a uniform sphere with its radius of gyration). A finite
    /// particle's g falls off at large r; the first shells are what matter here.
    public let g: [Double]
    /// The first peak's position, Å (nil when no pair lies within the range).
    public let firstPeak: Double?
    /// The first minimum after the first peak, Å: where the first shell ends (the middle of the
    /// trough, where g stays within 5 % of the peak's height of its lowest value).
    public let firstMinimum: Double?
    /// The mean bond length within the first shell (distance below `firstMinimum`), corrected
    /// for the bias of position noise, Å. Noise of SD σ per coordinate lengthens a bond d on
    /// average by about 2σ²/d and spreads it by a variance of 2σ², so the mean less
    /// variance/mean is unbiased to first order.
    public let firstShellBond: Double?
    /// The number of bonds in the first shell.
    public let firstShellBonds: Int

    /// Histogram bin width, Å.
    public static let binWidth = 0.02
    /// SD of the Gaussian smoothing before peaks and minima are located, Å: wide enough to
    /// smooth the counts of a few hundred atoms, narrow against the 0.5–0.6 Å gap between the
    /// first two fcc shells.
    public static let smoothing = 0.08

    /// g(r) of `positions` up to `maximumRadius` Å. The first shell is looked for as the highest
    /// peak below `maximumRadius`, and its minimum before 1.6 × the peak (the second fcc shell
    /// lies at √2 × the first).
    public init(_ positions: [Vector3], maximumRadius: Double) {
        let bins = max(1, Int((maximumRadius / Self.binWidth).rounded(.up)))
        var counts = [Double](repeating: 0, count: bins)
        let grid = NeighborGrid(points: positions, maximumRadius: maximumRadius)
        var distances: [Double] = []
        for i in positions.indices {
            grid.forEachNeighbor(of: positions[i], within: maximumRadius) { j, d2 in
                guard j > i else { return }
                let d = d2.squareRoot()
                let b = Int(d / Self.binWidth)
                if b < bins { counts[b] += 1; distances.append(d) }
            }
        }
        let n = Double(positions.count)
        let centroid = positions.reduce(Vector3.zero, +) / max(1, n)
        let rg2 = positions.reduce(0.0) { $0 + ($1 - centroid).lengthSquared } / max(1, n)
        // A uniform sphere of radius R has Rg² = 3R²/5.
        let radius = (5 * rg2 / 3).squareRoot()
        let density = radius > 0 ? n / (4 / 3 * Double.pi * radius * radius * radius) : 0
        let centres = (0..<bins).map { (Double($0) + 0.5) * Self.binWidth }
        r = centres
        g = zip(centres, counts).map { rr, c in
            let shell = 4 * Double.pi * rr * rr * Self.binWidth
            return density > 0 && n > 0 ? 2 * c / (n * density * shell) : 0
        }
        // Peaks and minima on the smoothed pair density per unit r² (g without its normalisation).
        let sigmaBins = Self.smoothing / Self.binWidth
        let reach = Int((3 * sigmaBins).rounded(.up))
        let kernel = (-reach...reach).map { exp(-0.5 * Double($0 * $0) / (sigmaBins * sigmaBins)) }
        let perArea = zip(centres, counts).map { rr, c in c / (rr * rr) }
        let smooth = (0..<bins).map { b -> Double in
            var s = 0.0, w = 0.0
            for (k, q) in (-reach...reach).enumerated() where b + q >= 0 && b + q < bins {
                s += kernel[k] * perArea[b + q]; w += kernel[k]
            }
            return s / w
        }
        guard let peakBin = smooth.indices.max(by: { smooth[$0] < smooth[$1] }), smooth[peakBin] > 0 else {
            firstPeak = nil; firstMinimum = nil; firstShellBond = nil; firstShellBonds = 0
            return
        }
        let peak = centres[peakBin]
        firstPeak = peak
        let end = min(bins - 1, Int(1.6 * peak / Self.binWidth))
        var minimumBin: Int? = nil
        if end > peakBin {
            var best = peakBin
            for b in peakBin...end where smooth[b] < smooth[best] { best = b }
            // A minimum only if g rises again after it within the range (else the range ended on
            // a falling slope and no second shell was seen).
            if best < end, smooth[(best + 1)...end].contains(where: { $0 > smooth[best] }) {
                // The middle of the trough: where g stays within 5 % of the peak's height of
                // its lowest value (a noise-free model's g is zero across the whole gap).
                let level = smooth[best] + 0.05 * (smooth[peakBin] - smooth[best])
                var lo = best, hi = best
                while lo > peakBin + 1 && smooth[lo - 1] <= level { lo -= 1 }
                while hi < end - 1 && smooth[hi + 1] <= level { hi += 1 }
                minimumBin = (lo + hi) / 2
            }
        }
        let minimum = minimumBin.map { centres[$0] }
        firstMinimum = minimum
        if let m = minimum {
            let shell = distances.filter { $0 < m }
            firstShellBonds = shell.count
            if shell.count >= 2 {
                let mean = shell.reduce(0, +) / Double(shell.count)
                let variance = shell.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(shell.count - 1)
                firstShellBond = mean - variance / mean
            } else {
                firstShellBond = nil
            }
        } else {
            firstShellBonds = 0
            firstShellBond = nil
        }
    }
}
