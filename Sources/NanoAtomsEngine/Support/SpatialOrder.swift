/// Orders for visiting atoms so that each one's window of the map is mostly still in cache
/// from the one before it: rendering and fitting atoms window by window are bound by the
/// map's memory, not by their arithmetic.
package enum SpatialOrder {
    /// Indices of `cells` (integer coordinates, e.g. voxels over a block size) in Z-order
    /// (Morton order), ties kept in index order; coordinates are clamped to 0 ..< 2²⁰.
    package static func zOrder(_ cells: [SIMD3<Int>]) -> [Int] {
        func spread(_ v: Int) -> UInt64 {
            var r: UInt64 = 0
            let u = UInt64(max(0, min(v, (1 << 20) - 1)))
            for b in 0..<20 { r |= ((u >> UInt64(b)) & 1) << UInt64(3 * b) }
            return r
        }
        let keys = cells.map { spread($0.x) | spread($0.y) << 1 | spread($0.z) << 2 }
        return keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    }

    /// Indices of `points` (Å) in Z-order of cells of `cell` Å, from the finite points' lowest
    /// corner; a point that is not finite comes last.
    package static func zOrder(_ points: [Vector3], cell: Double) -> [Int] {
        guard cell > 0, let first = points.first(where: { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }) else { return Array(points.indices) }
        var lo = first
        for p in points where p.x.isFinite && p.y.isFinite && p.z.isFinite { lo = pointwiseMin(lo, p) }
        return zOrder(points.map { p in
            let c = (p - lo) / cell
            // Not a number, or absurdly far: the last cell (such an atom draws nothing anyway).
            func index(_ v: Double) -> Int { v.isFinite ? Int(min(v, Double(1 << 20))) : 1 << 20 }
            return SIMD3(index(c.x), index(c.y), index(c.z))
        })
    }
}
