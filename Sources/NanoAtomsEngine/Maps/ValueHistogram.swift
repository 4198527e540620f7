/// Counts of values in equal bins over [minimum, maximum]: what Otsu's threshold and the
/// median of the solvent are found from.
struct ValueHistogram {
    /// Values per bin.
    let counts: [Int]
    /// The smallest and largest value: the first bin starts at one, the last ends at the other.
    let minimum: Float, maximum: Float
    /// Bins per unit of value.
    private let scale: Float

    /// The histogram of `values` in `bins` bins; nil when there are no values or all are equal.
    init?(_ values: [Float], bins: Int) {
        guard let h = values.withUnsafeBufferPointer({ ValueHistogram($0, bins: bins) }) else { return nil }
        self = h
    }

    /// The histogram of the values in `v` in `bins` bins; nil when there are none or all are equal.
    init?(_ v: UnsafeBufferPointer<Float>, bins: Int) {
        let range = VolumeStatistics(v)
        guard !v.isEmpty, range.maximum > range.minimum else { return nil }
        minimum = range.minimum
        maximum = range.maximum
        // The range in double precision: max − min of floats near ±3.4e38 overflows a float.
        let scale = Float(Double(bins) / (Double(maximum) - Double(minimum)))
        self.scale = scale
        let lo = minimum, top = bins - 1
        // Four interleaved counters, so that runs of equal bins do not wait on each other.
        // (Swift's SIMD float-to-integer conversions are many times slower than four scalar ones.)
        var lanes = [Int32](repeating: 0, count: 4 * bins)
        lanes.withUnsafeMutableBufferPointer { c in
            var q = 0
            while q + 4 <= v.count {
                for lane in 0..<4 { c[lane * bins + Self.clampedBin((v[q + lane] - lo) * scale, top)] += 1 }
                q += 4
            }
            while q < v.count { c[Self.clampedBin((v[q] - lo) * scale, top)] += 1; q += 1 }
        }
        counts = (0..<bins).map { b in Int(lanes[b]) + Int(lanes[bins + b]) + Int(lanes[2 * bins + b]) + Int(lanes[3 * bins + b]) }
    }

    /// The bin that holds `value`.
    func bin(of value: Float) -> Int { Self.clampedBin((value - minimum) * scale, counts.count - 1) }

    /// Bin `x` held to 0…`top`; an x that overflowed to ±infinity (a difference of two floats
    /// near ±3.4e38, or a value asked for below the minimum) or is NaN lands in an end bin
    /// instead of trapping.
    @inline(__always) static func clampedBin(_ x: Float, _ top: Int) -> Int {
        guard x < Float(top) else { return top }     // also NaN
        return x > 0 ? Int(x) : 0                     // also −infinity
    }
}
