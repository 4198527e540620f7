/// Centres of the 26-connected components of C > T for many thresholds T in one pass.
///
/// Voxels are bucketed by the highest threshold they exceed and added from the top bucket
/// down, joining their already-added neighbours in a union–find whose roots carry the
/// running sums for the centre of mass. After each bucket, the roots are the components at
/// that threshold. The cost is one pass over the voxels above the lowest threshold,
/// however many thresholds are asked for.
public enum ComponentSweep {
    /// For each threshold (any order), the centres of mass of `weights` (the raw map M) over
    /// each component of `denoised > threshold`, in Å. A component whose weights sum to zero
    /// or less falls back to the centre of mass of the denoised values.
    public static func centres(denoised C: Volume, weights M: Volume, thresholds: [Float]) -> [[Vector3]] {
        guard !thresholds.isEmpty else { return [] }
        let order = thresholds.indices.sorted { thresholds[$0] < thresholds[$1] }
        let sorted = order.map { thresholds[$0] }
        let tLow = sorted[0]
        let nx = C.nx, ny = C.ny, nz = C.nz
        // Voxels above the lowest threshold, their level, and their bounding box.
        var lo = SIMD3<Int>(Int.max, Int.max, Int.max), hi = SIMD3<Int>(-1, -1, -1)
        var fg: [Int32] = []
        var level: [UInt8] = []
        C.values.withUnsafeBufferPointer { c in
            for k in 0..<nz { for j in 0..<ny {
                let row = nx * (j + ny * k)
                for i in 0..<nx {
                    let v = c[row + i]
                    guard v > tLow else { continue }
                    var m = 0
                    while m + 1 < sorted.count && v > sorted[m + 1] { m += 1 }
                    fg.append(Int32(row + i)); level.append(UInt8(m))
                    lo = pointwiseMin(lo, SIMD3(i, j, k)); hi = pointwiseMax(hi, SIMD3(i, j, k))
                }
            }}
        }
        var result = [[Vector3]](repeating: [], count: thresholds.count)
        guard !fg.isEmpty else { return result }
        // Counting sort by level, highest first.
        var bucketStart = [Int](repeating: 0, count: sorted.count + 1)
        for l in level { bucketStart[Int(l) + 1] += 1 }
        for m in 0..<sorted.count { bucketStart[m + 1] += bucketStart[m] }
        var byLevel = [Int32](repeating: 0, count: fg.count)
        var fill = bucketStart
        for (q, l) in level.enumerated() { byLevel[fill[Int(l)]] = fg[q]; fill[Int(l)] += 1 }

        let bx = hi.x - lo.x + 1, by = hi.y - lo.y + 1, bz = hi.z - lo.z + 1
        var node = [Int32](repeating: -1, count: bx * by * bz)
        var uf = UnionFind(capacity: fg.count)
        // Running sums per root: M, M·i, M·j, M·k, then the same with C.
        var sums = [Double](); sums.reserveCapacity(fg.count * 8)
        C.values.withUnsafeBufferPointer { c in
        M.values.withUnsafeBufferPointer { mv in
            for m in stride(from: sorted.count - 1, through: 0, by: -1) {
                for q in bucketStart[m]..<bucketStart[m + 1] {
                    let n = Int(byLevel[q])
                    let i = n % nx, j = (n / nx) % ny, k = n / (nx * ny)
                    let id = uf.add()
                    let w = Double(mv[n]), cw = Double(c[n])
                    sums.append(w); sums.append(w * Double(i)); sums.append(w * Double(j)); sums.append(w * Double(k))
                    sums.append(cw); sums.append(cw * Double(i)); sums.append(cw * Double(j)); sums.append(cw * Double(k))
                    let li = i - lo.x, lj = j - lo.y, lk = k - lo.z
                    node[li + bx * (lj + by * lk)] = id
                    for off in neighborOffsets26 {
                        let ii = li + off.x, jj = lj + off.y, kk = lk + off.z
                        if ii < 0 || jj < 0 || kk < 0 || ii >= bx || jj >= by || kk >= bz { continue }
                        let other = node[ii + bx * (jj + by * kk)]
                        if other < 0 { continue }
                        if let (keep, gone) = uf.union(id, other) {
                            for s in 0..<8 { sums[8 * Int(keep) + s] += sums[8 * Int(gone) + s] }
                        }
                    }
                }
                var centres: [Vector3] = []
                for r in 0..<uf.parent.count where uf.parent[r] == Int32(r) {
                    let b = 8 * r
                    let v: Vector3
                    if sums[b] > 0 {
                        v = Vector3(sums[b + 1], sums[b + 2], sums[b + 3]) / sums[b]
                    } else {
                        v = Vector3(sums[b + 5], sums[b + 6], sums[b + 7]) / sums[b + 4]
                    }
                    centres.append(C.position(voxel: v))
                }
                result[order[m]] = centres
            }
        }
        }
        return result
    }
}
