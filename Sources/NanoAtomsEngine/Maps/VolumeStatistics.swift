/// Sum, mean, standard deviation, minimum and maximum of a map, accumulated in double precision.
public struct VolumeStatistics: Sendable {
    /// Number of voxels.
    public let count: Int
    /// Σ v.
    public let sum: Double
    /// Σ v².
    public let sumOfSquares: Double
    /// Smallest value.
    public let minimum: Float
    /// Largest value.
    public let maximum: Float

    /// Statistics of every voxel of `volume`.
    public init(_ volume: Volume) { self.init(volume.values) }

    /// Statistics of `values`.
    public init(_ values: [Float]) {
        self = values.withUnsafeBufferPointer { VolumeStatistics($0) }
    }

    /// Statistics of the values in `b`.
    public init(_ b: UnsafeBufferPointer<Float>) {
        var s = 0.0, s2 = 0.0
        var lo = Float.infinity, hi = -Float.infinity
        if let base = b.baseAddress {
            // Blocks of float sums in 8 lanes keep the double accumulation and the
            // dependency chains off the inner loop; the lanes are combined per block.
            // (`replacing(with:where:)` compiles to vector min/max; `pointwiseMin` on SIMD
            // types was measured 40× slower.)
            let raw = UnsafeRawPointer(base)
            var vlo = SIMD8<Float>(repeating: .infinity), vhi = SIMD8<Float>(repeating: -.infinity)
            var i = 0
            while i + 8 <= b.count {
                let end = min(b.count - (b.count - i) % 8, i + 4096)
                var bs = SIMD8<Float>(), bs2 = SIMD8<Float>()
                while i < end {
                    let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                    bs += v; bs2 += v * v
                    vlo = vlo.replacing(with: v, where: v .< vlo); vhi = vhi.replacing(with: v, where: v .> vhi)
                    i += 8
                }
                s += Double(bs.sum()); s2 += Double(bs2.sum())
            }
            lo = vlo.min(); hi = vhi.max()
            while i < b.count {
                let v = b[i]
                s += Double(v); s2 += Double(v) * Double(v)
                lo = min(lo, v); hi = max(hi, v)
                i += 1
            }
        }
        count = b.count; sum = s; sumOfSquares = s2; minimum = lo; maximum = hi
    }

    /// Mean value.
    public var mean: Double { count > 0 ? sum / Double(count) : 0 }
    /// Population standard deviation.
    public var standardDeviation: Double {
        guard count > 0 else { return 0 }
        return max(0, sumOfSquares / Double(count) - mean * mean).squareRoot()
    }
}
