/// Pairs atoms of `first` with atoms of `second` one to one within `tolerance` Å by optimal
/// assignment: as many pairs as can be made, and of those pairings the one with the least
/// total distance. Closest-first pairing (``matchAtoms(_:_:tolerance:)``) can lose a pair on a
/// chain a–b–c–d where b–c is shortest; this cannot.
///
/// The candidate pairs fall apart into small groups (at a tolerance below the interatomic
/// distance an atom has one or two candidates), and each group is solved exactly by the
/// Hungarian method. A group larger than ``maximumAssignmentGroup`` atoms, which only a model
/// far denser than a metal makes, is paired closest first; `greedyGroups` counts them.
public func assignAtoms(_ first: [Vector3], _ second: [Vector3], tolerance: Double) -> (matching: AtomMatching, greedyGroups: Int) {
    let grid = NeighborGrid(points: second, maximumRadius: tolerance)
    var edges: [(i: Int, j: Int, d: Double)] = []
    for (i, p) in first.enumerated() {
        grid.forEachNeighbor(of: p, within: tolerance) { j, d2 in edges.append((i, j, d2.squareRoot())) }
    }
    // Groups: union-find over atoms of both models (second's atoms after the first's).
    var parent = Array(0..<(first.count + second.count))
    func root(_ x: Int) -> Int {
        var x = x
        while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
        return x
    }
    for e in edges {
        let a = root(e.i), b = root(first.count + e.j)
        if a != b { parent[a] = b }
    }
    var groups: [Int: [Int]] = [:]
    for (k, e) in edges.enumerated() { groups[root(e.i), default: []].append(k) }
    var pairs: [(first: Int, second: Int, distance: Double)] = []
    var greedy = 0
    for key in groups.keys.sorted() {
        let group = groups[key]!.map { edges[$0] }
        if group.count == 1 { pairs.append((group[0].i, group[0].j, group[0].d)); continue }
        let rows = Array(Set(group.map(\.i))).sorted(), columns = Array(Set(group.map(\.j))).sorted()
        if rows.count + columns.count > maximumAssignmentGroup {
            greedy += 1
            var usedI = Set<Int>(), usedJ = Set<Int>()
            for e in group.sorted(by: { $0.d < $1.d }) where !usedI.contains(e.i) && !usedJ.contains(e.j) {
                usedI.insert(e.i); usedJ.insert(e.j)
                pairs.append((e.i, e.j, e.d))
            }
            continue
        }
        // Square cost matrix: a candidate pair costs its distance less a bonus larger than any
        // group's total distance, so more pairs always win; no pair costs nothing.
        let n = max(rows.count, columns.count)
        let bonus = tolerance * Double(n + 1)
        let rowOf = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let columnOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var cost = [Double](repeating: 0, count: n * n)
        for e in group { cost[rowOf[e.i]! * n + columnOf[e.j]!] = e.d - bonus }
        let assigned = hungarianAssignment(cost: cost, n: n)
        for (r, c) in assigned.enumerated() where r < rows.count && c < columns.count && cost[r * n + c] < 0 {
            pairs.append((rows[r], columns[c], cost[r * n + c] + bonus))
        }
    }
    pairs.sort { $0.first < $1.first }
    var usedFirst = [Bool](repeating: false, count: first.count), usedSecond = [Bool](repeating: false, count: second.count)
    for p in pairs { usedFirst[p.first] = true; usedSecond[p.second] = true }
    let matching = AtomMatching(pairs: pairs, unmatchedFirst: first.indices.filter { !usedFirst[$0] },
                                unmatchedSecond: second.indices.filter { !usedSecond[$0] })
    return (matching, greedy)
}

/// Atoms in one group of candidate pairs beyond which the exact assignment (cubic in the
/// group's size) gives way to closest-first pairing.
package let maximumAssignmentGroup = 400

/// The assignment of `n` rows to `n` columns with the least total cost (`cost` row by row):
/// the column of each row. The Hungarian method with potentials, O(n³).
package func hungarianAssignment(cost: [Double], n: Int) -> [Int] {
    guard n > 0 else { return [] }
    // 1-based rows and columns; column 0 is the method's free slot.
    var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
    var rowOfColumn = [Int](repeating: 0, count: n + 1), way = [Int](repeating: 0, count: n + 1)
    for i in 1...n {
        rowOfColumn[0] = i
        var j0 = 0
        var minimum = [Double](repeating: .infinity, count: n + 1)
        var used = [Bool](repeating: false, count: n + 1)
        repeat {
            used[j0] = true
            let i0 = rowOfColumn[j0]
            var delta = Double.infinity, j1 = 0
            for j in 1...n where !used[j] {
                let reduced = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j]
                if reduced < minimum[j] { minimum[j] = reduced; way[j] = j0 }
                if minimum[j] < delta { delta = minimum[j]; j1 = j }
            }
            for j in 0...n {
                if used[j] { u[rowOfColumn[j]] += delta; v[j] -= delta } else { minimum[j] -= delta }
            }
            j0 = j1
        } while rowOfColumn[j0] != 0
        repeat {
            let j1 = way[j0]
            rowOfColumn[j0] = rowOfColumn[j1]
            j0 = j1
        } while j0 != 0
    }
    var columnOfRow = [Int](repeating: 0, count: n)
    for j in 1...n where rowOfColumn[j] > 0 { columnOfRow[rowOfColumn[j] - 1] = j - 1 }
    return columnOfRow
}
