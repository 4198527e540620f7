/// A cell list over points in Å that answers "which points lie within r of this one"
/// in time proportional to the answer, for a fixed maximum radius.
package struct NeighborGrid: Sendable {
    private let points: [Vector3]
    private let cell: Double
    private let lower: Vector3
    private let dims: SIMD3<Int>
    private let cellStart: [Int32]
    private let cellItems: [Int32]
    /// The points in cell order (`cellPoints[k] == points[cellItems[k]]`), so a cell's points
    /// are read one after another.
    private let cellPoints: [Vector3]

    /// Builds the grid for queries up to `maximumRadius` Å.
    package init(points: [Vector3], maximumRadius: Double) {
        self.points = points
        guard let first = points.first else {
            cell = max(maximumRadius, 1e-6)
            lower = .zero; dims = SIMD3(1, 1, 1); cellStart = [0, 0]; cellItems = []; cellPoints = []
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
        cellPoints = items.map { points[Int($0)] }
    }

    private static func cellIndex(_ p: Vector3, _ lo: Vector3, _ cell: Double, _ d: SIMD3<Int>) -> Int {
        let q = (p - lo) / cell
        let x = min(max(Int(q.x), 0), d.x - 1), y = min(max(Int(q.y), 0), d.y - 1), z = min(max(Int(q.z), 0), d.z - 1)
        return (z * d.y + y) * d.x + x
    }

    /// The range of cells (inclusive) that can hold points within `radius` of `p`, or nil when
    /// none can (or the grid is empty).
    private func cells(around p: Vector3, within radius: Double) -> (SIMD3<Int>, SIMD3<Int>)? {
        guard !points.isEmpty else { return nil }
        let q = (p - lower) / cell
        let reachCells = Int((radius / cell).rounded(.up))
        let c0 = SIMD3<Int>(Int(q.x.rounded(.down)), Int(q.y.rounded(.down)), Int(q.z.rounded(.down)))
        let lo = pointwiseMax(c0 &- reachCells, SIMD3<Int>(repeating: 0))
        let hi = pointwiseMin(c0 &+ reachCells, dims &- 1)
        guard lo.x <= hi.x, lo.y <= hi.y, lo.z <= hi.z else { return nil }
        return (lo, hi)
    }

    /// Calls `body(j, distanceSquared)` for every point j within `radius` of `p`
    /// (`radius` ≤ the grid's maximum radius), including a point at `p` itself.
    package func forEachNeighbor(of p: Vector3, within radius: Double, _ body: (Int, Double) -> Void) {
        guard let (lo, hi) = cells(around: p, within: radius) else { return }
        let r2 = radius * radius
        for z in lo.z...hi.z {
            for y in lo.y...hi.y {
                for x in lo.x...hi.x {
                    let c = (z * dims.y + y) * dims.x + x
                    for k in Int(cellStart[c])..<Int(cellStart[c + 1]) {
                        let d2 = (cellPoints[k] - p).lengthSquared
                        if d2 <= r2 { body(Int(cellItems[k]), d2) }
                    }
                }
            }
        }
    }

    /// Whether any point other than `excluded` lies within `radius` (≤ the grid's maximum
    /// radius) of `p`; stops at the first one found.
    package func hasPoint(within radius: Double, of p: Vector3, excluding excluded: Int = -1) -> Bool {
        guard let (lo, hi) = cells(around: p, within: radius) else { return false }
        let r2 = radius * radius
        for z in lo.z...hi.z { for y in lo.y...hi.y { for x in lo.x...hi.x {
            let c = (z * dims.y + y) * dims.x + x
            for k in Int(cellStart[c])..<Int(cellStart[c + 1]) where Int(cellItems[k]) != excluded {
                if (cellPoints[k] - p).lengthSquared <= r2 { return true }
            }
        } } }
        return false
    }

    /// The sum of `f(distanceSquared)` over the unordered pairs of distinct points within
    /// `radius` (≤ the grid's maximum radius) of each other: each pair once, which halves
    /// the work of summing over every point's neighbours.
    package func pairSum(within radius: Double, _ f: (Double) -> Double) -> Double {
        guard !points.isEmpty else { return 0 }
        let r2 = radius * radius
        var s = 0.0
        // Each cell with itself (pairs in order) and with the 13 neighbouring cells that come
        // after it in one fixed half of the 26 directions.
        var half: [SIMD3<Int>] = []
        for dz in -1...1 { for dy in -1...1 { for dx in -1...1 where (dz, dy, dx) > (0, 0, 0) { half.append(SIMD3(dx, dy, dz)) } } }
        let reach = Int((radius / cell).rounded(.up))
        precondition(reach <= 1, "pairSum needs radius ≤ the grid's maximum radius")
        cellPoints.withUnsafeBufferPointer { pts in
            for z in 0..<dims.z { for y in 0..<dims.y { for x in 0..<dims.x {
                let c = (z * dims.y + y) * dims.x + x
                let a0 = Int(cellStart[c]), a1 = Int(cellStart[c + 1])
                if a0 == a1 { continue }
                for a in a0..<a1 {
                    let p = pts[a]
                    for b in (a + 1)..<a1 {
                        let d2 = (pts[b] - p).lengthSquared
                        if d2 <= r2 { s += f(d2) }
                    }
                }
                for o in half {
                    let n = SIMD3(x, y, z) &+ o
                    guard n.x >= 0, n.y >= 0, n.z >= 0, n.x < dims.x, n.y < dims.y, n.z < dims.z else { continue }
                    let cn = (n.z * dims.y + n.y) * dims.x + n.x
                    let b0 = Int(cellStart[cn]), b1 = Int(cellStart[cn + 1])
                    if b0 == b1 { continue }
                    for a in a0..<a1 {
                        let p = pts[a]
                        for b in b0..<b1 {
                            let d2 = (pts[b] - p).lengthSquared
                            if d2 <= r2 { s += f(d2) }
                        }
                    }
                }
            } } }
        }
        return s
    }

    /// The indices of all points within `radius` of point `i`, excluding `i`.
    package func neighbors(of i: Int, within radius: Double) -> [Int] {
        var out: [Int] = []
        forEachNeighbor(of: points[i], within: radius) { j, _ in if j != i { out.append(j) } }
        return out
    }

    /// The distance from point `i` to its nearest other point, or nil if none lies within `radius`.
    package func nearestDistance(from i: Int, within radius: Double) -> Double? {
        var best = Double.infinity
        forEachNeighbor(of: points[i], within: radius) { j, d2 in if j != i && d2 < best { best = d2 } }
        return best.isFinite ? best.squareRoot() : nil
    }
}
