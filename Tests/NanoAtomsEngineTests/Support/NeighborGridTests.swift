import Testing
import NanoAtomsEngine

@Suite("The neighbour grid")
struct NeighborGridTests {
    /// Random points in a 20 Å box, some on top of each other.
    static func points(_ n: Int, seed: UInt64) -> [Vector3] {
        var g = SeededGenerator(seed: seed)
        var p = (0..<n).map { _ in Vector3(20 * g.uniform(), 20 * g.uniform(), 20 * g.uniform()) }
        p += p.prefix(5)
        return p
    }

    @Test("neighbours within r are exactly those a brute-force search finds", arguments: [0.5, 3.0, 7.5])
    func neighbours(radius: Double) {
        let p = Self.points(400, seed: 3)
        let grid = NeighborGrid(points: p, maximumRadius: 7.5)
        for i in stride(from: 0, to: p.count, by: 7) {
            let brute = p.indices.filter { $0 != i && (p[$0] - p[i]).length <= radius }
            #expect(grid.neighbors(of: i, within: radius).sorted() == brute)
        }
    }

    @Test("a pair sum visits each unordered pair within r once", arguments: [0.5, 3.0, 7.5])
    func pairSum(radius: Double) {
        let p = Self.points(400, seed: 9)
        let grid = NeighborGrid(points: p, maximumRadius: 7.5)
        var count = 0, weighted = 0.0
        for a in p.indices { for b in (a + 1)..<p.count where (p[a] - p[b]).lengthSquared <= radius * radius {
            count += 1; weighted += 1 / (1 + (p[a] - p[b]).lengthSquared)
        } }
        #expect(grid.pairSum(within: radius) { _ in 1 } == Double(count))
        #expect(abs(grid.pairSum(within: radius) { 1 / (1 + $0) } - weighted) < 1e-9 * max(1, weighted))
        #expect(count > 0)
        #expect(NeighborGrid(points: [], maximumRadius: 2).pairSum(within: 2) { _ in 1 } == 0)
    }

    @Test("hasPoint agrees with a brute-force search, with and without excluding a point", arguments: [0.5, 2.0, 4.0])
    func hasPoint(radius: Double) {
        let p = Self.points(300, seed: 4)
        let grid = NeighborGrid(points: p, maximumRadius: 4.0)
        var g = SeededGenerator(seed: 12)
        var hits = 0
        for _ in 0..<200 {
            // Near a point (so that small radii hit too) or anywhere around the cloud.
            let q = g.uniform() < 0.5 ? p[Int(g.next() % UInt64(p.count))] + (Vector3(g.uniform(), g.uniform(), g.uniform()) - 0.5) * 1.4
                                      : Vector3(g.uniform(), g.uniform(), g.uniform()) * 30 - 5
            let brute = p.contains { ($0 - q).length <= radius }
            #expect(grid.hasPoint(within: radius, of: q) == brute)
            if brute { hits += 1 }
        }
        for i in stride(from: 0, to: p.count, by: 5) {
            let brute = p.indices.contains { $0 != i && (p[$0] - p[i]).length <= radius }
            #expect(grid.hasPoint(within: radius, of: p[i], excluding: i) == brute)
            #expect(grid.hasPoint(within: radius, of: p[i]))   // the point itself
        }
        #expect(hits > 0 && hits < 200)
        #expect(!NeighborGrid(points: [], maximumRadius: 2).hasPoint(within: 2, of: .zero))
    }
}
