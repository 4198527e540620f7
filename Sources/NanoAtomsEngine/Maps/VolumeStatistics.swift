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
        var s = 0.0, s2 = 0.0
        var lo = Float.infinity, hi = -Float.infinity
        values.withUnsafeBufferPointer { b in
            // Blocks of float sums keep the double accumulation off the inner loop.
            var i = 0
            while i < b.count {
                let end = min(b.count, i + 4096)
                var bs: Float = 0, bs2: Float = 0
                for n in i..<end {
                    let v = b[n]
                    bs += v; bs2 += v * v
                    lo = min(lo, v); hi = max(hi, v)
                }
                s += Double(bs); s2 += Double(bs2)
                i = end
            }
        }
        count = values.count; sum = s; sumOfSquares = s2; minimum = lo; maximum = hi
    }

    /// Mean value.
    public var mean: Double { count > 0 ? sum / Double(count) : 0 }
    /// Population standard deviation.
    public var standardDeviation: Double {
        guard count > 0 else { return 0 }
        return max(0, sumOfSquares / Double(count) - mean * mean).squareRoot()
    }
}
