import Foundation

/// Rendering density maps from atoms.
public enum MapSimulation {
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
        let nx = grid.nx, ny = grid.ny, nz = grid.nz, h = grid.voxelSize
        // Windows in voxels, and z-ranges so that each slab of z only visits its own atoms.
        struct Window { var lo: SIMD3<Int>; var hi: SIMD3<Int> }
        var windows: [Window] = []
        windows.reserveCapacity(positions.count)
        for (a, p) in positions.enumerated() {
            let u = displacements.isEmpty ? 0 : max(0, SymmetricEigen(displacements[a].tensor).values[0])
            let reach = 4 * (profile.widestVariance + u).squareRoot()
            let c = grid.voxelCoordinate(of: p)
            let lo = SIMD3<Int>(Int(((c.x - reach / h)).rounded(.up)), Int(((c.y - reach / h)).rounded(.up)), Int(((c.z - reach / h)).rounded(.up)))
            let hi = SIMD3<Int>(Int(((c.x + reach / h)).rounded(.down)), Int(((c.y + reach / h)).rounded(.down)), Int(((c.z + reach / h)).rounded(.down)))
            windows.append(Window(lo: pointwiseMax(lo, .zero), hi: pointwiseMin(hi, SIMD3(nx - 1, ny - 1, nz - 1))))
        }
        let slabs = max(1, min(nz, threads * 4))
        let slabSize = (nz + slabs - 1) / slabs
        let values = [Float](unsafeUninitializedCapacity: grid.count) { buffer, initialized in
        buffer.initialize(repeating: 0)
        initialized = grid.count
        let dst = UncheckedSendable(buffer.baseAddress!)
        Parallel.forEach(chunks: slabs, threads: threads) { s in
            let z0 = s * slabSize, z1 = min(nz, z0 + slabSize) - 1
            if z0 > z1 { return }
            var gx = [Double](), gy = [Double](), gz = [Double]()
            for a in positions.indices {
                let w = windows[a]
                let klo = max(w.lo.z, z0), khi = min(w.hi.z, z1)
                if klo > khi || w.lo.x > w.hi.x || w.lo.y > w.hi.y { continue }
                let c = grid.voxelCoordinate(of: positions[a])
                let scale = scales.isEmpty ? 1.0 : scales[a]
                let disp = displacements.isEmpty ? Displacement.none : displacements[a]
                switch disp {
                case .isotropic(let u):
                    // Separable: each term is a product of three 1D Gaussians.
                    for k in profile.weights.indices {
                        let v = profile.variances[k] + u
                        let amp = scale * profile.weights[k] * pow(2 * Double.pi * v, -1.5)
                        gx = (w.lo.x...w.hi.x).map { exp(-pow((Double($0) - c.x) * h, 2) / (2 * v)) }
                        gy = (w.lo.y...w.hi.y).map { exp(-pow((Double($0) - c.y) * h, 2) / (2 * v)) }
                        gz = (klo...khi).map { exp(-pow((Double($0) - c.z) * h, 2) / (2 * v)) }
                        for kk in klo...khi {
                            let fz = amp * gz[kk - klo]
                            for j in w.lo.y...w.hi.y {
                                let fyz = fz * gy[j - w.lo.y]
                                let row = dst.value + (nx * (j + ny * kk))
                                for i in w.lo.x...w.hi.x { row[i] += Float(fyz * gx[i - w.lo.x]) }
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
        return Volume(nx: nx, ny: ny, nz: nz, voxelSize: h, origin: grid.origin, values: values)
    }
}
