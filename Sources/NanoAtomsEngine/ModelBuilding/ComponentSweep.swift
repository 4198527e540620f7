import CKernels

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
package struct ComponentSweep: Sendable {
    /// One voxel above the floor: its grid position, M and C (a C type: the merge loop is C).
    typealias Entry = nanoatoms_sweep_entry

    /// The voxels above the floor, in scan order (x fastest).
    private let entries: [Entry]
    /// The grid's origin and voxel size, for converting voxel coordinates to Å.
    private let origin: Vector3, voxelSize: Double
    /// The value the voxels exceed; thresholds below it see only these voxels.
    package let floor: Float
    /// The bounding box of the voxels above the floor, or nil when there are none.
    package let bounds: VoxelBox?

    /// Collects the voxels of `denoised` (C) above `floor`, with their values in `weights`
    /// (the raw map M, on the same grid).
    package init(denoised C: Volume, weights M: Volume, above floor: Float) {
        precondition(C.dimensions == M.dimensions, "C and M must share a grid")
        precondition(C.nx <= Int(UInt16.max) && C.ny <= Int(UInt16.max) && C.nz <= Int(UInt16.max))
        self.floor = floor
        origin = C.origin
        voxelSize = C.voxelSize
        let nx = C.nx, ny = C.ny, nz = C.nz
        var box = RowSpanBounds()
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
                if first >= 0 { box.add(first, last, row: j, plane: k) }
            }}
        }
        }
        self.entries = entries
        bounds = box.bounds.map { VoxelBox(lo: $0.lo, hi: $0.hi) }
    }

    /// For each threshold (any order, none below `floor`), the centres of mass of M over each
    /// component of C > threshold, in Å. A component whose weights sum to zero or less falls
    /// back to the centre of mass of the denoised values.
    package func centres(thresholds: [Float]) -> [[Vector3]] {
        centres(thresholds: thresholds, vector: ComponentSweep.hasSSE41)
    }

    /// The same with the merge loop chosen: `vector` only where ``hasSSE41`` (tests run both).
    func centres(thresholds: [Float], vector: Bool) -> [[Vector3]] {
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
        entries.withUnsafeBufferPointer { entries in
        levels.withUnsafeMutableBufferPointer { levels in
        sorted.withUnsafeBufferPointer { sorted in
            for n in entries.indices where entries[n].denoised > sorted[0] {
                // The thresholds ascend, so the level is the count of those above the first
                // that the voxel exceeds: counted without branches.
                let c = entries[n].denoised
                var m = 0
                for t in 1..<sorted.count { m += c > sorted[t] ? 1 : 0 }
                levels[n] = UInt8(m)
                bucketStart[m + 1] += 1
            }
        }
        }
        }
        for m in 0..<sorted.count { bucketStart[m + 1] += bucketStart[m] }
        let used = bucketStart[sorted.count]
        guard used > 0 else { return result }
        let byLevel = [Entry](unsafeUninitializedCapacity: used) { buffer, initialized in
            var fill = bucketStart
            entries.withUnsafeBufferPointer { entries in
            levels.withUnsafeBufferPointer { levels in
                for n in entries.indices where levels[n] != .max {
                    let m = Int(levels[n])
                    (buffer.baseAddress! + fill[m]).initialize(to: entries[n])
                    fill[m] += 1
                }
            }
            }
            initialized = used
        }

        // The bounding box with one voxel of padding on every side (and four spare values at
        // the end for the last row's vector load), so neighbours need no bounds checks:
        // label[] holds each added voxel's component seed, −1 for none.
        let lo = bounds.lo
        let bx = bounds.dims.x + 2, by = bounds.dims.y + 2, bz = bounds.dims.z + 2
        var label = LargeArrays.filled(Int32(-1), count: bx * by * bz + 4)
        // Per seed: union–find parent, and sums of M, M·i, M·j, M·k, then the same with C.
        // At most one seed per voxel; only the seeds made are touched.
        let parent = UnsafeMutablePointer<Int32>.allocate(capacity: used)
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 8 * used)
        defer { parent.deallocate(); sums.deallocate() }
        byLevel.withUnsafeBufferPointer { byLevel in
        label.withUnsafeMutableBufferPointer { lab in
            var state = nanoatoms_sweep_state()
            state.label = lab.baseAddress!; state.parent = parent; state.sums = sums
            // The nine rows of three neighbours, as offsets of each row's middle voxel.
            withUnsafeMutableBytes(of: &state.rowOffsets) { raw in
                let offsets = raw.bindMemory(to: Int.self)
                for dk in -1...1 { for dj in -1...1 { offsets[3 * (dk + 1) + (dj + 1)] = bx * (dj + by * dk) } }
            }
            state.lox = lo.x; state.loy = lo.y; state.loz = lo.z; state.bx = bx; state.by = by
            state.seeds = 0
            for m in stride(from: sorted.count - 1, through: 0, by: -1) {
                // The level's voxels join the components of their labelled neighbours
                // (or start new ones), in C: see Sources/CKernels/SweepKernels.c.
                nanoatoms_sweep_add(&state, byLevel.baseAddress! + bucketStart[m], bucketStart[m + 1] - bucketStart[m],
                                    vector ? 1 : 0)
                let seeds = state.seeds
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
        return result
    }

    /// Whether the CPU runs the SSE4.1 merge loop (checked once).
    static let hasSSE41 = nanoatoms_has_sse41() != 0

    /// For each threshold (any order), the centres of mass of `weights` (the raw map M) over
    /// each component of `denoised > threshold`, in Å: a sweep made for these thresholds only.
    package static func centres(denoised C: Volume, weights M: Volume, thresholds: [Float]) -> [[Vector3]] {
        guard let floor = thresholds.min() else { return [] }
        return ComponentSweep(denoised: C, weights: M, above: floor).centres(thresholds: thresholds)
    }
}
