/// A cell list over points in Å that answers "which points lie within r of this one"
/// in time proportional to the answer, for a fixed maximum radius.
public struct NeighborGrid: Sendable {
    private let points: [Vector3]
    private let cell: Double
    private let lower: Vector3
    private let dims: SIMD3<Int>
    private let cellStart: [Int32]
    private let cellItems: [Int32]

    /// Builds the grid for queries up to `maximumRadius` Å.
    public init(points: [Vector3], maximumRadius: Double) {
        self.points = points
        guard let first = points.first else {
            cell = max(maximumRadius, 1e-6)
            lower = .zero; dims = SIMD3(1, 1, 1); cellStart = [0, 0]; cellItems = []
            return
        }
        var lo = first, hi = first
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        lower = lo
        // Cells no smaller than the radius (so a query visits 3³ cells), and no more than
        // about 100 per axis (so a tiny radius cannot ask for billions of cells).
        cell = max(maximumRadius, (hi - lo).max() / 100, 1e-6)
        let span = (hi - lo) / cell
        let d = SIMD3<Int>(Int(span.x) + 1, Int(span.y) + 1, Int(span.z) + 1)
        dims = d
        let ncell = d.x * d.y * d.z
        var counts = [Int32](repeating: 0, count: ncell + 1)
        var cellOf = [Int](repeating: 0, count: points.count)
        for (i, p) in points.enumerated() {
            let c = Self.cellIndex(p, lo, cell, d)
            cellOf[i] = c
            counts[c + 1] += 1
        }
        for c in 0..<ncell { counts[c + 1] += counts[c] }
        var fill = counts
        var items = [Int32](repeating: 0, count: points.count)
        for i in 0..<points.count {
            let c = cellOf[i]
            items[Int(fill[c])] = Int32(i)
            fill[c] += 1
        }
        cellStart = counts
        cellItems = items
    }

    private static func cellIndex(_ p: Vector3, _ lo: Vector3, _ cell: Double, _ d: SIMD3<Int>) -> Int {
        let q = (p - lo) / cell
        let x = min(max(Int(q.x), 0), d.x - 1), y = min(max(Int(q.y), 0), d.y - 1), z = min(max(Int(q.z), 0), d.z - 1)
        return (z * d.y + y) * d.x + x
    }

    /// Calls `body(j, distanceSquared)` for every point j within `radius` of `p`
    /// (`radius` ≤ the grid's maximum radius), including a point at `p` itself.
    public func forEachNeighbor(of p: Vector3, within radius: Double, _ body: (Int, Double) -> Void) {
        guard !points.isEmpty else { return }
        let r2 = radius * radius
        let q = (p - lower) / cell
        let reachCells = Int((radius / cell).rounded(.up))
        let c0 = SIMD3<Int>(Int(q.x.rounded(.down)), Int(q.y.rounded(.down)), Int(q.z.rounded(.down)))
        let lo = pointwiseMax(c0 &- reachCells, SIMD3<Int>(repeating: 0))
        let hi = pointwiseMin(c0 &+ reachCells, dims &- 1)
        guard lo.x <= hi.x, lo.y <= hi.y, lo.z <= hi.z else { return }
        for z in lo.z...hi.z {
            for y in lo.y...hi.y {
                for x in lo.x...hi.x {
                    let c = (z * dims.y + y) * dims.x + x
                    for k in Int(cellStart[c])..<Int(cellStart[c + 1]) {
                        let j = Int(cellItems[k])
                        let d2 = (points[j] - p).lengthSquared
                        if d2 <= r2 { body(j, d2) }
                    }
                }
            }
        }
    }

    /// The indices of all points within `radius` of point `i`, excluding `i`.
    public func neighbors(of i: Int, within radius: Double) -> [Int] {
        var out: [Int] = []
        forEachNeighbor(of: points[i], within: radius) { j, _ in if j != i { out.append(j) } }
        return out
    }

    /// The distance from point `i` to its nearest other point, or nil if none lies within `radius`.
    public func nearestDistance(from i: Int, within radius: Double) -> Double? {
        var best = Double.infinity
        forEachNeighbor(of: points[i], within: radius) { j, d2 in if j != i && d2 < best { best = d2 } }
        return best.isFinite ? best.squareRoot() : nil
    }
}
