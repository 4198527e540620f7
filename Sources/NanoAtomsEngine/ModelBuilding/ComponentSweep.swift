/// Centres of the 26-connected components of C > T for many thresholds T in one pass.
///
/// The voxels above a floor are collected once (with what the sweep needs of them, so it
/// reads them in order rather than gathering from the maps); each sweep then buckets them by
/// the highest threshold they exceed and adds them from the top bucket down. A voxel with no
/// labelled neighbour starts a new component; otherwise it joins its neighbours' components,
/// merging them in a union–find whose roots carry the running sums for the centre of mass.
/// After each bucket, the roots are the components at that threshold. The cost is one pass
/// over the voxels above the lowest threshold, however many thresholds are asked for; the
/// union–find and its sums are per component seed, not per voxel, so they stay in cache.
public struct ComponentSweep: Sendable {
    /// One voxel above the floor: its grid position, M and C.
    struct Entry { var i, j, k: UInt16; var weight, denoised: Float }

    /// The voxels above the floor, in scan order (x fastest).
    private let entries: [Entry]
    /// The grid's origin and voxel size, for converting voxel coordinates to Å.
    private let origin: Vector3, voxelSize: Double
    /// The value the voxels exceed; thresholds below it see only these voxels.
    public let floor: Float
    /// The bounding box of the voxels above the floor, or nil when there are none.
    public let bounds: VoxelBox?

    /// Collects the voxels of `denoised` (C) above `floor`, with their values in `weights`
    /// (the raw map M, on the same grid).
    public init(denoised C: Volume, weights M: Volume, above floor: Float) {
        precondition(C.dimensions == M.dimensions, "C and M must share a grid")
        precondition(C.nx <= Int(UInt16.max) && C.ny <= Int(UInt16.max) && C.nz <= Int(UInt16.max))
        self.floor = floor
        origin = C.origin
        voxelSize = C.voxelSize
        let nx = C.nx, ny = C.ny, nz = C.nz
        var lo = SIMD3<Int>(repeating: .max), hi = SIMD3<Int>(repeating: -1)
        var entries: [Entry] = []
        C.values.withUnsafeBufferPointer { c in
        M.values.withUnsafeBufferPointer { mv in
            var count = 0
            for row in 0..<(ny * nz) { forEachIndex(in: c.baseAddress! + nx * row, 0..<nx, above: floor) { _ in count += 1 } }
            entries.reserveCapacity(count)
            for k in 0..<nz { for j in 0..<ny {
                let row = nx * (j + ny * k)
                var first = -1, last = -1
                forEachIndex(in: c.baseAddress! + row, 0..<nx, above: floor) { i in
                    entries.append(Entry(i: UInt16(i), j: UInt16(j), k: UInt16(k), weight: mv[row + i], denoised: c[row + i]))
                    if first < 0 { first = i }
                    last = i
                }
                if first >= 0 {
                    lo = pointwiseMin(lo, SIMD3(first, j, k))
                    hi = pointwiseMax(hi, SIMD3(last, j, k))
                }
            }}
        }
        }
        self.entries = entries
        bounds = hi.x < 0 ? nil : VoxelBox(lo: lo, hi: hi)
    }

    /// For each threshold (any order, none below `floor`), the centres of mass of M over each
    /// component of C > threshold, in Å. A component whose weights sum to zero or less falls
    /// back to the centre of mass of the denoised values.
    public func centres(thresholds: [Float]) -> [[Vector3]] {
        precondition(thresholds.allSatisfy { $0 >= floor }, "thresholds below the sweep's floor")
        precondition(thresholds.count < Int(UInt8.max), "at most 254 thresholds per sweep")
        var result = [[Vector3]](repeating: [], count: thresholds.count)
        guard !thresholds.isEmpty, let bounds else { return result }
        let order = thresholds.indices.sorted { thresholds[$0] < thresholds[$1] }
        let sorted = order.map { thresholds[$0] }
        // Each voxel's level (the highest threshold it exceeds), then a stable counting sort
        // by level, so each level's voxels stay in scan order.
        var levels = [UInt8](repeating: .max, count: entries.count)
        var bucketStart = [Int](repeating: 0, count: sorted.count + 1)
        for (n, e) in entries.enumerated() where e.denoised > sorted[0] {
            var m = 0
            while m + 1 < sorted.count && e.denoised > sorted[m + 1] { m += 1 }
            levels[n] = UInt8(m)
            bucketStart[m + 1] += 1
        }
        for m in 0..<sorted.count { bucketStart[m + 1] += bucketStart[m] }
        let used = bucketStart[sorted.count]
        guard used > 0 else { return result }
        let byLevel = [Entry](unsafeUninitializedCapacity: used) { buffer, initialized in
            var fill = bucketStart
            for (n, e) in entries.enumerated() where levels[n] != .max {
                buffer[fill[Int(levels[n])]] = e
                fill[Int(levels[n])] += 1
            }
            initialized = used
        }

        // The bounding box with one voxel of padding on every side (and four spare values at
        // the end for the last row's vector load), so neighbours need no bounds checks:
        // label[] holds each added voxel's component seed, −1 for none.
        let lo = bounds.lo
        let bx = bounds.dims.x + 2, by = bounds.dims.y + 2, bz = bounds.dims.z + 2
        var label = LargeArrays.filled(Int32(-1), count: bx * by * bz + 4)
        // The nine rows of three neighbours, as offsets of each row's middle voxel.
        var rowOffsets: [Int] = []
        for dk in -1...1 { for dj in -1...1 { rowOffsets.append(bx * (dj + by * dk)) } }
        // Per seed: union–find parent, and sums of M, M·i, M·j, M·k, then the same with C.
        // At most one seed per voxel; only the seeds made are touched.
        let parent = UnsafeMutablePointer<Int32>.allocate(capacity: used)
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 8 * used)
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
        let lastLane = SIMD4<Int32>(0, 0, 0, 1) .== 1
        byLevel.withUnsafeBufferPointer { byLevel in
        label.withUnsafeMutableBufferPointer { lab in
        rowOffsets.withUnsafeBufferPointer { ro in
            let labRaw = UnsafeRawPointer(lab.baseAddress!)
            for m in stride(from: sorted.count - 1, through: 0, by: -1) {
                for q in bucketStart[m]..<bucketStart[m + 1] {
                    let e = byLevel[q]
                    let i = Int(e.i), j = Int(e.j), k = Int(e.k)
                    let cell = (i - lo.x + 1) + bx * ((j - lo.y + 1) + by * (k - lo.z + 1))
                    // The 26 neighbours' seeds as nine rows of three (a fourth lane masked
                    // off). Neighbours mostly share a few seeds, so rather than 26 tests the
                    // distinct seeds are taken one at a time: the largest left is found,
                    // joined to the first one's component, and erased from the rows.
                    @inline(__always) func row(_ o: Int) -> SIMD4<Int32> {
                        var v = labRaw.loadUnaligned(fromByteOffset: 4 * (cell + o - 1), as: SIMD4<Int32>.self)
                        v.replace(with: -1, where: lastLane)
                        return v
                    }
                    var v0 = row(ro[0]), v1 = row(ro[1]), v2 = row(ro[2]), v3 = row(ro[3]), v4 = row(ro[4])
                    var v5 = row(ro[5]), v6 = row(ro[6]), v7 = row(ro[7]), v8 = row(ro[8])
                    var root: Int32 = -1
                    while true {
                        let s = pointwiseMax(pointwiseMax(pointwiseMax(v0, v1), pointwiseMax(v2, v3)),
                                             pointwiseMax(pointwiseMax(v4, v5), pointwiseMax(pointwiseMax(v6, v7), v8))).max()
                        if s < 0 { break }
                        let r = find(s)
                        if root < 0 {
                            root = r
                        } else if r != root {
                            parent[Int(r)] = root
                            let a = sums + 8 * Int(root), b = sums + 8 * Int(r)
                            for t in 0..<8 { a[t] += b[t] }
                        }
                        let seen = SIMD4<Int32>(repeating: s)
                        v0.replace(with: -1, where: v0 .== seen); v1.replace(with: -1, where: v1 .== seen)
                        v2.replace(with: -1, where: v2 .== seen); v3.replace(with: -1, where: v3 .== seen)
                        v4.replace(with: -1, where: v4 .== seen); v5.replace(with: -1, where: v5 .== seen)
                        v6.replace(with: -1, where: v6 .== seen); v7.replace(with: -1, where: v7 .== seen)
                        v8.replace(with: -1, where: v8 .== seen)
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
                    centres.append(origin + v * voxelSize)
                }
                result[order[m]] = centres
            }
        }
        }
        }
        return result
    }

    /// For each threshold (any order), the centres of mass of `weights` (the raw map M) over
    /// each component of `denoised > threshold`, in Å: a sweep made for these thresholds only.
    public static func centres(denoised C: Volume, weights M: Volume, thresholds: [Float]) -> [[Vector3]] {
        guard let floor = thresholds.min() else { return [] }
        return ComponentSweep(denoised: C, weights: M, above: floor).centres(thresholds: thresholds)
    }
}
