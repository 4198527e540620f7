/// Coordination numbers: for each atom, the number of other atoms strictly closer than
/// `radius` Å (the paper's CN with d = (ā/2)(1 + 1/√2)).
package func coordinationNumbers(_ positions: [Vector3], radius: Double) -> [Int] {
    let grid = NeighborGrid(points: positions, maximumRadius: radius)
    let r2 = radius * radius
    return positions.indices.map { i in
        var c = 0
        grid.forEachNeighbor(of: positions[i], within: radius) { j, d2 in if j != i && d2 < r2 { c += 1 } }
        return c
    }
}
