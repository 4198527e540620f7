/// Disjoint sets over node indices with union by size and path halving.
struct UnionFind {
    var parent: [Int32]
    var size: [Int32]
    init(capacity: Int) {
        parent = []; size = []
        parent.reserveCapacity(capacity); size.reserveCapacity(capacity)
    }
    mutating func add() -> Int32 {
        let id = Int32(parent.count)
        parent.append(id); size.append(1)
        return id
    }
    mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            let p = parent[Int(parent[Int(x)])]
            parent[Int(x)] = p
            x = p
        }
        return x
    }
    /// Joins the sets of a and b; returns (kept root, absorbed root) or nil if already joined.
    mutating func union(_ a: Int32, _ b: Int32) -> (Int32, Int32)? {
        var ra = find(a), rb = find(b)
        if ra == rb { return nil }
        if size[Int(ra)] < size[Int(rb)] { swap(&ra, &rb) }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
        return (ra, rb)
    }
}

/// Connected groups of voxels, each group's voxels listed together.
public struct ComponentList: Sendable {
    /// Flat voxel indices (in the map the components were found in), grouped by component.
    public let voxels: [Int32]
    /// Component c owns `voxels[start[c]..<start[c + 1]]`.
    public let start: [Int32]

    /// Groups from flat voxel lists: group c owns `voxels[start[c]..<start[c + 1]]`.
    public init(voxels: [Int32], start: [Int32]) {
        precondition(start.first == 0 && start.last.map(Int.init) == voxels.count)
        self.voxels = voxels
        self.start = start
    }

    /// Number of components.
    public var count: Int { start.count - 1 }
    /// The voxels of component `c`.
    public func voxels(of c: Int) -> ArraySlice<Int32> { voxels[Int(start[c])..<Int(start[c + 1])] }
    /// Number of voxels in component `c`.
    public func size(of c: Int) -> Int { Int(start[c + 1] - start[c]) }

    /// The components at `indices`, in that order (a selection of atoms keeps its voxels).
    public func subset(_ indices: [Int]) -> ComponentList {
        var v: [Int32] = [], s: [Int32] = [0]
        v.reserveCapacity(indices.reduce(0) { $0 + size(of: $1) })
        s.reserveCapacity(indices.count + 1)
        for c in indices { v.append(contentsOf: voxels(of: c)); s.append(Int32(v.count)) }
        return ComponentList(voxels: v, start: s)
    }
}

/// The 26 neighbour offsets of a voxel, as (di, dj, dk).
let neighborOffsets26: [SIMD3<Int>] = {
    var out: [SIMD3<Int>] = []
    for k in -1...1 { for j in -1...1 { for i in -1...1 where !(i == 0 && j == 0 && k == 0) { out.append(SIMD3(i, j, k)) } } }
    return out
}()

/// The 26-connected components of the voxels of `volume` whose value exceeds `threshold`,
/// ordered by their first voxel in scan order (x fastest).
package func connectedComponents(of volume: Volume, above threshold: Float) -> ComponentList {
    let nx = volume.nx, ny = volume.ny, nz = volume.nz
    var node = LargeArrays.filled(Int32(-1), count: volume.count)
    var uf = UnionFind(capacity: 1024)
    var members: [Int32] = []
    // The 13 neighbours visited before a voxel in scan order (the only ones that can be
    // labelled yet), as flat offsets for voxels away from the grid's faces.
    var earlier: [Int] = []
    for dk in -1...0 { for dj in -1...1 { for di in -1...1 where dk < 0 || dj < 0 || (dj == 0 && di < 0) {
        earlier.append(di + nx * (dj + ny * dk))
    } } }
    volume.values.withUnsafeBufferPointer { v in
    node.withUnsafeMutableBufferPointer { node in
        for k in 0..<nz {
            for j in 0..<ny {
                forEachIndex(in: v.baseAddress! + nx * (j + ny * k), 0..<nx, above: threshold) { i in
                    let n = i + nx * (j + ny * k)
                    let id = uf.add()
                    node[n] = id
                    members.append(Int32(n))
                    if k > 0 && j > 0 && j < ny - 1 && i > 0 && i < nx - 1 {
                        for o in earlier {
                            let m = node[n + o]
                            if m >= 0 { _ = uf.union(id, m) }
                        }
                        return
                    }
                    // On a face of the grid: neighbours tested one by one.
                    for dk in -1...0 {
                        let kk = k + dk
                        if kk < 0 { continue }
                        for dj in -1...1 {
                            let jj = j + dj
                            if jj < 0 || jj >= ny || (dk == 0 && dj > 0) { continue }
                            for di in -1...1 {
                                let ii = i + di
                                if ii < 0 || ii >= nx || (dk == 0 && dj == 0 && di >= 0) { continue }
                                let m = node[ii + nx * (jj + ny * kk)]
                                if m >= 0 { _ = uf.union(id, m) }
                            }
                        }
                    }
                }
            }
        }
    }
    }
    return groupByRoot(members: members, uf: &uf)
}

/// Groups the member voxels (node i is `members[i]`) by their union-find root, components
/// ordered by their first member.
func groupByRoot(members: [Int32], uf: inout UnionFind) -> ComponentList {
    var label = [Int32](repeating: -1, count: members.count)
    var counts: [Int32] = []
    var rootLabel = [Int32](repeating: -1, count: members.count)
    for i in 0..<members.count {
        let r = Int(uf.find(Int32(i)))
        if rootLabel[r] < 0 { rootLabel[r] = Int32(counts.count); counts.append(0) }
        label[i] = rootLabel[r]
        counts[Int(rootLabel[r])] += 1
    }
    var start = [Int32](repeating: 0, count: counts.count + 1)
    for c in 0..<counts.count { start[c + 1] = start[c] + counts[c] }
    var fill = start
    var voxels = [Int32](repeating: 0, count: members.count)
    for i in 0..<members.count {
        let c = Int(label[i])
        voxels[Int(fill[c])] = members[i]
        fill[c] += 1
    }
    return ComponentList(voxels: voxels, start: start)
}
