/// Otsu's threshold: the value that best separates a histogram of `values` into two
/// classes (maximum between-class variance), as the paper's starting threshold T₀.
///
/// The histogram has `bins` equal bins over [min, max]; the threshold returned is the
/// centre of the last bin of the lower class.
public func otsuThreshold(_ values: [Float], bins: Int = 256) -> Float {
    guard !values.isEmpty else { return 0 }
    let range = VolumeStatistics(values)
    let lo = range.minimum, hi = range.maximum
    guard hi > lo else { return lo }
    // Four interleaved histograms, so that runs of equal bins do not wait on each other.
    var counts = [Int32](repeating: 0, count: 4 * bins)
    let scale = Float(Double(bins) / Double(hi - lo)), top = bins - 1
    values.withUnsafeBufferPointer { v in
        counts.withUnsafeMutableBufferPointer { c in
            let n = v.count
            var q = 0
            while q + 4 <= n {
                for lane in 0..<4 {
                    c[lane * bins + min(top, Int((v[q + lane] - lo) * scale))] += 1
                }
                q += 4
            }
            while q < n { c[min(top, Int((v[q] - lo) * scale))] += 1; q += 1 }
        }
    }
    let hist = (0..<bins).map { b in Double(counts[b]) + Double(counts[bins + b]) + Double(counts[2 * bins + b]) + Double(counts[3 * bins + b]) }
    let width = Double(hi - lo) / Double(bins)
    let centres = (0..<bins).map { Double(lo) + (Double($0) + 0.5) * width }
    let total = hist.reduce(0, +)
    let totalMoment = zip(hist, centres).map { $0 * $1 }.reduce(0, +)
    var w0 = 0.0, m0 = 0.0, best = -1.0, bestIndex = 0
    for b in 0..<(bins - 1) {
        w0 += hist[b]; m0 += hist[b] * centres[b]
        let w1 = total - w0
        if w0 == 0 || w1 == 0 { continue }
        let mu0 = m0 / w0, mu1 = (totalMoment - m0) / w1
        let between = w0 * w1 * (mu0 - mu1) * (mu0 - mu1)
        if between > best { best = between; bestIndex = b }
    }
    return Float(centres[bestIndex])
}
