import Foundation

/// An atom's displacement parameters fitted to its density in the raw map.
package struct DisplacementFit: Sendable {
    /// Isotropic variance of the atom's density, Å² (the paper's U_iso = σ_g²); NaN when the
    /// fit fails (fewer than 2 positive voxels, or a density that does not fall off).
    package var uiso: Double
    /// The anisotropic covariance Σ (Å², Cartesian x, y, z), nil when the fit is invalid.
    package var tensor: Matrix3?
    /// Eigenvalues of Σ, largest first: U_maj, U_med, U_min (Å²); NaN when invalid.
    package var principal: [Double]
    /// Eigenvector of U_maj.
    package var majorAxis: Vector3?

    /// DOI = U_min / U_maj, the paper's degree of isotropy (NaN when invalid).
    package var degreeOfIsotropy: Double { principal[2] / principal[0] }
    /// Whether the anisotropic fit is valid.
    package var anisotropicValid: Bool { tensor != nil }
}

/// The fraction of half the fcc nearest-neighbour distance, a/(2√2), used as the fitting
/// radius: "the factor of 3/4 prevented fitting of the tails of other atoms" (paper).
package let displacementFitFraction = 0.75

/// The paper's fitting radius for lattice constant `a`: (3/4) · a/(2√2), Å.
package func displacementFitRadius(latticeConstant a: Double) -> Double {
    displacementFitFraction * a / (2 * 2.0.squareRoot())
}

/// An anisotropic fit is rejected when an eigenvalue of Σ exceeds this many times the squared
/// fitting radius ("4 times the square of the fitting radius", paper).
package let anisotropicRejectionFactor = 4.0

/// Fits each atom's density in `map` within a sphere of `radius` Å around its centre, using
/// only voxels with positive intensity, by the paper's weighted log-linear least squares:
/// ln I ≈ β₀ + β₁ r² (weights I) for U_iso = −1/(2β₁), and
/// ln I ≈ β₀ + β₁x² + β₂y² + β₃z² + β₄xy + β₅xz + β₆yz for Σ⁻¹ = −[[2β₁, β₄, β₅], [β₄, 2β₂, β₆], [β₅, β₆, 2β₃]].
/// An anisotropic fit whose Σ⁻¹ is not positive definite, or with an eigenvalue of Σ above
/// 4·radius², is marked invalid rather than reported.
package func fitDisplacements(map: Volume, positions: [Vector3], radius: Double, threads: Int = Parallel.availableCores) -> [DisplacementFit] {
    let invalid = DisplacementFit(uiso: .nan, tensor: nil, principal: [.nan, .nan, .nan], majorAxis: nil)
    var out = [DisplacementFit](repeating: invalid, count: positions.count)
    let h = map.voxelSize
    out.withUnsafeMutableBufferPointer { res in
        let dst = UncheckedSendable(res.baseAddress!)
        Parallel.forRanges(positions.count, threads: threads, minimumChunk: 16) { range in
            for a in range {
                let c = map.voxelCoordinate(of: positions[a])
                let r = radius / h
                // Σw, Σw r², Σw r⁴, Σw lnI, Σw r² lnI; and the normal equations of the
                // anisotropic fit (upper triangle of A), in fixed storage: no array per voxel.
                var iso0 = 0.0, iso1 = 0.0, iso2 = 0.0, iso3 = 0.0, iso4 = 0.0
                var A = [Double](repeating: 0, count: 49), b = [Double](repeating: 0, count: 7)
                var n = 0
                let lo = SIMD3<Int>(Int((c.x - r).rounded(.up)), Int((c.y - r).rounded(.up)), Int((c.z - r).rounded(.up)))
                let hi = SIMD3<Int>(Int((c.x + r).rounded(.down)), Int((c.y + r).rounded(.down)), Int((c.z + r).rounded(.down)))
                guard lo.x <= hi.x, lo.y <= hi.y, lo.z <= hi.z else { continue }
                A.withUnsafeMutableBufferPointer { A in
                b.withUnsafeMutableBufferPointer { b in
                map.values.withUnsafeBufferPointer { values in
                    // The window's voxels inside the map, in the same order as before clipping.
                    for k in stride(from: max(0, lo.z), through: min(map.nz - 1, hi.z), by: 1) {
                        for j in stride(from: max(0, lo.y), through: min(map.ny - 1, hi.y), by: 1) {
                            for i in stride(from: max(0, lo.x), through: min(map.nx - 1, hi.x), by: 1) {
                                let d = (Vector3(Double(i), Double(j), Double(k)) - c) * h
                                let r2 = d.lengthSquared
                                let w = Double(values[i + map.nx * (j + map.ny * k)])
                                guard r2 <= radius * radius, w > 0 else { continue }
                                let l = log(w)
                                iso0 += w; iso1 += w * r2; iso2 += w * r2 * r2; iso3 += w * l; iso4 += w * r2 * l
                                let row = SIMD8<Double>(1, d.x * d.x, d.y * d.y, d.z * d.z, d.x * d.y, d.x * d.z, d.y * d.z, 0)
                                for p in 0..<7 {
                                    let wp = w * row[p]
                                    for q in p..<7 { A[7 * p + q] += wp * row[q] }
                                    b[p] += wp * l
                                }
                                n += 1
                            }
                        }
                    }
                }
                }
                }
                var fit = invalid
                let det = iso0 * iso2 - iso1 * iso1
                if n >= 2, det > 0 {
                    let b1 = (iso0 * iso4 - iso1 * iso3) / det
                    if b1 < 0 { fit.uiso = -1 / (2 * b1) }
                }
                for p in 0..<7 { for q in 0..<p { A[7 * p + q] = A[7 * q + p] } }
                if n >= 7, let beta = solveLinearSystem(A, b, n: 7) {
                    let sInv = Matrix3([-2 * beta[1], -beta[4], -beta[5], -beta[4], -2 * beta[2], -beta[6], -beta[5], -beta[6], -2 * beta[3]])
                    let e = SymmetricEigen(sInv)
                    if e.values.allSatisfy({ $0 > 0 }), let sigma = sInv.inverse {
                        let lambda = e.values.map { 1 / $0 }.sorted(by: >)
                        if lambda[0] <= anisotropicRejectionFactor * radius * radius {
                            fit.tensor = sigma
                            fit.principal = lambda
                            let v = e.vectors[2]                  // smallest eigenvalue of Σ⁻¹ = largest of Σ
                            fit.majorAxis = Vector3(v[0], v[1], v[2])
                        }
                    }
                }
                dst.value[a] = fit
            }
        }
    }
    return out
}

/// Peak-intensity z-score of each atom: (max − mean)/SD of the raw map over the atom's own
/// voxels (paper, "Maximum intensity"); NaN for an atom with fewer than 2 voxels.
package func peakZScores(map: Volume, regions: ComponentList) -> [Double] {
    (0..<regions.count).map { a in
        let v = regions.voxels(of: a).map { Double(map.values[Int($0)]) }
        guard v.count >= 2 else { return .nan }
        let mean = v.reduce(0, +) / Double(v.count)
        let sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
        return sd > 0 ? (v.max()! - mean) / sd : .nan
    }
}
