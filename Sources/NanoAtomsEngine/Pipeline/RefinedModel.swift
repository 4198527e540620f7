import Foundation
/// One change refinement made to the model, with its reason, as validation records its removals.
public struct RefinementEdit: Sendable, Equatable {
    /// What was done.
    public enum Kind: String, Sendable {
        /// An atom whose fitted amplitude was not significant was removed.
        case removed
        /// Two atoms closer than an atom's size were merged into one.
        case merged
        /// An atom was added at a significant peak of the residual, bonded to the particle.
        case added
    }
    /// What was done.
    public let kind: Kind
    /// Where, Å.
    public let position: Vector3
    /// One line saying why.
    public let reason: String
}

/// What refinement did: the fit's sweeps and noise, and its edits.
public struct Refinement: Sendable {
    /// Sweeps of the last joint fit (the whole-atom refit, or the last round of edits).
    public let sweeps: Int
    /// Whether the positions settled (the last sweep moved them by under 0.002 Å RMS, or under
    /// 0.05 of their standard errors).
    public let converged: Bool
    /// The noise SD per voxel, from the residual.
    public let noiseSD: Double
    /// How much correlated noise inflates the standard errors over independent voxels.
    public let correlationFactor: Double
    /// The median amplitude of the core atoms (CN 12), which occupancies are relative to.
    public let coreAmplitude: Double
    /// RMS move of the kept atoms from their validated positions, Å.
    public let rmsShift: Double
    /// Every edit, in order.
    public let edits: [RefinementEdit]
    /// Empty sites of the model's lattice the fit tested, and how many held an atom (each of
    /// those is an `added` edit).
    public var latticeSitesTested = 0
    /// See `latticeSitesTested`.
    public var latticeSitesKept = 0
    /// Atoms fitted as whole atoms (amplitude held at the core atoms'; column `whole_atom`).
    public var wholeAtoms = 0
    /// The validated model's mean lattice constant and CN radius (Å), before the lattice was
    /// fitted again to the refined positions (the refined model's `lattice`, which its
    /// statistics use).
    public var validationLattice: (meanLatticeConstant: Double, coordinationRadius: Double) = (.nan, .nan)
    /// The half maps' agreement, when two were given (``compareHalfMaps(_:halves:cancellation:)``).
    public var halfMaps: HalfMapComparison? = nil
}

/// Edits are significant beyond these, with where they come from.
package enum RefinementRules {
    /// An atom whose amplitude is less than this many standard errors (one-sided 2.3 %) is
    /// not significant.
    package static let significantAmplitude = 2.0
    /// An atom whose occupancy (amplitude over the core atoms') is below this is removed:
    /// a fifth of an atom is noise, or a neighbour's tail.
    package static let minimumOccupancy = 0.2
    /// Two atoms closer than this fraction of the bulk nearest-neighbour distance are one
    /// atom fitted twice (0.7 × 2.77 Å = 1.94 Å for Pt; no metal bond is that short).
    package static let mergeFraction = 0.7
    /// Rounds of fit and edit at most.
    package static let maximumRounds = 3
    /// A peak of the residual, correlated with the simulated atom, this many robust SDs above
    /// zero is an atom the model lacks (when it is bonded to the particle and not on an atom).
    /// At 5 SD the shared medium map gained 17 false atoms (misfit beside wide surface atoms,
    /// 5.0–6.6 SD) and the hard map 7 true and 1 false (5.1–7.7 SD); at 8 neither gains any, and
    /// an atom missing from a model at SNR 6 stands 20 SD or more above the residual.
    package static let significantResidualPeak = 8.0
    /// An added atom lies at least this fraction of the bulk bond from every atom (farther than
    /// the merge distance, so an addition is never merged back).
    package static let additionSpacing = 0.8
    /// An added atom stays only if its refitted occupancy reaches this: a peak of misfit
    /// between the model and the map (beside a wide surface atom) fits as a fraction of an
    /// atom, a missing atom as most of one.
    package static let minimumAddedOccupancy = 0.5
    /// At most this fraction of the atoms is added in one round.
    package static let maximumAdditionFraction = 0.05
    /// An atom whose free amplitude is within this many standard errors of the core atoms',
    /// and within `wholeAtomTolerance` of it, is a whole atom, and is fitted again with its
    /// amplitude held there. Holding it raised Spearman(U, truth) on the shared maps from
    /// 0.84/0.59/0.53/0.32 to 0.89/0.77/0.68/0.40 (easy, medium, irregular, hard).
    package static let wholeAtomSignificance = 3.0
    /// See `wholeAtomSignificance`: half an atom. On the hard map the standard errors admit
    /// occupancies up to 3, atoms whose amplitude holds a missing neighbour's density; held at
    /// one they moved towards it and 5 left their true site. At 0.3 the wide surface atoms,
    /// whose U most needs the held amplitude, stay free (medium map 0.69).
    package static let wholeAtomTolerance = 0.5
}

/// Where a fitted atom came from, when it was not in the validated model: the fit's `keep`
/// holds a validated atom's index (0 or more) or one of these.
enum FittedAtomOrigin {
    /// Added at a significant peak of the residual.
    static let residualPeak = -1
    /// An empty site of the lattice, under test.
    static let latticeSite = -2
}

/// Refines a validated model against its masked map: every atom's position, amplitude and
/// isotropic displacement fitted jointly (``fitAtomsJointly``), then atoms with an insignificant
/// amplitude removed and atoms fitted onto one another merged, each edit recorded with its
/// reason, and the fit run again until no edit is made. The atoms get refined positions and
/// the columns `occupancy`, `u_refined` (Å², above the simulated atom's own width), `u_total`
/// (the whole width), and standard errors `sigma_x`, `sigma_y`, `sigma_z`, `sigma_position`,
/// `sigma_u` and `sigma_occupancy`. With `options.refine` off (nil: the model's) the model
/// passes unchanged.
public func refineModel(_ model: ValidatedModel, options given: ModelBuildingOptions? = nil,
                        cancellation: Cancellation? = nil) throws(Interrupted) -> ValidatedModel {
    let options = given ?? model.options
    guard options.refine, model.atoms.count > 0 else { return model }
    var timer = model.timings
    let M = model.raw, profile = model.profile, element = options.element
    let bond = element.latticeConstant / 2.squareRoot()
    var latticeSitesTested = 0, latticeSitesKept = 0
    let result = try timer.measure("refine", checking: cancellation) { () -> (JointFit, (amplitudes: [Double], errors: [Double]), [Bool], [Int], [RefinementEdit], Double) in
        var keep = Array(model.atoms.positions.indices)
        var positions = model.atoms.positions
        var edits: [RefinementEdit] = []
        var fit = fitAtomsJointly(positions, map: M, profile: profile, windowRadius: JointFitLimits.windowFraction * bond, threads: options.threads)
        var core = 1.0
        // Each fitted atom's empty lattice site, while it is one still to be tested.
        var untested = [EmptyLatticeSite?](repeating: nil, count: positions.count)
        for round in 0..<RefinementRules.maximumRounds {
            core = coreAmplitude(fit, radius: model.lattice.coordinationRadius)
            var drop = Set<Int>()
            for i in fit.positions.indices {
                let occupancy = fit.amplitudes[i] / core
                let z = fit.amplitudes[i] / fit.amplitudeSignificanceErrors[i]
                if let site = untested[i] {
                    // A site the lattice proposed: kept when the map holds an atom there, and
                    // recorded only then (most proposals beyond the surface are empty).
                    if SiteTest.holdsAtom(neighbours: site.neighbours, occupancy: occupancy, significance: z) {
                        edits.append(RefinementEdit(kind: .added, position: fit.positions[i], reason:
                            String(format: "an empty site of the lattice (proposed by %d atoms, bonded to %d), fitted as %.2f of the core atoms' amplitude (%.1f standard errors): an atom the model lacked",
                                   site.proposers, site.neighbours, occupancy, z)))
                        latticeSitesKept += 1
                    } else {
                        drop.insert(i)
                    }
                } else if keep[i] == FittedAtomOrigin.residualPeak && occupancy < RefinementRules.minimumAddedOccupancy {
                    drop.insert(i)
                    edits.append(RefinementEdit(kind: .removed, position: fit.positions[i], reason:
                        String(format: "added at a residual peak, but fitted as %.2f of the core atoms' amplitude (under %.2f): misfit, not an atom", occupancy, RefinementRules.minimumAddedOccupancy)))
                } else if occupancy < RefinementRules.minimumOccupancy || (z.isFinite && z < RefinementRules.significantAmplitude) {
                    drop.insert(i)
                    edits.append(RefinementEdit(kind: .removed, position: fit.positions[i], reason:
                        String(format: "amplitude %.2f of the core atoms' (%.1f standard errors): not significant", occupancy, z)))
                }
            }
            // Pairs fitted onto one another: keep the stronger.
            let grid = NeighborGrid(points: fit.positions, maximumRadius: RefinementRules.mergeFraction * bond)
            for i in fit.positions.indices where !drop.contains(i) {
                for j in grid.neighbors(of: i, within: RefinementRules.mergeFraction * bond) where j > i && !drop.contains(j) && !drop.contains(i) {
                    let weaker = fit.amplitudes[i] >= fit.amplitudes[j] ? j : i
                    drop.insert(weaker)
                    edits.append(RefinementEdit(kind: .merged, position: fit.positions[weaker], reason:
                        String(format: "%.2f Å from another atom (under %.2f Å): one atom fitted twice, the weaker removed",
                               (fit.positions[i] - fit.positions[j]).length, RefinementRules.mergeFraction * bond)))
                }
            }
            let kept = fit.positions.indices.filter { !drop.contains($0) }
            let added = residualPeaks(fit, keeping: kept, profile: profile, bond: bond, coordinationRadius: model.lattice.coordinationRadius,
                                      threads: options.threads)
            for a in added {
                edits.append(RefinementEdit(kind: .added, position: a.position, reason:
                    String(format: "a residual peak %.1f robust SDs high, bonded to %d atoms: an atom the model lacked", a.z, a.neighbours)))
            }
            // The lattice proposes its empty sites in every round but the last, so that the next
            // round's fit tests every one of them.
            var sites: [EmptyLatticeSite] = []
            if round + 1 < RefinementRules.maximumRounds {
                let occupied = kept.map { fit.positions[$0] } + added.map(\.position)
                let proposed = emptyLatticeSites(occupied, bond: bond, coordinationRadius: model.lattice.coordinationRadius,
                                                 spacing: RefinementRules.additionSpacing * bond)
                // Only sites whose atom, fitted alone to the residual, passes the test go into
                // the joint fit, which tests them again with their neighbours free.
                let evidence = screenSites(proposed, fit: fit, profile: profile, windowRadius: JointFitLimits.windowFraction * bond,
                                           coreAmplitude: core)
                for (site, e) in zip(proposed, evidence) where SiteTest.holdsAtom(neighbours: site.neighbours, occupancy: e.occupancy, significance: e.significance) {
                    sites.append(EmptyLatticeSite(position: e.position, proposers: site.proposers, neighbours: site.neighbours))
                }
                latticeSitesTested += proposed.count
            }
            if drop.isEmpty && added.isEmpty && sites.isEmpty { break }
            untested = kept.map { _ in nil } + added.map { _ in nil } + sites.map { $0 }
            keep = kept.map { keep[$0] } + added.map { _ in FittedAtomOrigin.residualPeak } + sites.map { _ in FittedAtomOrigin.latticeSite }
            positions = kept.map { fit.positions[$0] } + added.map(\.position) + sites.map(\.position)
            // The fit goes on from where it was: its model (the map less background and
            // residual) without the removed atoms and with the added ones, and only the atoms near
            // an edit stepping at first.
            let newcomers = added.map(\.position) + sites.map(\.position)
            let amplitudes = kept.map { fit.amplitudes[$0] } + newcomers.map { _ in core }
            let displacements = kept.map { fit.displacements[$0] } + newcomers.map { _ in JointFitLimits.startingDisplacement }
            let removed = drop.sorted()
            let measurements = fit.measurements.subset(kept).appendingUnmeasured(newcomers.count)
            // The residual is taken out of the fit and turned into the model in place (no
            // second copy of the map).
            var start = fit.residual
            fit.residual = Volume(nx: 1, ny: 1, nz: 1, voxelSize: 1)
            exchangeModelAndResidual(&start, map: M, background: fit.background, threads: options.threads)
            MapSimulation.add(positions: removed.map { fit.positions[$0] }, displacements: removed.map { .isotropic(fit.displacements[$0]) },
                              scales: removed.map { -fit.amplitudes[$0] }, profile: profile, to: &start, threads: options.threads)
            MapSimulation.add(positions: newcomers, displacements: newcomers.map { _ in .isotropic(JointFitLimits.startingDisplacement) },
                              scales: newcomers.map { _ in core }, profile: profile, to: &start, threads: options.threads)
            let edited = removed.map { fit.positions[$0] } + newcomers
            let reach = JointFitLimits.interactionRadius(windowRadius: JointFitLimits.windowFraction * bond, profile: profile)
            let editGrid = NeighborGrid(points: edited, maximumRadius: reach)
            let active = positions.map { p in
                var near = false
                editGrid.forEachNeighbor(of: p, within: reach) { _, _ in near = true }
                return near
            }
            fit = fitAtomsJointly(positions, map: M, profile: profile, windowRadius: JointFitLimits.windowFraction * bond,
                                  startingAmplitudes: amplitudes, startingDisplacements: displacements,
                                  startingModel: consume start, startingBackground: fit.background, initiallyActive: active,
                                  startingMeasurements: measurements, threads: options.threads)
        }
        // Atoms the map shows as whole atoms are fitted as whole atoms: amplitude held at the
        // core's, so that the width is not traded against the amplitude (the two are strongly
        // correlated in one atom's fit). Their free occupancy is what the table reports.
        let free = (amplitudes: fit.amplitudes, errors: fit.amplitudeErrors)
        let whole = wholeAtoms(fit, core: core)
        if whole.contains(true) {
            // The refit goes on from the free fit's model (turned back from its residual in
            // place), with each whole atom's amplitude changed to the core's.
            var start = fit.residual
            fit.residual = Volume(nx: 1, ny: 1, nz: 1, voxelSize: 1)
            exchangeModelAndResidual(&start, map: M, background: fit.background, threads: options.threads)
            let held = whole.indices.filter { whole[$0] }
            MapSimulation.add(positions: held.map { fit.positions[$0] }, displacements: held.map { .isotropic(fit.displacements[$0]) },
                              scales: held.map { core - fit.amplitudes[$0] }, profile: profile, to: &start, threads: options.threads)
            fit = fitAtomsJointly(fit.positions, map: M, profile: profile, windowRadius: JointFitLimits.windowFraction * bond,
                                  startingAmplitudes: fit.amplitudes.indices.map { whole[$0] ? core : fit.amplitudes[$0] },
                                  startingDisplacements: fit.displacements, startingModel: consume start, pinnedAmplitudes: whole,
                                  threads: options.threads)
        }
        return (fit, free, whole, keep, edits, core)
    }
    let (fit, free, whole, keep, edits, core) = result
    // Kept atoms keep their voxels and columns; added ones (a negative origin) own the voxels around them.
    let original = keep.filter { $0 >= 0 }
    let addedPositions = zip(keep, fit.positions).filter { $0.0 < 0 }.map(\.1)
    var detection = model.detection.subset(original)
    var atoms = model.atoms.subset(original)
    if !addedPositions.isEmpty {
        let extra = sphereRegions(addedPositions, in: M, radius: model.radius)
        var voxels: [Int32] = [], start: [Int32] = [0]
        for i in 0..<detection.count { voxels += detection.regions.voxels(of: i); start.append(Int32(voxels.count)) }
        for i in 0..<extra.count { voxels += extra.voxels(of: i); start.append(Int32(voxels.count)) }
        detection = AtomDetection(positions: detection.positions + addedPositions, regions: ComponentList(voxels: voxels, start: start),
                                  wasSplit: detection.wasSplit + addedPositions.map { _ in false })
        var grown = AtomSet(element: atoms.element, positions: atoms.positions + addedPositions)
        for name in atoms.columnNames { grown.setColumn(name, atoms[column: name]! + addedPositions.map { _ in .nan }) }
        atoms = grown
    }
    // Added atoms sit after the kept ones in the fit too (the order of `keep`).
    precondition(keep.prefix(original.count).allSatisfy { $0 >= 0 })
    atoms.positions = fit.positions
    let width = profile.effectiveVariance
    atoms.setColumn("occupancy", free.amplitudes.map { $0 / core })
    atoms.setColumn("whole_atom", whole.map { $0 ? 1 : 0 })
    atoms.setColumn("u_refined", fit.displacements)
    atoms.setColumn("u_total", fit.displacements.map { $0 + width })
    atoms.setColumn("sigma_x", fit.positionErrors.map(\.x))
    atoms.setColumn("sigma_y", fit.positionErrors.map(\.y))
    atoms.setColumn("sigma_z", fit.positionErrors.map(\.z))
    atoms.setColumn("sigma_position", fit.positionErrors.map { ($0.x * $0.x + $0.y * $0.y + $0.z * $0.z).squareRoot() })
    atoms.setColumn("sigma_u", fit.displacementErrors)
    atoms.setColumn("sigma_occupancy", free.errors.map { $0 / core })
    if options.anisotropic {
        let tensors = try timer.measure("anisotropic", checking: cancellation) {
            refineAnisotropicDisplacements(fit, map: M, profile: profile, windowRadius: JointFitLimits.windowFraction * bond,
                                           threads: options.threads)
        }
        for (c, (p, q)) in [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)].enumerated() {
            let name = Statistic.anisotropicU[c].key
            atoms.setColumn(name + "_refined", tensors.map { $0.tensor?[p, q] ?? .nan })
            atoms.setColumn("sigma_" + name, tensors.map { $0.errors[c] })
        }
    }
    let moved = zip(keep, fit.positions).filter { $0.0 >= 0 }.map { (model.atoms.positions[$0.0] - $0.1).length }
    let rms = moved.isEmpty ? 0 : (moved.map { $0 * $0 }.reduce(0, +) / Double(moved.count)).squareRoot()
    var flags = model.flags
    if !fit.converged {
        flags.append(QualityFlag(.refinement, String(format: "the joint fit had not settled after %d sweeps (last RMS move %.3f Å): positions and widths are approximate", fit.sweeps, fit.lastShift),
                                 remedy: "compare with the unrefined model (--paper, or build without refine)"))
    }
    // The lattice of the refined positions: the table's ā, CN radius, sites and strain are then
    // those of the atoms it lists (validation's CN rule used the validated positions' lattice;
    // both are in summary.json).
    let lattice = try timer.measure("refined_lattice", checking: cancellation) {
        LatticeFit.fit(fit.positions, bulkLatticeConstant: element.latticeConstant, threads: options.threads)
    }
    var refinement = Refinement(sweeps: fit.sweeps, converged: fit.converged, noiseSD: fit.noiseSD,
                                correlationFactor: fit.correlationFactor, coreAmplitude: core, rmsShift: rms, edits: edits,
                                latticeSitesTested: latticeSitesTested, latticeSitesKept: latticeSitesKept,
                                wholeAtoms: whole.filter { $0 }.count)
    refinement.validationLattice = (model.lattice.meanLatticeConstant, model.lattice.coordinationRadius)
    return ValidatedModel(detected: model.detected, options: options, candidateCorrelations: model.candidateCorrelations,
                          lattice: lattice, removals: model.removals,
                          detection: AtomDetection(positions: fit.positions, regions: detection.regions, wasSplit: detection.wasSplit),
                          atoms: atoms, reusable: ReusableResults(positions: fit.positions, lattice: lattice), timings: timer, flags: flags,
                          refinement: refinement)
}

/// Which atoms of a free fit are whole atoms: their amplitude within `wholeAtomSignificance`
/// standard errors and `wholeAtomTolerance` of the core atoms' amplitude `core`.
func wholeAtoms(_ fit: JointFit, core: Double) -> [Bool] {
    fit.amplitudes.indices.map { i in
        let off = abs(fit.amplitudes[i] - core)
        return off < RefinementRules.wholeAtomSignificance * fit.amplitudeErrors[i] && off <= RefinementRules.wholeAtomTolerance * core
    }
}

/// The median amplitude of the atoms with 12 neighbours within `radius` (all atoms when none has).
func coreAmplitude(_ fit: JointFit, radius: Double) -> Double {
    let cn = coordinationNumbers(fit.positions, radius: radius)
    let core = fit.amplitudes.indices.filter { cn[$0] >= 12 }.map { fit.amplitudes[$0] }
    let m = median(core.isEmpty ? fit.amplitudes : core)
    return m.isFinite && m > 0 ? m : 1
}

/// A peak of the residual where the model lacks an atom.
struct ResidualPeak {
    var position: Vector3
    var z: Double
    var neighbours: Int
}

/// Peaks of the residual correlated with the simulated atom, over `significantResidualPeak`
/// robust SDs, at least `additionSpacing` bonds from every kept atom and bonded (within the CN
/// radius) to at least three: atoms the model lacks, highest first, at most
/// `maximumAdditionFraction` of the atoms.
func residualPeaks(_ fit: JointFit, keeping kept: [Int], profile: AtomProfile, bond: Double, coordinationRadius: Double,
                   threads: Int) -> [ResidualPeak] {
    let positions = kept.map { fit.positions[$0] }
    guard positions.count >= 4 else { return [] }
    let R = fit.residual
    // The particle's box, one bond beyond the outermost atoms (a missing surface atom lies there).
    var lo = SIMD3<Int>(repeating: Int.max), hi = SIMD3<Int>(repeating: Int.min)
    for p in positions {
        let c = R.voxelCoordinate(of: p)
        let v = SIMD3<Int>(Int(c.x.rounded()), Int(c.y.rounded()), Int(c.z.rounded()))
        lo = pointwiseMin(lo, v); hi = pointwiseMax(hi, v)
    }
    let margin = Int((bond / R.voxelSize).rounded(.up))
    lo = pointwiseMax(lo &- margin, SIMD3(repeating: 1)); hi = pointwiseMin(hi &+ margin, SIMD3(R.nx - 2, R.ny - 2, R.nz - 2))
    guard lo.x <= hi.x, lo.y <= hi.y, lo.z <= hi.z else { return [] }
    // The residual correlated with the simulated atom (the denoising filter, unnormalised: the
    // peaks are judged against the filtered values' own robust spread) over the box and the
    // voxels around it, from the residual within the atom's reach of it.
    let reach = Int((profile.cutoff / R.voxelSize).rounded(.up))
    let F = correlateWithAtom(R, profile: profile, lo: lo &- 1, hi: hi &+ 1,
                              inputBox: VoxelBox(lo: lo &- 1 &- reach, hi: hi &+ 1 &+ reach), threads: threads)
    let fx = F.dims.x, fxy = F.dims.x * F.dims.y
    func value(_ i: Int, _ j: Int, _ k: Int) -> Float { F.values[(i - F.lo.x) + fx * (j - F.lo.y) + fxy * (k - F.lo.z)] }
    // The robust SD from at most about 50,000 voxels spread over the box (two sorts of them).
    let boxVoxels = (hi.x - lo.x + 1) * (hi.y - lo.y + 1) * (hi.z - lo.z + 1)
    let stride = max(1, boxVoxels / 50_000) | 1
    var sample: [Double] = []
    sample.reserveCapacity(boxVoxels / stride + 1)
    var counter = 0
    for k in lo.z...hi.z { for j in lo.y...hi.y { for i in lo.x...hi.x {
        if counter % stride == 0 { sample.append(Double(value(i, j, k))) }
        counter += 1
    } } }
    let centre = median(sample)
    let sd = madToStandardDeviation * median(sample.map { abs($0 - centre) })
    guard sd > 0, sd.isFinite else { return [] }
    let grid = NeighborGrid(points: positions, maximumRadius: max(coordinationRadius, RefinementRules.additionSpacing * bond))
    var peaks: [ResidualPeak] = []
    for k in lo.z...hi.z { for j in lo.y...hi.y { for i in lo.x...hi.x {
        let v = value(i, j, k)
        let z = (Double(v) - centre) / sd
        guard z > RefinementRules.significantResidualPeak else { continue }
        var isMaximum = true
        for dk in -1...1 { for dj in -1...1 { for di in -1...1 where di != 0 || dj != 0 || dk != 0 {
            if value(i + di, j + dj, k + dk) > v { isMaximum = false }
        } } }
        guard isMaximum else { continue }
        let p = R.position(i, j, k)
        var nearest = Double.infinity, bonded = 0
        grid.forEachNeighbor(of: p, within: max(coordinationRadius, RefinementRules.additionSpacing * bond)) { _, d2 in
            nearest = min(nearest, d2)
            if d2 < coordinationRadius * coordinationRadius { bonded += 1 }
        }
        guard nearest.squareRoot() >= RefinementRules.additionSpacing * bond, bonded >= 3 else { continue }
        peaks.append(ResidualPeak(position: p, z: z, neighbours: bonded))
    } } }
    peaks.sort { $0.z > $1.z }
    var chosen: [ResidualPeak] = []
    let limit = max(1, Int(RefinementRules.maximumAdditionFraction * Double(positions.count)))
    for p in peaks where chosen.count < limit {
        if chosen.allSatisfy({ ($0.position - p.position).length >= RefinementRules.additionSpacing * bond }) { chosen.append(p) }
    }
    return chosen
}
