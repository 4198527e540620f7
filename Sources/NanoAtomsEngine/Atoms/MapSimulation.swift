import Foundation

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
        precondition(displacements.isEmpty || displacements.count == positions.count)
        precondition(scales.isEmpty || scales.count == positions.count)
        let values = LargeArrays.make(count: grid.count) { (buffer: UnsafeMutableBufferPointer<Float>) in
            buffer.initialize(repeating: 0)
            accumulate(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: RenderGrid(grid),
                       into: buffer.baseAddress!, threads: threads)
        }
        return Volume(nx: grid.nx, ny: grid.ny, nz: grid.nz, voxelSize: grid.voxelSize, origin: grid.origin, values: values)
    }

    /// Adds the atoms at `positions` (rendered as ``render(positions:displacements:scales:profile:grid:threads:)``
    /// would) to `map`: with negated `scales`, takes them away. Refinement updates its model so,
    /// atom by atom, instead of rendering every atom again.
    package static func add(positions: [Vector3], displacements: [Displacement] = [], scales: [Double] = [],
                            profile: AtomProfile, to map: inout Volume, threads: Int = Parallel.availableCores) {
        precondition(displacements.isEmpty || displacements.count == positions.count)
        precondition(scales.isEmpty || scales.count == positions.count)
        guard !positions.isEmpty else { return }
        let grid = RenderGrid(map)
        map.values.withUnsafeMutableBufferPointer { buffer in
            accumulate(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: grid,
                       into: buffer.baseAddress!, threads: threads)
        }
    }

    /// ``render(positions:displacements:scales:profile:grid:threads:)`` into `map`'s own storage,
    /// on its grid: the same values, without a new map-sized buffer (whose fresh pages the
    /// kernel would zero again on every call of a fit's sweep).
    package static func render(positions: [Vector3], displacements: [Displacement] = [], scales: [Double] = [],
                               profile: AtomProfile, into map: inout Volume, threads: Int = Parallel.availableCores) {
        precondition(displacements.isEmpty || displacements.count == positions.count)
        precondition(scales.isEmpty || scales.count == positions.count)
        let grid = RenderGrid(map)
        map.values.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedSendable(buffer.baseAddress!)
            Parallel.forRanges(buffer.count, threads: threads, minimumChunk: 1 << 16) { range in
                (base.value + range.lowerBound).update(repeating: 0, count: range.count)
            }
            accumulate(positions: positions, displacements: displacements, scales: scales, profile: profile, grid: grid,
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
                                   grid: RenderGrid, into buffer: UnsafeMutablePointer<Float>, threads: Int) {
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
        Parallel.forEach(chunks: slabs, threads: threads) { s in
            let z0 = s * slabSize, z1 = min(nz, z0 + slabSize) - 1
            if z0 > z1 { return }
            // 1D factors of the current term, reused from atom to atom.
            let longest = 2 * Int((maximumReach / h).rounded(.up)) + 3 + 8   // + 8: a padded block
            var gx = [Float](repeating: 0, count: longest), gy = gx, gz = gx
            for a in positions.indices {
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
                    // 4·10⁻⁶ of its peak, and the narrow terms cost a fraction of the widest.
                    for k in profile.weights.indices {
                        let v = profile.variances[k] + u
                        guard v > 0 else { continue }     // no Gaussian (a caller's bound failed): nothing to draw
                        let amp = scale * profile.weights[k] * pow(2 * Double.pi * v, -1.5)
                        let r = min(termReachInSigmas * v.squareRoot(), maximumReach) / h
                        let x0 = max(w.lo.x, Int((c.x - r).rounded(.up))), x1 = min(w.hi.x, Int((c.x + r).rounded(.down)))
                        let y0 = max(w.lo.y, Int((c.y - r).rounded(.up))), y1 = min(w.hi.y, Int((c.y + r).rounded(.down)))
                        let z0t = max(klo, Int((c.z - r).rounded(.up))), z1t = min(khi, Int((c.z + r).rounded(.down)))
                        if x0 > x1 || y0 > y1 || z0t > z1t { continue }
                        let f = -h * h / (2 * v)
                        for i in x0...x1 { gx[i - x0] = Float(exp(f * (Double(i) - c.x) * (Double(i) - c.x))) }
                        for j in y0...y1 { gy[j - y0] = Float(amp * exp(f * (Double(j) - c.y) * (Double(j) - c.y))) }
                        for kk in z0t...z1t { gz[kk - z0t] = Float(exp(f * (Double(kk) - c.z) * (Double(kk) - c.z))) }
                        let nxw = x1 - x0 + 1
                        // Rows of 9 to 21 values: in blocks of eight, the last block padded
                        // with zero factors (adding 0 changes nothing) when the row has room,
                        // so that no value is added one at a time.
                        let blocks = x0 + (nxw + 7) / 8 * 8 <= nx ? (nxw + 7) / 8 : nxw / 8
                        for i in nxw..<max(nxw, 8 * blocks) { gx[i] = 0 }
                        gx.withUnsafeBufferPointer { gxb in
                            let g = UnsafeRawPointer(gxb.baseAddress!)
                            for kk in z0t...z1t {
                                let fz = gz[kk - z0t]
                                for j in y0...y1 {
                                    let fyz = fz * gy[j - y0]
                                    let row = dst.value + (nx * (j + ny * kk) + x0)
                                    let raw = UnsafeMutableRawPointer(row)
                                    for b in 0..<blocks {
                                        let v = raw.loadUnaligned(fromByteOffset: 32 * b, as: SIMD8<Float>.self)
                                            + fyz * g.loadUnaligned(fromByteOffset: 32 * b, as: SIMD8<Float>.self)
                                        raw.storeBytes(of: v, toByteOffset: 32 * b, as: SIMD8<Float>.self)
                                    }
                                    for i in (8 * blocks)..<max(8 * blocks, nxw) { row[i] += fyz * g.load(fromByteOffset: 4 * i, as: Float.self) }
                                }
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
