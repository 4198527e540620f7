/// Otsu's threshold: the value that best separates a histogram of `values` into two
/// classes (maximum between-class variance), as the paper's starting threshold T₀.
///
/// The histogram has `bins` equal bins over [min, max]; the threshold returned is the
/// centre of the last bin of the lower class.
public func otsuThreshold(_ values: [Float], bins: Int = 256) -> Float {
    guard let histogram = ValueHistogram(values, bins: bins) else { return values.first ?? 0 }
    let lo = histogram.minimum, hi = histogram.maximum
    let hist = histogram.counts.map(Double.init)
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
