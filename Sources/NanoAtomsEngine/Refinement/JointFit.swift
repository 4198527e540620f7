import Foundation
import CKernels

/// The result of fitting every atom jointly to a map: per atom its position, amplitude and
/// isotropic displacement with standard errors, and what the fit says of the noise.
package struct JointFit: Sendable {
    /// Fitted positions, Å.
    package var positions: [Vector3]
    /// Fitted amplitudes: each atom's scale on the simulated atom.
    package var amplitudes: [Double]
    /// Fitted mean-square displacements above the simulated atom's own width, Å².
    package var displacements: [Double]
    /// Standard errors of x, y and z, Å.
    package var positionErrors: [Vector3]
    /// Standard error of each amplitude.
    package var amplitudeErrors: [Double]
    /// Standard error of each amplitude with the other parameters held: the test of whether an
    /// atom is there at all (amplitude and width trade off, so the free error is much larger).
    package var amplitudeSignificanceErrors: [Double]
    /// Standard error of each displacement, Å².
    package var displacementErrors: [Double]
    /// The flat background fitted with the atoms.
    package var background: Double
    /// The noise SD per voxel, from the residual.
    package var noiseSD: Double
    /// How much the residual's correlation between neighbouring voxels inflates the variance of
    /// a fitted parameter over what independent voxels would give (≥ 1).
    package var correlationFactor: Double
    /// Sweeps run, and the RMS position change in the last one (Å).
    package var sweeps: Int
    /// See `sweeps`.
    package var lastShift: Double
    /// The RMS over the atoms of the last sweep's move over its standard error (per atom the
    /// larger of the position's, per axis, and U's).
    package var lastRelativeShift: Double = .infinity
    /// Whether the positions settled: the last sweep moved them by under `convergedShift`, or
    /// by under `convergedRelativeShift` of their standard errors.
    package var converged: Bool {
        lastShift <= JointFitLimits.convergedShift || lastRelativeShift <= JointFitLimits.convergedRelativeShift
    }
    /// The residual map M − background − model.
    package var residual: Volume
    /// Each atom's normal equations (JᵀJ, 5 × 5 row-major; empty where none was taken), residual
    /// sum of squares and voxels, as of its last step: a continued fit takes them over for the
    /// atoms it does not step (``FitMeasurements``).
    package var measurements = FitMeasurements()
}

/// Per atom, what its last step measured: normal equations, residual sum of squares, voxels.
package struct FitMeasurements: Sendable {
    /// JᵀJ per atom (25 values, row-major), or empty.
    package var normal: [[Double]] = []
    /// Σ r² over the atom's window.
    package var rss: [Double] = []
    /// Voxels in the atom's window.
    package var voxels: [Int] = []

    /// The measurements of the atoms at `indices`, in that order.
    package func subset(_ indices: [Int]) -> FitMeasurements {
        FitMeasurements(normal: indices.map { normal[$0] }, rss: indices.map { rss[$0] }, voxels: indices.map { voxels[$0] })
    }

    /// These measurements followed by `count` atoms' that have none.
    package func appendingUnmeasured(_ count: Int) -> FitMeasurements {
        FitMeasurements(normal: normal + [[Double]](repeating: [], count: count), rss: rss + [Double](repeating: 0, count: count),
                        voxels: voxels + [Int](repeating: 0, count: count))
    }
}

/// Limits of the fit, with where they come from.
package enum JointFitLimits {
    /// Sweeps at most: on simulated and shared maps the positions settle (largest change under
    /// `convergedShift`) in 6–10.
    package static let maximumSweeps = 16
    /// A sweep whose RMS move over the atoms is under this (Å) ends the fit: a few atoms in the
    /// noise keep wandering by a few hundredths, which `maximumMove` bounds.
    package static let convergedShift = 0.002
    /// A sweep whose RMS move is under this fraction of the positions' standard errors also
    /// ends the fit: on a noisy map the positions are known to a few tenths of an ångström,
    /// and hundredths more of settling change nothing a reader can see.
    /// On the shared maps at 0.05 every score was as good as or better than at full settling
    /// (hard map: RMSD 0.332 → 0.327 Å, CN exact 0.359 → 0.379), in 5 sweeps instead of 15.
    package static let convergedRelativeShift = 0.05
    /// Share of each atom's Gauss–Newton step taken in a sweep: all atoms step at once, and
    /// two overlapping atoms that each took their whole step would overshoot together.
    package static let stepFraction = 0.6
    /// Largest step of a position in one sweep, Å: a Gauss–Newton step beyond it is scaled down.
    package static let maximumStep = 0.25
    /// Farthest an atom may move from where it started, Å: a quarter of a bond; beyond it the
    /// fit is following noise or a neighbour's density, not correcting a centre of mass.
    package static let maximumMove = 0.7
    /// Range of the displacement above the simulated atom's width, Å²: a little below zero
    /// (a map sharper than the model), up to a smear no atom in a particle has.
    package static let displacementRange = -0.05...1.5
    /// The displacement an atom starts from, Å² (a little smear over the simulated atom).
    package static let startingDisplacement = 0.05
    /// Each atom is fitted within this fraction of the bulk nearest-neighbour distance of its
    /// centre: wide enough to see its tails, narrow enough that the neighbours, which are
    /// subtracted, are fitted by their own windows.
    package static let windowFraction = 0.6
    /// A move below this (Å; ten times it for U in Å² and for the amplitude as a fraction of
    /// itself; the background as a fraction of an atom's peak) leaves the neighbours' steps as
    /// they were: an atom that neither changed so much nor is near one that did is not stepped
    /// again. A quarter of `convergedShift`: a whole fit moves nearly every atom by more than
    /// this in every sweep, so it matters after an edit, when only the atoms near it move.
    package static let negligibleChange = 5e-4

    /// The farthest (Å) an atom's rendered density reaches into another atom's window of
    /// `windowRadius`: the renderer's 4σ at the largest displacement allowed.
    package static func interactionRadius(windowRadius: Double, profile: AtomProfile) -> Double {
        windowRadius + 4 * (profile.widestVariance + displacementRange.upperBound).squareRoot()
    }
}

/// Fits the atoms at `positions` jointly to the map `M`: M ≈ b + Σᵢ Aᵢ tᵢ, where tᵢ is `profile`
/// smeared by the atom's own mean-square displacement Uᵢ and centred on its position. Each sweep
/// renders the whole model, then fits each atom's (x, y, z, A, U) by one damped Gauss–Newton step
/// in its own window against the map minus every other atom (so overlaps are modelled), all
/// atoms at once from the same model (deterministic, and parallel over atoms). Standard errors
/// come from the last step's normal equations with the noise variance of the residual, inflated
/// by the residual's neighbour correlation. An atom with `pinnedAmplitudes[i]` keeps its
/// starting amplitude: only its position and U are fitted (and their errors are given it).
package func fitAtomsJointly(_ positions: [Vector3], map M: Volume, profile: AtomProfile, windowRadius: Double,
                             startingAmplitudes: [Double]? = nil, startingDisplacements: [Double]? = nil,
                             startingModel: consuming Volume? = nil, startingBackground: Double? = nil, initiallyActive: [Bool]? = nil,
                             startingMeasurements: FitMeasurements? = nil, pinnedAmplitudes: [Bool]? = nil, threads: Int) -> JointFit {
    let n = positions.count
    var pos = positions
    var amp = startingAmplitudes ?? initialAmplitudes(positions, map: M, profile: profile)
    var u = startingDisplacements ?? [Double](repeating: JointFitLimits.startingDisplacement, count: n)
    var background = 0.0
    let h = M.voxelSize
    let reach = Int((windowRadius / h).rounded(.up))
    let interactionRadius = JointFitLimits.interactionRadius(windowRadius: windowRadius, profile: profile)
    var normal = [[Double]](repeating: [], count: n)     // the last step's JᵀJ, per atom
    var rss = [Double](repeating: 0, count: n), voxelsUsed = [Int](repeating: 0, count: n)
    var measured = [Bool](repeating: false, count: n)   // whether `normal`, `rss` and `voxelsUsed` hold this fit's
    // A continued fit takes over the previous fit's measurements of the atoms it will not step
    // (those far from every edit): taken at their last step there, in windows that no edit
    // reaches, they differ from a new measurement only by that last step and by the
    // background's change (under `negligibleChange`, or every atom steps). On 21,659 atoms this
    // saves a pass over every window per continued fit (0.13 s each).
    if let m = startingMeasurements, let active = initiallyActive, m.normal.count == n, m.rss.count == n, m.voxels.count == n {
        for i in 0..<n where !active[i] && m.normal[i].count == 25 {
            normal[i] = m.normal[i]; rss[i] = m.rss[i]; voxelsUsed[i] = m.voxels[i]; measured[i] = true
        }
    }
    var sweeps = 0, lastShift = Double.infinity
    // The model is rendered once, then kept current atom by atom: an atom that changed is taken
    // away with its old parameters and added with its new ones (the whole model again when most
    // atoms changed). Only the atoms that changed, or have a neighbour that did, step again:
    // the rest would step by nothing.
    var model = (consume startingModel) ?? MapSimulation.render(positions: pos, displacements: u.map { .isotropic($0) }, scales: amp,
                                                      profile: profile, grid: M, threads: threads)
    var active = initiallyActive ?? [Bool](repeating: true, count: n)
    // Where the model may be non-zero: unknown (nil) for a model given or just rendered, then
    // the box of every atom's window since the last whole render (a full re-render clears only
    // it: a small particle in a large map does not pay for the whole map in every sweep).
    var support: VoxelBox? = nil
    // A continued fit's atoms were stepped against the previous fit's background: only a
    // change from it re-steps them all.
    var lastBackground = startingBackground ?? .nan
    let unitPeak = zip(profile.weights, profile.variances).reduce(0.0) { $0 + $1.0 * pow(2 * Double.pi * $1.1, -1.5) }
    var lastRelativeShift = Double.infinity, factor = Double.nan
    var relative = [Double](repeating: 0, count: n)     // each atom's last move over its standard error
    // Atoms step in Z-order of their starting positions (cells of four voxels): a window's map
    // and model are then mostly in cache from the atom before (steps are independent, so the
    // order changes nothing else).
    let visitingOrder = SpatialOrder.zOrder(positions, cell: 4 * h)
    while sweeps < JointFitLimits.maximumSweeps && lastShift > JointFitLimits.convergedShift
            && lastRelativeShift > JointFitLimits.convergedRelativeShift {
        sweeps += 1
        background = meanResidual(M, model, pos, reach: reach, threads: threads)
        // The noise's correlation, for the standard errors that judge convergence: taken again
        // after the first step, when a fresh fit's starting misfit has left the residual.
        if sweeps <= 2 { factor = correlationInflation(M, minus: model, background: background, pos, reach: reach) }
        let typicalPeak = unitPeak * (amp.isEmpty ? 1 : amp.sorted()[amp.count / 2])
        if !(abs(background - lastBackground) <= JointFitLimits.negligibleChange * typicalPeak) {
            active = [Bool](repeating: true, count: n)     // every atom's target moved
        }
        lastBackground = background
        let stepping = visitingOrder.filter { active[$0] }
        let current = (pos, amp, u)
        var next = (pos, amp, u)
        var shifts = [Double](repeating: 0, count: n)
        let out = UncheckedSendable(UnsafeMutablePointer<AtomStep>.allocate(capacity: max(1, stepping.count)))
        // Every step is initialised below; each holds an array, released here.
        defer { out.value.deinitialize(count: stepping.count); out.value.deallocate() }
        do {
            // Scoped, so that no reference to the model outlives the steps: its update below
            // is then in place, not a copy of the whole map.
            let mv = UncheckedSendable(M), sv = UncheckedSendable(model)
            Parallel.forRanges(stepping.count, threads: threads, minimumChunk: 16) { range in
                for q in range {
                    let i = stepping[q]
                    (out.value + q).initialize(to: atomStep(current.0[i], current.1[i], current.2[i], map: mv.value, model: sv.value,
                                                            background: background, profile: profile, reach: reach, windowRadius: windowRadius,
                                                            pinnedAmplitude: pinnedAmplitudes?[i] ?? false))
                }
            }
        }
        var changed: [Int] = [], significant: [Int] = []
        for (q, i) in stepping.enumerated() {
            var s = out.value[q]
            let offset = s.position - positions[i]
            if offset.length > JointFitLimits.maximumMove { s.position = positions[i] + offset * (JointFitLimits.maximumMove / offset.length) }
            next.0[i] = s.position; next.1[i] = s.amplitude; next.2[i] = s.displacement
            normal[i] = s.normal; rss[i] = s.rss; voxelsUsed[i] = s.voxels; measured[i] = true
            shifts[i] = (s.position - current.0[i]).length
            if next.0[i] != current.0[i] || next.1[i] != current.1[i] || next.2[i] != current.2[i] { changed.append(i) }
            let tolerance = JointFitLimits.negligibleChange
            if shifts[i] > tolerance || abs(next.1[i] - current.1[i]) > 10 * tolerance * abs(current.1[i]) || abs(next.2[i] - current.2[i]) > 10 * tolerance {
                significant.append(i)
            }
        }
        (pos, amp, u) = next
        if 2 * changed.count > n {
            // Only where the model can be non-zero is cleared (nil, the whole map, while unknown).
            support = MapSimulation.render(positions: pos, displacements: u.map { .isotropic($0) }, scales: amp,
                                           profile: profile, into: &model, clearing: support, threads: threads)
        } else {
            MapSimulation.add(positions: changed.map { current.0[$0] }, displacements: changed.map { .isotropic(current.2[$0]) },
                              scales: changed.map { -current.1[$0] }, profile: profile, to: &model, threads: threads)
            let reached = MapSimulation.add(positions: changed.map { pos[$0] }, displacements: changed.map { .isotropic(u[$0]) },
                                            scales: changed.map { amp[$0] }, profile: profile, to: &model, threads: threads)
            if let s = support, let r = reached { support = VoxelBox(lo: pointwiseMin(s.lo, r.lo), hi: pointwiseMax(s.hi, r.hi)) }
        }
        // Next sweep: the atoms that changed, and those whose window their density reaches.
        active = [Bool](repeating: false, count: n)
        if !significant.isEmpty {
            let grid = NeighborGrid(points: pos, maximumRadius: interactionRadius)
            for i in significant {
                active[i] = true
                let r = windowRadius + 4 * (profile.widestVariance + max(0, u[i])).squareRoot()
                grid.forEachNeighbor(of: pos[i], within: min(r, interactionRadius)) { j, _ in active[j] = true }
            }
        }
        lastShift = n > 0 ? (shifts.map { $0 * $0 }.reduce(0, +) / Double(n)).squareRoot() : 0
        // The same against the standard errors, from this sweep's normal equations and noise.
        var sweepRSS = 0.0, sweepVoxels = 0
        for i in stepping { sweepRSS += rss[i]; sweepVoxels += voxelsUsed[i] }
        let variance = sweepRSS / Double(max(1, sweepVoxels - 5 * stepping.count)) * factor
        relative = [Double](repeating: 0, count: n)
        let (normalNow, shiftsNow, uNow) = (normal, shifts, u)
        relative.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer.baseAddress!)
            Parallel.forRanges(stepping.count, threads: threads, minimumChunk: 256) { range in
                for q in range {
                    let i = stepping[q]
                    guard shiftsNow[i] > 0 || uNow[i] != current.2[i] else { continue }
                    guard normalNow[i].count == 25 else { out.value[i] = .infinity; continue }
                    let e = standardErrors(pinnedAmplitudes?[i] == true ? holdingAmplitude(normalNow[i]) : normalNow[i], scale: variance)
                    let perAxis = ((e[0] * e[0] + e[1] * e[1] + e[2] * e[2]) / 3).squareRoot()
                    // Position and U both: the slower of the two to settle.
                    let moved = perAxis > 0 ? shiftsNow[i] / perAxis : .infinity
                    let widened = e[4] > 0 ? abs(uNow[i] - current.2[i]) / e[4] : .infinity
                    out.value[i] = max(moved, widened)
                }
            }
        }
        lastRelativeShift = n > 0 ? (relative.map { $0 * $0 }.reduce(0, +) / Double(n)).squareRoot() : 0
    }
    // A continued fit steps only the atoms near its edits; the others' normal equations (for
    // their standard errors) and residuals (for the noise), unless taken over from the previous
    // fit, are taken once here, at the end.
    let unmeasured = visitingOrder.filter { !measured[$0] }
    if !unmeasured.isEmpty {
        let out = UncheckedSendable(UnsafeMutablePointer<AtomStep>.allocate(capacity: unmeasured.count))
        defer { out.value.deinitialize(count: unmeasured.count); out.value.deallocate() }
        let mv = UncheckedSendable(M), sv = UncheckedSendable(model), state = (pos, amp, u)
        Parallel.forRanges(unmeasured.count, threads: threads, minimumChunk: 16) { range in
            for q in range {
                let i = unmeasured[q]
                (out.value + q).initialize(to: atomStep(state.0[i], state.1[i], state.2[i], map: mv.value, model: sv.value, background: background,
                                                        profile: profile, reach: reach, windowRadius: windowRadius))
            }
        }
        for (q, i) in unmeasured.enumerated() { normal[i] = out.value[q].normal; rss[i] = out.value[q].rss; voxelsUsed[i] = out.value[q].voxels }
    }
    factor = correlationInflation(M, minus: model, background: background, pos, reach: reach)
    // The residual in the model's own storage (no third map-sized buffer), in parallel.
    var residual = model
    model = Volume(nx: 1, ny: 1, nz: 1, voxelSize: M.voxelSize)
    exchangeModelAndResidual(&residual, map: M, background: background, threads: threads)
    let dof = max(1, voxelsUsed.reduce(0, +) - 5 * n)
    let noiseVariance = rss.reduce(0, +) / Double(dof)
    var pe = [Vector3](repeating: Vector3(.nan, .nan, .nan), count: n), ae = [Double](repeating: .nan, count: n), ue = ae, se = ae
    for i in 0..<n where normal[i].count == 25 {
        let s = standardErrors(normal[i], scale: noiseVariance * factor)
        ae[i] = s[3]
        // A held amplitude is not a parameter: the position and U are known given it.
        let held = pinnedAmplitudes?[i] == true ? standardErrors(holdingAmplitude(normal[i]), scale: noiseVariance * factor) : s
        pe[i] = Vector3(held[0], held[1], held[2]); ue[i] = held[4]
        if normal[i][18] > 0 { se[i] = (noiseVariance * factor / normal[i][18]).squareRoot() }
    }
    return JointFit(positions: pos, amplitudes: amp, displacements: u, positionErrors: pe, amplitudeErrors: ae, amplitudeSignificanceErrors: se,
                    displacementErrors: ue, background: background, noiseSD: noiseVariance.squareRoot(),
                    correlationFactor: factor, sweeps: sweeps, lastShift: lastShift, lastRelativeShift: lastRelativeShift, residual: residual,
                    measurements: FitMeasurements(normal: normal, rss: rss, voxels: voxelsUsed))
}

/// The standard errors of (x, y, z, A, U) from normal equations JᵀJ (5 × 5, row-major): the
/// square roots of the inverse's diagonal times `scale` (the noise variance); NaN where singular.
func standardErrors(_ normal: [Double], scale: Double) -> [Double] {
    inverseDiagonal(normal, n: 5).map { $0 > 0 ? ($0 * scale).squareRoot() : .nan }
}

/// Normal equations with the amplitude (index 3) taken out: its row and column zero, its
/// diagonal one, so that the other parameters are solved for with it held.
func holdingAmplitude(_ normal: [Double]) -> [Double] {
    var m = normal
    for x in 0..<5 where x != 3 { m[x * 5 + 3] = 0; m[3 * 5 + x] = 0 }
    m[18] = 1
    return m
}

/// Which path the fit's inner loop takes (``atomStep``): the C kernel's vector one where the
/// CPU has AVX2 and FMA (tests compare it with the portable one).
package enum AtomWindowKernel {
    /// Whether this CPU runs the vector path.
    package static let vectorAvailable = nanoatoms_has_avx2_fma() != 0
}

/// One atom's damped Gauss–Newton step and its normal equations.
struct AtomStep {
    var position: Vector3
    var amplitude: Double
    var displacement: Double
    var normal: [Double]
    var rss: Double
    var voxels: Int
}

/// Starting amplitudes: the map's value at each atom over the simulated atom's peak.
func initialAmplitudes(_ positions: [Vector3], map M: Volume, profile: AtomProfile) -> [Double] {
    let peak = profile.displaced(by: 0.05).density(distanceSquared: 0)
    return positions.map { p in
        let c = M.voxelCoordinate(of: p)
        let i = Int(c.x.rounded()), j = Int(c.y.rounded()), k = Int(c.z.rounded())
        guard M.contains(i, j, k) else { return 1 }
        return max(0.1, Double(M.values[M.index(i, j, k)]) / peak)
    }
}

/// The mean of M − model over the voxels near the atoms: the flat background.
func meanResidual(_ M: Volume, _ model: Volume, _ positions: [Vector3], reach: Int, threads: Int = Parallel.availableCores) -> Double {
    guard !positions.isEmpty else { return 0 }
    // The voxels within the atoms' box (the particle's), weighted alike.
    var lo = SIMD3<Int>(repeating: Int.max), hi = SIMD3<Int>(repeating: Int.min)
    for p in positions {
        let c = M.voxelCoordinate(of: p)
        let v = SIMD3<Int>(Int(c.x.rounded()), Int(c.y.rounded()), Int(c.z.rounded()))
        lo = pointwiseMin(lo, v &- reach); hi = pointwiseMax(hi, v &+ reach)
    }
    lo = pointwiseMax(lo, .zero); hi = pointwiseMin(hi, SIMD3(M.nx - 1, M.ny - 1, M.nz - 1))
    guard lo.x <= hi.x, lo.y <= hi.y, lo.z <= hi.z else { return 0 }
    // A sum per plane, in parallel, then the planes' sums in order: the same value on any
    // number of threads.
    let planes = hi.z - lo.z + 1
    var sums = [Double](repeating: 0, count: planes)
    M.values.withUnsafeBufferPointer { m in model.values.withUnsafeBufferPointer { s in
        sums.withUnsafeMutableBufferPointer { out in
            let (mp, sp, op) = (UncheckedSendable(m.baseAddress!), UncheckedSendable(s.baseAddress!), UncheckedSendable(out.baseAddress!))
            Parallel.forRanges(planes, threads: threads, minimumChunk: 4) { range in
                for q in range {
                    var t = 0.0
                    for j in lo.y...hi.y {
                        let row = M.index(0, j, lo.z + q)
                        for i in lo.x...hi.x { t += Double(mp.value[row + i] - sp.value[row + i]) }
                    }
                    op.value[q] = t
                }
            }
        }
    } }
    let count = planes * (hi.y - lo.y + 1) * (hi.x - lo.x + 1)
    return sums.reduce(0, +) / Double(count)
}

/// The factor by which correlated noise inflates a fitted parameter's variance, from the
/// residual's correlation between neighbouring voxels along x: noise smoothed by a Gaussian of
/// σ voxels has lag-one correlation exp(−1/4σ²), and about (2√π σ)³ voxels per independent one.
func correlationInflation(_ M: Volume, minus model: Volume, background: Double, _ positions: [Vector3], reach: Int) -> Double {
    let b = Float(background)
    var sxx = 0.0, sxy = 0.0
    // The noise's correlation is the map's: about 500 atoms' windows (a few hundred thousand
    // voxel pairs) measure it as well as all of them.
    let stride = max(1, positions.count / 512)
    for p in Swift.stride(from: 0, to: positions.count, by: stride).map({ positions[$0] }) {
        let c = M.voxelCoordinate(of: p)
        let ci = Int(c.x.rounded()), cj = Int(c.y.rounded()), ck = Int(c.z.rounded())
        let k0 = max(0, ck - reach), k1 = min(M.nz - 1, ck + reach)
        let j0 = max(0, cj - reach), j1 = min(M.ny - 1, cj + reach)
        let i0 = max(0, ci - reach), i1 = min(M.nx - 2, ci + reach)
        guard k0 <= k1, j0 <= j1, i0 <= i1 else { continue }
        for k in k0...k1 { for j in j0...j1 {
            let row = M.index(0, j, k)
            for i in i0...i1 {
                let r0 = Double(M.values[row + i] - b - model.values[row + i]), r1 = Double(M.values[row + i + 1] - b - model.values[row + i + 1])
                sxx += r0 * r0; sxy += r0 * r1
            }
        } }
    }
    guard sxx > 0 else { return 1 }
    let rho = sxy / sxx
    guard rho > 0.01 && rho < 0.999 else { return 1 }
    let sigma = (-1 / (4 * log(rho))).squareRoot()
    return max(1, pow(2 * Double.pi.squareRoot() * sigma, 3))
}

/// One atom's step against the residual M − background − S, where the model S holds this atom
/// too (its own term computed here exactly as the renderer does). With S nil the model is this
/// atom alone: a single atom fitted to M (a residual map) as if nothing else were there.
func atomStep(_ p: Vector3, _ a: Double, _ u: Double, map M: Volume, model S: Volume?, background: Double,
              profile: AtomProfile, reach: Int, windowRadius: Double, pinnedAmplitude: Bool = false,
              vectorKernel: Bool = AtomWindowKernel.vectorAvailable) -> AtomStep {
    let c = M.voxelCoordinate(of: p)
    let ci = Int(c.x.rounded()), cj = Int(c.y.rounded()), ck = Int(c.z.rounded())
    let terms = profile.weights.count
    var sums = nanoatoms_atom_sums()
    var coefficient = [Double](repeating: 0, count: terms), variance = coefficient
    for t in 0..<terms {
        variance[t] = profile.variances[t] + u
        coefficient[t] = profile.weights[t] * pow(2 * Double.pi * variance[t], -1.5)
    }
    let k0 = max(0, ck - reach), k1 = min(M.nz - 1, ck + reach)
    let j0 = max(0, cj - reach), j1 = min(M.ny - 1, cj + reach)
    let i0 = max(0, ci - reach), i1 = min(M.nx - 1, ci + reach)
    if k0 <= k1 && j0 <= j1 && i0 <= i1 {
        // Each term is separable: exp(−d²/2v) = ex·ey·ez, so the factors are taken once per axis
        // and term (by recurrence, four exponentials each), and a voxel costs multiplications
        // only (in the C kernel, four voxels at a time where the CPU can).
        let h = M.voxelSize, origin = M.origin
        let wx = i1 - i0 + 1, wy = j1 - j0 + 1, wz = k1 - k0 + 1
        var dx = [Double](repeating: 0, count: wx), dy = [Double](repeating: 0, count: wy), dz = [Double](repeating: 0, count: wz)
        for i in 0..<wx { dx[i] = origin.x + Double(i0 + i) * h - p.x }
        for j in 0..<wy { dy[j] = origin.y + Double(j0 + j) * h - p.y }
        for k in 0..<wz { dz[k] = origin.z + Double(k0 + k) * h - p.z }
        var ex = [Double](repeating: 0, count: terms * wx), ey = [Double](repeating: 0, count: terms * wy), ez = [Double](repeating: 0, count: terms * wz)
        ex.withUnsafeMutableBufferPointer { ex in ey.withUnsafeMutableBufferPointer { ey in ez.withUnsafeMutableBufferPointer { ez in
            for q in 0..<terms {
                let f = -1 / (2 * variance[q])
                GaussianSamples.fill(ex.baseAddress! + q * wx, count: wx, first: dx[0], step: h, f: f, scale: 1)
                GaussianSamples.fill(ey.baseAddress! + q * wy, count: wy, first: dy[0], step: h, f: f, scale: 1)
                GaussianSamples.fill(ez.baseAddress! + q * wz, count: wz, first: dz[0], step: h, f: f, scale: coefficient[q])
            }
        } } }
        let inverse = variance.map { 1 / $0 }
        M.values.withUnsafeBufferPointer { map in
            (S?.values ?? []).withUnsafeBufferPointer { model in
                dx.withUnsafeBufferPointer { dx in dy.withUnsafeBufferPointer { dy in dz.withUnsafeBufferPointer { dz in
                    ex.withUnsafeBufferPointer { ex in ey.withUnsafeBufferPointer { ey in ez.withUnsafeBufferPointer { ez in
                        inverse.withUnsafeBufferPointer { inverse in
                            var window = nanoatoms_atom_window(
                                map: map.baseAddress, model: S == nil ? nil : model.baseAddress, nx: M.nx, nxy: M.nx * M.ny,
                                i0: i0, j0: j0, k0: k0, wx: wx, wy: wy, wz: wz,
                                dx: dx.baseAddress, dy: dy.baseAddress, dz: dz.baseAddress,
                                ex: ex.baseAddress, ey: ey.baseAddress, ez: ez.baseAddress, inverse: inverse.baseAddress,
                                terms: terms, radiusSquared: windowRadius * windowRadius, background: background, amplitude: a)
                            nanoatoms_atom_sums_compute(&window, vectorKernel ? 1 : 0, &sums)
                        }
                    } } }
                } } }
            }
        }
    }
    let rss = sums.rss, voxels = sums.voxels
    var jtj = [Double](repeating: 0, count: 25), jtr = [Double](repeating: 0, count: 5)
    withUnsafeBytes(of: sums.jtj) { upper in
        let t = upper.bindMemory(to: Double.self)
        var q = 0
        for x in 0..<5 { for y in x..<5 { jtj[x * 5 + y] = t[q]; jtj[y * 5 + x] = t[q]; q += 1 } }
    }
    withUnsafeBytes(of: sums.jtr) { j in for x in 0..<5 { jtr[x] = j.load(fromByteOffset: 8 * x, as: Double.self) } }
    // Levenberg damping: a step that the data barely constrain stays small.
    var damped = jtj
    for x in 0..<5 { damped[x * 5 + x] *= 1.1; damped[x * 5 + x] += 1e-12 }
    if pinnedAmplitude { damped = holdingAmplitude(damped); jtr[3] = 0 }
    // No step where the window is too small, the system singular, or the map's values make it
    // not finite (a hostile map): the atom stays as it is.
    guard voxels >= 10, let step = solveLinearSystem(damped, jtr, n: 5), step.allSatisfy(\.isFinite), jtj.allSatisfy(\.isFinite) else {
        return AtomStep(position: p, amplitude: a, displacement: u, normal: [], rss: rss, voxels: voxels)
    }
    let f = JointFitLimits.stepFraction
    var move = Vector3(step[0], step[1], step[2]) * f
    let length = move.length
    if length > JointFitLimits.maximumStep { move = move * (JointFitLimits.maximumStep / length) }
    let newA = max(0.05 * a, a + f * step[3])
    // Below zero only so far that every term of the atom stays a Gaussian (half its narrowest
    // variance: on a fine grid the narrowest Peng term is a few thousandths of an Å²).
    let lowest = max(JointFitLimits.displacementRange.lowerBound, -0.5 * (profile.variances.min() ?? 0))
    let newU = min(max(u + max(-0.1, min(0.1, f * step[4])), lowest), JointFitLimits.displacementRange.upperBound)
    return AtomStep(position: p + move, amplitude: newA, displacement: newU, normal: jtj, rss: rss, voxels: voxels)
}


/// Replaces `volume` by M − b − `volume`, in place and in parallel (no second map-sized buffer):
/// a model becomes its residual, and a residual its model again.
func exchangeModelAndResidual(_ volume: inout Volume, map M: Volume, background: Double, threads: Int) {
    let b = Float(background)
    volume.values.withUnsafeMutableBufferPointer { r in
        let rv = UncheckedSendable(r.baseAddress!)
        M.values.withUnsafeBufferPointer { m in
            let mv = UncheckedSendable(m.baseAddress!)
            Parallel.forRanges(m.count, threads: threads, minimumChunk: 1 << 16) { range in
                for v in range { rv.value[v] = mv.value[v] - b - rv.value[v] }
            }
        }
    }
}
