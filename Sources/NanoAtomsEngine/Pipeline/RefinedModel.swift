/// One change refinement made to the model, with its reason, as validation records its removals.
public struct RefinementEdit: Sendable, Equatable {
    /// What was done.
    public enum Kind: String, Sendable {
        /// An atom whose fitted amplitude was not significant was removed.
        case removed
        /// Two atoms closer than an atom's size were merged into one.
        case merged
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
    /// Sweeps of the joint fit (in the last round of edits).
    public let sweeps: Int
    /// Whether the positions settled (RMS change in the last sweep under 0.002 Å).
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
    let result = try timer.measure("refine", checking: cancellation) { () -> (JointFit, [Int], [RefinementEdit], Double) in
        var keep = Array(model.atoms.positions.indices)
        var positions = model.atoms.positions
        var edits: [RefinementEdit] = []
        var fit = fitAtomsJointly(positions, map: M, profile: profile, windowRadius: JointFitLimits.windowFraction * bond, threads: options.threads)
        var core = 1.0
        for _ in 0..<RefinementRules.maximumRounds {
            core = coreAmplitude(fit, radius: model.lattice.coordinationRadius)
            var drop = Set<Int>()
            for i in fit.positions.indices {
                let occupancy = fit.amplitudes[i] / core
                let z = fit.amplitudes[i] / fit.amplitudeSignificanceErrors[i]
                if occupancy < RefinementRules.minimumOccupancy || (z.isFinite && z < RefinementRules.significantAmplitude) {
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
            if drop.isEmpty { break }
            let kept = fit.positions.indices.filter { !drop.contains($0) }
            keep = kept.map { keep[$0] }
            positions = kept.map { fit.positions[$0] }
            fit = fitAtomsJointly(positions, map: M, profile: profile, windowRadius: JointFitLimits.windowFraction * bond,
                                  startingAmplitudes: kept.map { fit.amplitudes[$0] }, startingDisplacements: kept.map { fit.displacements[$0] },
                                  threads: options.threads)
        }
        return (fit, keep, edits, core)
    }
    let (fit, keep, edits, core) = result
    let detection = model.detection.subset(keep)
    var atoms = model.atoms.subset(keep)
    atoms.positions = fit.positions
    let width = profile.effectiveVariance
    atoms.setColumn("occupancy", fit.amplitudes.map { $0 / core })
    atoms.setColumn("u_refined", fit.displacements)
    atoms.setColumn("u_total", fit.displacements.map { $0 + width })
    atoms.setColumn("sigma_x", fit.positionErrors.map(\.x))
    atoms.setColumn("sigma_y", fit.positionErrors.map(\.y))
    atoms.setColumn("sigma_z", fit.positionErrors.map(\.z))
    atoms.setColumn("sigma_position", fit.positionErrors.map { ($0.x * $0.x + $0.y * $0.y + $0.z * $0.z).squareRoot() })
    atoms.setColumn("sigma_u", fit.displacementErrors)
    atoms.setColumn("sigma_occupancy", fit.amplitudeErrors.map { $0 / core })
    let moved = zip(keep, fit.positions).map { (model.atoms.positions[$0] - $1).length }
    let rms = moved.isEmpty ? 0 : (moved.map { $0 * $0 }.reduce(0, +) / Double(moved.count)).squareRoot()
    var flags = model.flags
    if fit.lastShift > JointFitLimits.convergedShift {
        flags.append(QualityFlag(.refinement, String(format: "the joint fit had not settled after %d sweeps (last RMS move %.3f Å): positions and widths are approximate", fit.sweeps, fit.lastShift),
                                 remedy: "compare with the unrefined model (--paper, or build without refine)"))
    }
    let refinement = Refinement(sweeps: fit.sweeps, converged: fit.lastShift <= JointFitLimits.convergedShift, noiseSD: fit.noiseSD,
                                correlationFactor: fit.correlationFactor, coreAmplitude: core, rmsShift: rms, edits: edits)
    return ValidatedModel(detected: model.detected, options: options, candidateCorrelations: model.candidateCorrelations,
                          lattice: model.lattice, removals: model.removals,
                          detection: AtomDetection(positions: fit.positions, regions: detection.regions, wasSplit: detection.wasSplit),
                          atoms: atoms, reusable: ReusableResults(positions: fit.positions), timings: timer, flags: flags,
                          refinement: refinement)
}

/// The median amplitude of the atoms with 12 neighbours within `radius` (all atoms when none has).
func coreAmplitude(_ fit: JointFit, radius: Double) -> Double {
    let cn = coordinationNumbers(fit.positions, radius: radius)
    let core = fit.amplitudes.indices.filter { cn[$0] >= 12 }.map { fit.amplitudes[$0] }
    let m = median(core.isEmpty ? fit.amplitudes : core)
    return m.isFinite && m > 0 ? m : 1
}
