import Testing
@testable import NanoAtomsEngine

@Suite("Visiting atoms in spatial order")
struct SpatialOrderTests {
    @Test("the eight cells of a 2 × 2 × 2 block come in Z-order: x fastest, then y, then z")
    func oneBlock() {
        // Given z-major, y, x: Z-order interleaves the bits x, y, z from the lowest.
        let cells = [SIMD3(1, 1, 1), SIMD3(0, 0, 1), SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 0), SIMD3(1, 1, 0), SIMD3(0, 1, 1), SIMD3(1, 0, 1)]
        let order = SpatialOrder.zOrder(cells).map { cells[$0] }
        #expect(order == [SIMD3(0, 0, 0), SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(1, 1, 0), SIMD3(0, 0, 1), SIMD3(1, 0, 1), SIMD3(0, 1, 1), SIMD3(1, 1, 1)])
    }

    @Test("a whole 2 × 2 × 2 block comes before the next block along x; ties keep their order")
    func blocksAndTies() {
        let cells = [SIMD3(2, 0, 0), SIMD3(1, 1, 1), SIMD3(0, 0, 0), SIMD3(1, 1, 1), SIMD3(-5, 0, 0)]
        // (-5, 0, 0) is clamped to (0, 0, 0) and ties with it; both stay in index order.
        #expect(SpatialOrder.zOrder(cells) == [2, 4, 1, 3, 0])
    }

    @Test("points are ordered by their cells from the lowest corner; NaN goes last")
    func points() {
        let points = [Vector3(10, 0, 0), Vector3(.nan, 0, 0), Vector3(0.5, 0.5, 0.5), Vector3(1.5, 0, 0)]
        #expect(SpatialOrder.zOrder(points, cell: 1) == [2, 3, 0, 1])
        #expect(SpatialOrder.zOrder([Vector3](), cell: 1).isEmpty)
    }
}
