import Foundation
import CKernels

/// Rendering density maps from atoms.
public enum MapSimulation {
    /// Each Gaussian term of an isotropically displaced atom is sampled out to this many of
    /// its own standard deviations (and never beyond the atom's window).
    static let termReachInSigmas = 5.0

    /// Renders atoms at `positions` (Å) onto the grid of `grid`: each atom is `profile`
    /// smeared by its displacement, sampled at voxel centres within its own window
    /// (``AtomProfile/cutoff`` plus 4σ of its displacement).
    ///
    /// - Parameters:
    ///   - displacements: one per atom, or empty for no motion.
    ///   - scales: one intensity factor per atom, or empty for 1.
    /// - Returns: a map on the same grid as `grid` holding only the simulated atoms.
    public static func render(
        positions: [Vector3], displacements: [Displacement] = [], scales: [Double] = [],
        profile: AtomProfile, grid: Volume, threads: Int = Parallel.availableCores
    ) -> Volume {
        render(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: grid, threads: threads,
               vectorKernel: AtomWindowKernel.vectorAvailable)
    }

    /// ``render(positions:displacements:scales:profile:grid:threads:)`` with the row kernel's
    /// vector path on or off (tests hold the two to the same map).
    package static func render(positions: [Vector3], displacements: [Displacement] = [], scales: [Double] = [],
                               profile: AtomProfile, grid: Volume, threads: Int, vectorKernel: Bool) -> Volume {
        precondition(displacements.isEmpty || displacements.count == positions.count)
        precondition(scales.isEmpty || scales.count == positions.count)
        let values = LargeArrays.make(count: grid.count) { (buffer: UnsafeMutableBufferPointer<Float>) in
            buffer.initialize(repeating: 0)
            _ = accumulate(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: RenderGrid(grid),
                           into: buffer.baseAddress!, threads: threads, vector: vectorKernel)
        }
        return Volume(nx: grid.nx, ny: grid.ny, nz: grid.nz, voxelSize: grid.voxelSize, origin: grid.origin, values: values)
    }

    /// Adds the atoms at `positions` (rendered as ``render(positions:displacements:scales:profile:grid:threads:)``
    /// would) to `map`: with negated `scales`, takes them away. Refinement updates its model so,
    /// atom by atom, instead of rendering every atom again.
    ///
    /// - Returns: the box of voxels the atoms reach (nil when none does).
    @discardableResult
    package static func add(positions: [Vector3], displacements: [Displacement] = [], scales: [Double] = [],
                            profile: AtomProfile, to map: inout Volume, threads: Int = Parallel.availableCores) -> VoxelBox? {
        precondition(displacements.isEmpty || displacements.count == positions.count)
        precondition(scales.isEmpty || scales.count == positions.count)
        guard !positions.isEmpty else { return nil }
        let grid = RenderGrid(map)
        return map.values.withUnsafeMutableBufferPointer { buffer in
            accumulate(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: grid,
                       into: buffer.baseAddress!, threads: threads)
        }
    }

    /// ``render(positions:displacements:scales:profile:grid:threads:)`` into `map`'s own storage,
    /// on its grid: the same values, without a new map-sized buffer (whose fresh pages the
    /// kernel would zero again on every call of a fit's sweep).
    ///
    /// - Parameter clearing: where `map` may be non-zero (it must be zero outside): only this
    ///   box is cleared first. Nil clears the whole map. A fit passes the box its model's atoms
    ///   reached, so that a small particle in a large box costs its own box, not the map's.
    /// - Returns: the box of voxels the atoms reach (nil when none does): outside it the map
    ///   is now zero.
    @discardableResult
    package static func render(positions: [Vector3], displacements: [Displacement] = [], scales: [Double] = [],
                               profile: AtomProfile, into map: inout Volume, clearing: VoxelBox? = nil,
                               threads: Int = Parallel.availableCores) -> VoxelBox? {
        precondition(displacements.isEmpty || displacements.count == positions.count)
        precondition(scales.isEmpty || scales.count == positions.count)
        let grid = RenderGrid(map)
        let (nx, ny) = (map.nx, map.ny)
        let box = clearing.map { VoxelBox(lo: pointwiseMax($0.lo, .zero), hi: pointwiseMin($0.hi, map.dimensions &- 1)) } ?? VoxelBox(wholeOf: map)
        return map.values.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedSendable(buffer.baseAddress!)
            if box.lo == .zero && box.dims == SIMD3(nx, ny, buffer.count / max(1, nx * ny)) {
                Parallel.forRanges(buffer.count, threads: threads, minimumChunk: 1 << 16) { range in
                    (base.value + range.lowerBound).update(repeating: 0, count: range.count)
                }
            } else if box.count > 0 {
                Parallel.forRanges(box.dims.z, threads: threads, minimumChunk: 1) { planes in
                    for k in planes { for j in 0..<box.dims.y {
                        (base.value + (box.lo.x + nx * (box.lo.y + j + ny * (box.lo.z + k)))).update(repeating: 0, count: box.dims.x)
                    } }
                }
            }
            return accumulate(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: grid,
                              into: buffer.baseAddress!, threads: threads)
        }
    }

    /// A map's grid without its values.
    private struct RenderGrid {
        let nx, ny, nz: Int
        let voxelSize: Double
        let origin: Vector3
        init(_ v: Volume) { (nx, ny, nz, voxelSize, origin) = (v.nx, v.ny, v.nz, v.voxelSize, v.origin) }
        func voxelCoordinate(of p: Vector3) -> Vector3 { (p - origin) / voxelSize }
    }

    /// The rendering itself: adds every atom's density to `buffer`, a map on `grid`. Threads own
    /// slabs of z, so no two write one voxel.
    private static func accumulate(positions: [Vector3], displacements: [Displacement], scales: [Double], profile: AtomProfile,
                                   grid: RenderGrid, into buffer: UnsafeMutablePointer<Float>, threads: Int,
                                   vector: Bool = AtomWindowKernel.vectorAvailable) -> VoxelBox? {
        let nx = grid.nx, ny = grid.ny, nz = grid.nz, h = grid.voxelSize
        // Windows in voxels, and z-ranges so that each slab of z only visits its own atoms.
        struct Window { var lo: SIMD3<Int>; var hi: SIMD3<Int> }
        var windows: [Window] = []
        windows.reserveCapacity(positions.count)
        var maximumReach = 0.0
        for (a, p) in positions.enumerated() {
            // The largest principal displacement; an isotropic one is its own (no eigen-solve per
            // atom: refinement renders every atom in every sweep).
            let u: Double
            if displacements.isEmpty { u = 0 }
            else if case .isotropic(let v) = displacements[a] { u = max(0, v) }
            else { u = max(0, SymmetricEigen(displacements[a].tensor).values[0]) }
            let reach = 4 * (profile.widestVariance + u).squareRoot()
            let c = grid.voxelCoordinate(of: p)
            // An atom that is not a number anywhere (position, width or scale), or absurdly far
            // off the grid, draws nothing: its window is empty.
            var finite = true
            if case .isotropic(let v) = (displacements.isEmpty ? Displacement.none : displacements[a]) { finite = v.isFinite }
            if !scales.isEmpty && !scales[a].isFinite { finite = false }
            let limit = Double(1 << 40)
            guard finite, reach.isFinite, abs(c.x) < limit, abs(c.y) < limit, abs(c.z) < limit else {
                windows.append(Window(lo: SIMD3(repeating: 1), hi: .zero))
                continue
            }
            maximumReach = max(maximumReach, reach)
            let lo = SIMD3<Int>(Int(((c.x - reach / h)).rounded(.up)), Int(((c.y - reach / h)).rounded(.up)), Int(((c.z - reach / h)).rounded(.up)))
            let hi = SIMD3<Int>(Int(((c.x + reach / h)).rounded(.down)), Int(((c.y + reach / h)).rounded(.down)), Int(((c.z + reach / h)).rounded(.down)))
            windows.append(Window(lo: pointwiseMax(lo, .zero), hi: pointwiseMin(hi, SIMD3(nx - 1, ny - 1, nz - 1))))
        }
        let slabs = max(1, min(nz, threads * 4))
        let slabSize = (nz + slabs - 1) / slabs
        let dst = UncheckedSendable(buffer)
        // Atoms in Z-order of their windows (blocks of four voxels): each atom's rows are then
        // mostly still in cache from the atom before it. The work is bound by the map's
        // memory, not by the arithmetic. (The sum at a voxel is then in another order than the
        // caller's; the order is fixed by the positions, so the result is deterministic.)
        let order = SpatialOrder.zOrder(windows.map { $0.lo / 4 })
        Parallel.forEach(chunks: slabs, threads: threads) { s in
            let z0 = s * slabSize, z1 = min(nz, z0 + slabSize) - 1
            if z0 > z1 { return }
            // 1D factors of every term, reused from atom to atom: term q's x factors at
            // q·stride (eight zeros past the longest box, for the kernel's blocks), its y and
            // z ones packed by the atom's box (at q·wy and q·wz).
            let longest = 2 * Int((maximumReach / h).rounded(.up)) + 3
            let stride = (longest + 7) / 8 * 8 + 8
            let terms = profile.weights.count
            var gx = [Float](repeating: 0, count: terms * stride), gy = [Float](repeating: 0, count: terms * longest), gz = gy
            for a in order {
                let w = windows[a]
                let klo = max(w.lo.z, z0), khi = min(w.hi.z, z1)
                if klo > khi || w.lo.x > w.hi.x || w.lo.y > w.hi.y { continue }
                let c = grid.voxelCoordinate(of: positions[a])
                let scale = scales.isEmpty ? 1.0 : scales[a]
                let disp = displacements.isEmpty ? Displacement.none : displacements[a]
                switch disp {
                case .isotropic(let u):
                    // Separable: each term is a product of three 1D Gaussians, sampled within
                    // its own 5σ (at most the atom's window): beyond it a term is below
                    // 4·10⁻⁶ of its peak (its factors there are zero, and the kernel skips a
                    // row or plane it does not reach), and the narrow terms cost a fraction of
                    // the widest.
                    let wx = w.hi.x - w.lo.x + 1, wy = w.hi.y - w.lo.y + 1, wz = khi - klo + 1
                    for k in 0..<terms {
                        let v = profile.variances[k] + u
                        let amp = scale * profile.weights[k] * pow(2 * Double.pi * v, -1.5)
                        let r = v > 0 ? min(termReachInSigmas * v.squareRoot(), maximumReach) / h : -1
                        let f = -h * h / (2 * v)
                        // No Gaussian (v ≤ 0: a caller's bound failed): all factors zero, nothing drawn.
                        func fill(_ g: inout [Float], _ base: Int, _ lo: Int, _ count: Int, _ centre: Double, _ factor: Double) {
                            g.withUnsafeMutableBufferPointer { b in
                                GaussianSamples.fill(b.baseAddress! + base, count: count, first: Double(lo) - centre, step: 1,
                                                     f: f, scale: factor, reach: r)
                            }
                        }
                        fill(&gx, k * stride, w.lo.x, wx, c.x, 1)
                        for q in wx..<stride { gx[k * stride + q] = 0 }   // the kernel's padded last block adds 0
                        fill(&gy, k * wy, w.lo.y, wy, c.y, amp)
                        fill(&gz, k * wz, klo, wz, c.z, 1)
                    }
                    gx.withUnsafeBufferPointer { gxb in
                        gy.withUnsafeBufferPointer { gyb in
                            gz.withUnsafeBufferPointer { gzb in
                                var job = nanoatoms_atom_render(map: dst.value, nx: nx, nxy: nx * ny, i0: w.lo.x, j0: w.lo.y, k0: klo,
                                                                wx: wx, wy: wy, wz: wz, sx: stride, room: nx - w.lo.x,
                                                                gx: gxb.baseAddress, gy: gyb.baseAddress, gz: gzb.baseAddress, terms: terms)
                                nanoatoms_render_atom(&job, vector ? 1 : 0)
                            }
                        }
                    }
                case .anisotropic(let U):
                    // Term k is a Gaussian of covariance vₖ I + U.
                    var inverses: [Matrix3] = [], amps: [Double] = []
                    for k in profile.weights.indices {
                        var cov = U
                        for d in 0..<3 { cov[d, d] += profile.variances[k] }
                        guard let inv = cov.inverse, cov.determinant > 0 else { continue }
                        inverses.append(inv)
                        amps.append(scale * profile.weights[k] / (pow(2 * Double.pi, 1.5) * cov.determinant.squareRoot()))
                    }
                    for kk in klo...khi {
                        for j in w.lo.y...w.hi.y {
                            let row = dst.value + (nx * (j + ny * kk))
                            for i in w.lo.x...w.hi.x {
                                let d = Vector3(Double(i) - c.x, Double(j) - c.y, Double(kk) - c.z) * h
                                var v = 0.0
                                for t in inverses.indices { v += amps[t] * exp(-0.5 * d.dot(inverses[t] * d)) }
                                row[i] += Float(v)
                            }
                        }
                    }
                }
            }
        }
        // The box the atoms reached.
        var lo = SIMD3<Int>(repeating: Int.max), hi = SIMD3<Int>(repeating: Int.min)
        for w in windows where w.lo.x <= w.hi.x && w.lo.y <= w.hi.y && w.lo.z <= w.hi.z {
            lo = pointwiseMin(lo, w.lo); hi = pointwiseMax(hi, w.hi)
        }
        return lo.x <= hi.x ? VoxelBox(lo: lo, hi: hi) : nil
    }

    /// The map of `atoms` on `grid`'s grid, each atom rendered with its own element's Peng
    /// scattering (``AtomSet/elements``) and, when `motion` is given, smeared by that isotropic
    /// mean-square displacement (Å², one per atom).
    public static func render(atoms: AtomSet, motion: [Double]? = nil, grid: Volume, threads: Int = Parallel.availableCores) -> Volume {
        let present = atoms.elementsPresent
        if present.count <= 1 {
            return render(positions: atoms.positions, displacements: motion.map { $0.map { .isotropic($0) } } ?? [],
                          profile: AtomProfile.peng(atoms.element, voxelSize: grid.voxelSize), grid: grid, threads: threads)
        }
        let each = atoms.elements
        var map = Volume(sameGridAs: grid)
        for e in present {
            let mine = atoms.positions.indices.filter { each[$0] == e }
            let part = render(positions: mine.map { atoms.positions[$0] }, displacements: motion.map { m in mine.map { .isotropic(m[$0]) } } ?? [],
                              profile: AtomProfile.peng(e, voxelSize: grid.voxelSize), grid: grid, threads: threads)
            for q in 0..<map.count { map.values[q] += part.values[q] }
        }
        return map
    }
}
