import Foundation

/// One atom's anisotropic displacement refined against the map, with the other atoms modelled.
package struct AnisotropicDisplacement: Sendable, Equatable {
    /// U above the simulated atom's own width (Å², Cartesian x, y, z): the atom is the simulated
    /// atom with every term's covariance vₖ·I + U. Nil when the fit is not to be trusted
    /// (singular, at a bound, or not improving on the isotropic atom).
    package var tensor: Matrix3?
    /// Standard errors of U₁₁, U₂₂, U₃₃, U₁₂, U₁₃, U₂₃ (Å²), NaN when `tensor` is nil.
    package var errors: [Double]
    /// Levenberg–Marquardt iterations taken.
    package var iterations: Int

    /// The record of an atom whose anisotropic fit failed.
    static let invalid = AnisotropicDisplacement(tensor: nil, errors: [Double](repeating: .nan, count: 6), iterations: 0)
}

/// Limits of the anisotropic refinement, with where they come from.
package enum AnisotropicLimits {
    /// Levenberg–Marquardt iterations per atom at most: on a simulated 309-atom particle the
    /// atoms take 3.1, 6.5 and 11.5 on average (noise-free, SNR 8, SNR 4).
    package static let maximumIterations = 20
    /// The fit has settled when an accepted step lowers the window's RSS by less than this
    /// fraction.
    package static let settled = 1e-5
    /// The starting Marquardt damping, as a fraction of JᵀJ's diagonal.
    package static let startingDamping = 1e-3
    /// A position move larger than this (Å) is refused: the atom's position is the joint fit's,
    /// and the window is fixed around it.
    package static let maximumMove = 0.35
    /// Damping beyond which no step can lower the RSS: the fit stops.
    package static let largestDamping = 1e8
}

/// Refines each atom's anisotropic displacement U (six components) against the map, the other
/// atoms held at the joint fit's isotropic models: for atom i the target in its window is the
/// fit's residual plus atom i's own isotropic model, M − b − Σ_{j≠i} Aⱼ tⱼ, fitted by
/// Levenberg–Marquardt in position, amplitude and U with every term of the simulated atom
/// given covariance vₖ·I + U. The position and amplitude are nuisance parameters here: the
/// model keeps the joint fit's. The atoms are independent, so the result does not depend on
/// their order or the thread count.
///
/// U is reported above the simulated atom's own width, like the isotropic `u_refined`, so its
/// trace/3 is comparable with it (and ANISOU with the PDB's B). A fit is rejected (nil tensor)
/// when any eigenvalue of U leaves the isotropic fit's range, or the normal equations are
/// singular.
package func refineAnisotropicDisplacements(_ fit: JointFit, map M: Volume, profile: AtomProfile, windowRadius: Double,
                                            threads: Int = Parallel.availableCores) -> [AnisotropicDisplacement] {
    let n = fit.positions.count
    var out = [AnisotropicDisplacement](repeating: .invalid, count: n)
    let noiseVariance = fit.noiseSD * fit.noiseSD * fit.correlationFactor
    out.withUnsafeMutableBufferPointer { res in
        let dst = UncheckedSendable(res.baseAddress!)
        Parallel.forRanges(n, threads: threads, minimumChunk: 8) { range in
            var window = AnisotropicWindow()
            for i in range {
                window.collect(fit.positions[i], amplitude: fit.amplitudes[i], displacement: fit.displacements[i],
                               residual: fit.residual, profile: profile, radius: windowRadius)
                dst.value[i] = window.fit(amplitude: fit.amplitudes[i], displacement: fit.displacements[i],
                                          profile: profile, noiseVariance: noiseVariance)
            }
        }
    }
    return out
}

/// One atom's window: the voxels' offsets from the atom and the target values, in flat
/// buffers reused from atom to atom.
struct AnisotropicWindow {
    /// Offsets of the voxels from the atom's joint-fit position, Å (x, y, z interleaved).
    var offsets: [Double] = []
    /// Target values: residual plus the atom's own isotropic model.
    var target: [Double] = []

    /// Collects the voxels within `radius` of `p` in `residual`, adding back the isotropic atom.
    mutating func collect(_ p: Vector3, amplitude a: Double, displacement u: Double, residual R: Volume,
                          profile: AtomProfile, radius: Double) {
        offsets.removeAll(keepingCapacity: true)
        target.removeAll(keepingCapacity: true)
        let h = R.voxelSize, c = R.voxelCoordinate(of: p), r = radius / h, r2 = radius * radius
        let own = profile.displaced(by: u)
        R.values.withUnsafeBufferPointer { v in
            for k in Volume.window(around: c.z, radius: r, count: R.nz) {
                let dz = (Double(k) - c.z) * h
                for j in Volume.window(around: c.y, radius: r, count: R.ny) {
                    let dy = (Double(j) - c.y) * h
                    let row = R.nx * (j + R.ny * k)
                    for i in Volume.window(around: c.x, radius: r, count: R.nx) {
                        let dx = (Double(i) - c.x) * h
                        let d2 = dx * dx + dy * dy + dz * dz
                        guard d2 <= r2 else { continue }
                        offsets.append(dx); offsets.append(dy); offsets.append(dz)
                        target.append(Double(v[row + i]) + a * own.density(distanceSquared: d2))
                    }
                }
            }
        }
    }

    /// The residual sum of squares of the model (move `q`, amplitude `a`, U `u`), with the
    /// normal equations JᵀJ (10 × 10, row-major, into `normal`) and Jᵀr (into `gradient`),
    /// parameters in the order x, y, z, A, U₁₁, U₂₂, U₃₃, U₁₂, U₁₃, U₂₃. Nil when some term's
    /// covariance is not positive definite. `terms` holds 7 values per profile term.
    func evaluate(move q: Vector3, amplitude a: Double, u: [Double], profile: AtomProfile, terms: UnsafeMutablePointer<Double>,
                  normal: UnsafeMutablePointer<Double>, gradient: UnsafeMutablePointer<Double>) -> Double? {
        let count = profile.weights.count
        // Each term's precision P = (vₖ I + U)⁻¹ (six entries) and coefficient wₖ/√((2π)³ det).
        for t in 0..<count {
            let v = profile.variances[t]
            let s = Matrix3([v + u[0], u[3], u[4], u[3], v + u[1], u[5], u[4], u[5], v + u[2]])
            let det = s.determinant
            guard isPositiveDefinite(s), det > 0, let p = s.inverse else { return nil }
            let e = terms + 7 * t
            e[0] = p.m[0]; e[1] = p.m[4]; e[2] = p.m[8]; e[3] = p.m[1]; e[4] = p.m[2]; e[5] = p.m[5]
            e[6] = profile.weights[t] * pow(2 * Double.pi, -1.5) / det.squareRoot()
        }
        for x in 0..<100 { normal[x] = 0 }
        for x in 0..<10 { gradient[x] = 0 }
        var rss = 0.0
        var J = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        offsets.withUnsafeBufferPointer { o in target.withUnsafeBufferPointer { y in
        withUnsafeMutableBytes(of: &J) { jb in
            let j = jb.bindMemory(to: Double.self).baseAddress!
            for v in 0..<y.count {
                let dx = o[3 * v] - q.x, dy = o[3 * v + 1] - q.y, dz = o[3 * v + 2] - q.z
                var f = 0.0
                var j0 = 0.0, j1 = 0.0, j2 = 0.0, j4 = 0.0, j5 = 0.0, j6 = 0.0, j7 = 0.0, j8 = 0.0, j9 = 0.0
                for t in 0..<count {
                    let e = terms + 7 * t
                    let p11 = e[0], p22 = e[1], p33 = e[2], p12 = e[3], p13 = e[4], p23 = e[5]
                    let yx = p11 * dx + p12 * dy + p13 * dz
                    let yy = p12 * dx + p22 * dy + p23 * dz
                    let yz = p13 * dx + p23 * dy + p33 * dz
                    let g = e[6] * exp(-0.5 * (dx * yx + dy * yy + dz * yz))
                    f += g
                    // ∂/∂p = A g P d; ∂/∂Σ = ½ A g (P d dᵀ P − P), off-diagonal entries twice.
                    j0 += g * yx; j1 += g * yy; j2 += g * yz
                    j4 += g * (yx * yx - p11); j5 += g * (yy * yy - p22); j6 += g * (yz * yz - p33)
                    j7 += g * (yx * yy - p12); j8 += g * (yx * yz - p13); j9 += g * (yy * yz - p23)
                }
                let r = y[v] - a * f
                rss += r * r
                j[0] = a * j0; j[1] = a * j1; j[2] = a * j2; j[3] = f
                j[4] = 0.5 * a * j4; j[5] = 0.5 * a * j5; j[6] = 0.5 * a * j6; j[7] = a * j7; j[8] = a * j8; j[9] = a * j9
                for x in 0..<10 {
                    let jx = j[x]
                    gradient[x] += jx * r
                    let row = normal + 10 * x
                    for z in x..<10 { row[z] += jx * j[z] }
                }
            }
        }
        } }
        for x in 0..<10 { for z in 0..<x { normal[10 * x + z] = normal[10 * z + x] } }
        return rss
    }

    /// Levenberg–Marquardt from the isotropic atom (amplitude `a`, displacement `u`).
    func fit(amplitude a0: Double, displacement u0: Double, profile: AtomProfile, noiseVariance: Double) -> AnisotropicDisplacement {
        guard target.count >= 20, a0 > 0, a0.isFinite, u0.isFinite else { return .invalid }
        let lowest = max(JointFitLimits.displacementRange.lowerBound, -0.5 * (profile.variances.min() ?? 0))
        let highest = JointFitLimits.displacementRange.upperBound
        // Current and trial: normal equations, gradient; and the terms' scratch.
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: 220 + 7 * profile.weights.count)
        defer { buffer.deallocate() }
        var normal = buffer, gradient = buffer + 100, trialNormal = buffer + 110, trialGradient = buffer + 210
        let terms = buffer + 220
        var q = Vector3(0, 0, 0), a = a0, u = [u0, u0, u0, 0, 0, 0]
        guard var rss = evaluate(move: q, amplitude: a, u: u, profile: profile, terms: terms, normal: normal, gradient: gradient),
              rss.isFinite else { return .invalid }
        var lambda = AnisotropicLimits.startingDamping
        var iterations = 0
        var damped = [Double](repeating: 0, count: 100), rhs = [Double](repeating: 0, count: 10)
        while iterations < AnisotropicLimits.maximumIterations && lambda <= AnisotropicLimits.largestDamping {
            iterations += 1
            for x in 0..<100 { damped[x] = normal[x] }
            for x in 0..<10 { damped[11 * x] += lambda * normal[11 * x] + 1e-12; rhs[x] = gradient[x] }
            guard let step = solveLinearSystem(damped, rhs, n: 10), step.allSatisfy(\.isFinite) else { lambda *= 10; continue }
            let q1 = q + Vector3(step[0], step[1], step[2]), a1 = a + step[3]
            let u1 = (0..<6).map { u[$0] + step[4 + $0] }
            let tensor = Matrix3([u1[0], u1[3], u1[4], u1[3], u1[1], u1[5], u1[4], u1[5], u1[2]])
            // Every eigenvalue within the isotropic fit's range: U − lowest·I and highest·I − U
            // positive definite.
            guard q1.length <= AnisotropicLimits.maximumMove, a1 > 0,
                  eigenvalues(of: tensor, within: lowest, highest),
                  let trial = evaluate(move: q1, amplitude: a1, u: u1, profile: profile, terms: terms,
                                       normal: trialNormal, gradient: trialGradient),
                  trial.isFinite, trial < rss else {
                lambda *= 10
                continue
            }
            let gain = (rss - trial) / max(rss, .leastNormalMagnitude)
            q = q1; a = a1; u = u1; rss = trial
            swap(&normal, &trialNormal); swap(&gradient, &trialGradient)
            lambda = max(lambda / 3, 1e-9)
            if gain < AnisotropicLimits.settled { break }
        }
        let tensor = Matrix3([u[0], u[3], u[4], u[3], u[1], u[5], u[4], u[5], u[2]])
        // Near a bound the tensor is the bound's, not the map's.
        let margin = 1e-3
        guard eigenvalues(of: tensor, within: lowest + margin, highest - margin) else {
            return AnisotropicDisplacement(tensor: nil, errors: [Double](repeating: .nan, count: 6), iterations: iterations)
        }
        let variance = inverseDiagonal(Array(UnsafeBufferPointer(start: normal, count: 100)), n: 10)
        let errors = (4..<10).map { variance[$0] >= 0 ? (variance[$0] * noiseVariance).squareRoot() : Double.nan }
        return AnisotropicDisplacement(tensor: tensor, errors: errors, iterations: iterations)
    }
}

/// Whether the symmetric matrix `s` is positive definite (Sylvester: its leading minors are).
func isPositiveDefinite(_ s: Matrix3) -> Bool {
    s.m[0] > 0 && s.m[0] * s.m[4] - s.m[1] * s.m[3] > 0 && s.determinant > 0
}

/// Whether every eigenvalue of the symmetric matrix `s` lies strictly between `lo` and `hi`:
/// s − lo·I and hi·I − s are positive definite (no eigen-decomposition needed).
func eigenvalues(of s: Matrix3, within lo: Double, _ hi: Double) -> Bool {
    var below = s.m, above = s.m.map { -$0 }
    for d in [0, 4, 8] { below[d] -= lo; above[d] += hi }
    return isPositiveDefinite(Matrix3(below)) && isPositiveDefinite(Matrix3(above))
}
