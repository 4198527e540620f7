/// Centres of the 26-connected components of C > T for many thresholds T in one pass.
///
/// Voxels are bucketed by the highest threshold they exceed and added from the top bucket
/// down. A voxel with no labelled neighbour starts a new component; otherwise it joins its
/// neighbours' components, merging them in a union–find whose roots carry the running sums
/// for the centre of mass. After each bucket, the roots are the components at that
/// threshold. The cost is one pass over the voxels above the lowest threshold, however many
/// thresholds are asked for; the union–find and its sums are per component seed, not per
/// voxel, so they stay in cache.
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
        // Voxels above the lowest threshold with what the sweep needs of them (so it reads
        // them in order rather than gathering from the maps), and their bounding box.
        struct Entry { var i, j, k: UInt16; var level: UInt8; var weight, denoised: Float }
        var loX = Int.max, loY = Int.max, loZ = Int.max, hiX = -1, hiY = -1, hiZ = -1
        var entries: [Entry] = []
        C.values.withUnsafeBufferPointer { c in
        M.values.withUnsafeBufferPointer { mv in
            for k in 0..<nz { for j in 0..<ny {
                let row = nx * (j + ny * k)
                var first = -1, last = -1
                for i in 0..<nx {
                    let v = c[row + i]
                    guard v > tLow else { continue }
                    var m = 0
                    while m + 1 < sorted.count && v > sorted[m + 1] { m += 1 }
                    entries.append(Entry(i: UInt16(i), j: UInt16(j), k: UInt16(k), level: UInt8(m), weight: mv[row + i], denoised: v))
                    if first < 0 { first = i }
                    last = i
                }
                if first >= 0 {
                    loX = min(loX, first); hiX = max(hiX, last)
                    loY = min(loY, j); hiY = max(hiY, j); loZ = min(loZ, k); hiZ = max(hiZ, k)
                }
            }}
        }
        }
        var result = [[Vector3]](repeating: [], count: thresholds.count)
        guard !entries.isEmpty else { return result }
        // Counting sort by level, stable, so each level's voxels stay in scan order.
        var bucketStart = [Int](repeating: 0, count: sorted.count + 1)
        for e in entries { bucketStart[Int(e.level) + 1] += 1 }
        for m in 0..<sorted.count { bucketStart[m + 1] += bucketStart[m] }
        let byLevel = [Entry](unsafeUninitializedCapacity: entries.count) { buffer, initialized in
            var fill = bucketStart
            for e in entries { buffer[fill[Int(e.level)]] = e; fill[Int(e.level)] += 1 }
            initialized = entries.count
        }
        let fgCount = entries.count
        entries = []

        // The bounding box with one voxel of padding on every side, so neighbours need no
        // bounds checks: label[] holds each added voxel's component seed, −1 for none.
        let bx = hiX - loX + 3, by = hiY - loY + 3, bz = hiZ - loZ + 3
        var label = [Int32](repeating: -1, count: bx * by * bz)
        var offsets: [Int] = []
        for dk in -1...1 { for dj in -1...1 { for di in -1...1 where (di, dj, dk) != (0, 0, 0) { offsets.append(di + bx * (dj + by * dk)) } } }
        // Per seed: union–find parent, and sums of M, M·i, M·j, M·k, then the same with C.
        // At most one seed per voxel; only the seeds made are touched.
        let parent = UnsafeMutablePointer<Int32>.allocate(capacity: fgCount)
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 8 * fgCount)
        defer { parent.deallocate(); sums.deallocate() }
        var seeds = 0
        @inline(__always) func find(_ x: Int32) -> Int32 {
            var x = Int(x)
            while parent[x] != Int32(x) {
                let p = parent[Int(parent[x])]
                parent[x] = p
                x = Int(p)
            }
            return Int32(x)
        }
        byLevel.withUnsafeBufferPointer { byLevel in
        label.withUnsafeMutableBufferPointer { lab in
        offsets.withUnsafeBufferPointer { off in
            for m in stride(from: sorted.count - 1, through: 0, by: -1) {
                for q in bucketStart[m]..<bucketStart[m + 1] {
                    let e = byLevel[q]
                    let i = Int(e.i), j = Int(e.j), k = Int(e.k)
                    let cell = (i - loX + 1) + bx * ((j - loY + 1) + by * (k - loZ + 1))
                    // Join every labelled neighbour's component into the first one's.
                    var root: Int32 = -1
                    for o in off {
                        let s = lab[cell + o]
                        if s < 0 { continue }
                        let r = find(s)
                        if root < 0 { root = r; continue }
                        if r == root { continue }
                        parent[Int(r)] = root
                        let a = sums + 8 * Int(root), b = sums + 8 * Int(r)
                        for t in 0..<8 { a[t] += b[t] }
                    }
                    if root < 0 {
                        root = Int32(seeds)
                        parent[seeds] = root
                        (sums + 8 * seeds).initialize(repeating: 0, count: 8)
                        seeds += 1
                    }
                    lab[cell] = root
                    let w = Double(e.weight), cw = Double(e.denoised)
                    let di = Double(i), dj = Double(j), dk = Double(k)
                    let b = sums + 8 * Int(root)
                    b[0] += w; b[1] += w * di; b[2] += w * dj; b[3] += w * dk
                    b[4] += cw; b[5] += cw * di; b[6] += cw * dj; b[7] += cw * dk
                }
                var centres: [Vector3] = []
                for r in 0..<seeds where parent[r] == Int32(r) {
                    let b = sums + 8 * r
                    let v: Vector3
                    if b[0] > 0 {
                        v = Vector3(b[1], b[2], b[3]) / b[0]
                    } else {
                        v = Vector3(b[5], b[6], b[7]) / b[4]
                    }
                    centres.append(C.position(voxel: v))
                }
                result[order[m]] = centres
            }
        }
        }
        }
        return result
    }
}
