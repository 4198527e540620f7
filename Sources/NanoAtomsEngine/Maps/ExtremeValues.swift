import Foundation

/// Voxels far outside a map's own range of values — a hot pixel, a sentinel such as −65504
/// written by another program, a corrupted block — clipped before any analysis, and maps whose
/// values are all enormous or all minute brought to a safe scale.
///
/// One voxel of 3.4e38 overflows every float sum it enters (the denoised map, the correlation,
/// the histogram), and one of −65504 in a map of values near 1 stretches Otsu's histogram until
/// the particle falls into a single bin. The bounds are the map's own: its 0.01st and 99.99th
/// percentiles (of about 65,000 evenly spread voxels), widened by ``spreadMultiple`` times
/// their distance, so no voxel of an ordinary map — atom peaks included — is ever touched.
package enum ExtremeValues {
    /// How many spreads (99.99th − 0.01st percentile) beyond the percentiles a value may lie
    /// before it is clipped. Atom peaks of the shared and simulated maps lie within 1.5.
    package static let spreadMultiple: Float = 100
    /// Maps whose largest |value| lies outside this range are scaled by a power of two
    /// (exactly, so every ratio is kept) to bring it near 1.
    package static let safeMagnitude: ClosedRange<Float> = 1e-12...1e12

    /// What was done to a map.
    package struct Report: Sendable, Equatable {
        /// Voxels clipped, and the bounds they were clipped to.
        package var clipped = 0
        package var lower: Float = 0, upper: Float = 0
        /// The power of two the values were multiplied by (1 when none).
        package var scale: Float = 1
        /// Nothing done.
        package init() {}

        /// The flag a run carries when anything was done, or nil.
        package var flag: QualityFlag? {
            var parts: [String] = []
            if clipped > 0 {
                parts.append("\(clipped) voxel\(clipped == 1 ? "" : "s") far outside the map's range (beyond \(String(format: "%.4g", lower)) to \(String(format: "%.4g", upper))) were clipped to it")
            }
            if scale != 1 { parts.append("the values were scaled by \(String(format: "%g", scale)) to keep the arithmetic finite") }
            guard !parts.isEmpty else { return nil }
            return QualityFlag(.extremeValues, parts.joined(separator: "; "),
                               remedy: clipped > 0 ? "check the map for corrupted voxels or a sentinel value written by another program" : nil)
        }
    }

    /// Voxels sampled (evenly spread) for the percentiles.
    static let sampleCount = 16_384

    /// Clips and rescales `volume` in place; returns what was done. A map already checked
    /// (``Volume/extremeValuesChecked``) is left alone.
    @discardableResult
    package static func condition(_ volume: inout Volume, knownRange: (minimum: Float, maximum: Float)? = nil) -> Report {
        var report = Report()
        let n = volume.count
        guard n > 0, !volume.extremeValuesChecked else { return report }
        volume.extremeValuesChecked = true
        let range = knownRange ?? volume.values.withUnsafeBufferPointer { minimumAndMaximum($0) }
        let stride = max(1, n / sampleCount)
        var sample: [Float] = []
        sample.reserveCapacity(n / stride + 1)
        volume.values.withUnsafeBufferPointer { v in
            for i in Swift.stride(from: 0, to: n, by: stride) { sample.append(v[i]) }
        }
        sample.sort()
        // The 0.01st and 99.99th percentiles, or the second smallest and second largest
        // sample when there are fewer than 20,000: a lone outlier in the sample is passed over.
        let k = max(min(1, sample.count - 1), sample.count / 10_000)
        let pLow = Double(sample[k]), pHigh = Double(sample[sample.count - 1 - k])
        var spread = pHigh - pLow
        if spread <= 0 { spread = max(abs(pLow), abs(pHigh), 1e-30) }
        let lower = Float(max(pLow - Double(spreadMultiple) * spread, -Double(Float.greatestFiniteMagnitude)))
        let upper = Float(min(pHigh + Double(spreadMultiple) * spread, Double(Float.greatestFiniteMagnitude)))
        if range.minimum < lower || range.maximum > upper {
            var clipped = 0
            volume.values.withUnsafeMutableBufferPointer { v in
                for i in v.indices {
                    if v[i] < lower { v[i] = lower; clipped += 1 } else if v[i] > upper { v[i] = upper; clipped += 1 }
                }
            }
            report.clipped = clipped
            report.lower = lower
            report.upper = upper
        }
        let largest = max(abs(Double(max(range.minimum, lower))), abs(Double(min(range.maximum, upper))))
        if largest > 0, !safeMagnitude.contains(Float(largest)) {
            // A power of two, applied in double precision: exact, and safe for subnormals.
            let scale = pow(2.0, -log2(largest).rounded(.down))
            volume.values.withUnsafeMutableBufferPointer { v in for i in v.indices { v[i] = Float(Double(v[i]) * scale) } }
            report.scale = Float(scale)
            report.lower = Float(Double(report.lower) * scale)
            report.upper = Float(Double(report.upper) * scale)
        }
        return report
    }

    /// The smallest and largest value, eight lanes at a time (no sums: half the work of
    /// ``VolumeStatistics``).
    static func minimumAndMaximum(_ v: UnsafeBufferPointer<Float>) -> (minimum: Float, maximum: Float) {
        var lo = SIMD8<Float>(repeating: .infinity), hi = SIMD8<Float>(repeating: -.infinity)
        let raw = UnsafeRawBufferPointer(v)
        var i = 0
        while i + 8 <= v.count {
            let x = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            lo = lo.replacing(with: x, where: x .< lo); hi = hi.replacing(with: x, where: x .> hi)
            i += 8
        }
        var a = lo.min(), b = hi.max()
        while i < v.count { a = min(a, v[i]); b = max(b, v[i]); i += 1 }
        return (a, b)
    }
}
