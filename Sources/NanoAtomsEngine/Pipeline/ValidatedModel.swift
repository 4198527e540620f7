/// The last stage of model building: the candidates validated against the map, with every
/// earlier stage's result, so a user can see why each atom is there or is not.
public struct ValidatedModel: Sendable {
    /// The candidates validated (the stage before).
    public let detected: DetectedAtoms
    /// The choices validation was made with.
    public let options: ModelBuildingOptions
    /// Per-atom outlier-test correlation of each candidate.
    public let candidateCorrelations: [Double]
    /// The lattice whose CN radius the CN rules used: fitted to exactly the validated atoms
    /// (unless the flag `lattice_unsettled` says otherwise), so the statistics use it too.
    public let lattice: LatticeFit
    /// Atoms removed by validation, in the order the rules ran (after those of an earlier
    /// validation of the same candidates).
    public let removals: [Removal]
    /// The validated atoms with their voxels.
    public let detection: AtomDetection
    /// The validated atoms with columns `valid_corr_sphere`, `nvox` and `split`.
    public let atoms: AtomSet
    /// Work on the validated atoms' positions that the statistics can reuse.
    package let reusable: ReusableResults
    /// Time taken by each step.
    public let timings: StepTimings
    /// What should not be trusted as it stands, each with its reason: the map, the mask, the
    /// threshold search, the lattice, detached atoms, a low signal.
    public let flags: [QualityFlag]
    /// What refinement against the map did, nil when the model was not refined.
    public let refinement: Refinement?

    /// The validated model's record.
    init(detected: DetectedAtoms, options: ModelBuildingOptions, candidateCorrelations: [Double], lattice: LatticeFit,
         removals: [Removal], detection: AtomDetection, atoms: AtomSet, reusable: ReusableResults, timings: StepTimings,
         flags: [QualityFlag], refinement: Refinement? = nil) {
        self.detected = detected
        self.options = options
        self.candidateCorrelations = candidateCorrelations
        self.lattice = lattice
        self.removals = removals
        self.detection = detection
        self.atoms = atoms
        self.reusable = reusable
        self.timings = timings
        self.flags = flags
        self.refinement = refinement
    }

    /// The simulated atom.
    public var profile: AtomProfile { detected.binarized.denoised.profile }
    /// r_th, Å.
    public var radius: Double { options.atomRadius }
    /// The mask, if any.
    public var mask: ParticleMask? { detected.binarized.denoised.masked.mask }
    /// The particle's atom-like peaks, found to place or check the mask (nil: none found).
    public var location: ParticleLocation? { detected.binarized.denoised.masked.location }
    /// The background subtracted before masking.
    public var background: MapBackground { detected.binarized.denoised.masked.background }
    /// The masked raw map M.
    public var raw: Volume { detected.binarized.denoised.masked.map }
    /// The denoised map C; nil once released (``releasingIntermediateMaps()``).
    public var denoised: Volume? { detected.binarized.denoised.mapReleased ? nil : detected.binarized.denoised.map }
    /// The threshold search.
    public var search: ThresholdSearchResult { detected.binarized.search }
    /// Components at the chosen threshold.
    public var componentCount: Int { detected.componentCount }
    /// Components that were split (or re-centred).
    public var splitComponents: Int { detected.splitComponents }
    /// Weak atoms added after the threshold search.
    public var recoveredAtoms: Int { detected.recoveredAtoms }
    /// Atoms after splitting, before validation.
    public var candidates: AtomDetection { detected.detection }

    /// How many atoms each rule removed.
    public func removedCount(_ rule: Removal.Rule) -> Int { removals.filter { $0.rule == rule }.count }

    /// The validated atoms as candidates of a further step (split, recover or validate again).
    public var asCandidates: DetectedAtoms {
        precondition(!detected.binarized.denoised.mapReleased, "asCandidates: this model's intermediate maps were released")
        return detected.with(detection, removals: removals, timings: timings)
    }

    /// This model without the maps only its earlier steps read: the denoised map C, the
    /// threshold search's matched filter and validation's simulated map (three map-sized
    /// buffers; the masked map M stays). A run that goes on to refine and report, and never
    /// back to an earlier step, frees them for refinement (at 288³, 0.29 GB of 0.68 GB).
    /// `keepingSimulated` keeps validation's simulated map, which the statistics of these very
    /// positions reuse (an unrefined model's).
    package func releasingIntermediateMaps(keepingSimulated: Bool = false) -> ValidatedModel {
        ValidatedModel(detected: detected.releasingMaps(), options: options, candidateCorrelations: candidateCorrelations,
                       lattice: lattice, removals: removals, detection: detection, atoms: atoms,
                       reusable: keepingSimulated ? reusable : ReusableResults(positions: reusable.positions, lattice: reusable.lattice, profile: reusable.profile),
                       timings: timings, flags: flags, refinement: refinement)
    }
}

/// Below this fraction of the model's atoms seen as atom-like peaks (``ParticleLocation``) the
/// run is flagged as low-signal: on simulated 147–309-atom particles recall fell below 0.9 only
/// where the fraction was under one half (SNR 3), and stayed ≥ 0.95 where it was over 0.6.
let minimumSignificantFraction = 0.55

/// Validates the candidates (``validateAtoms(_:raw:profile:radius:element:rules:threads:timer:cancellation:)``):
/// the correlation test, then the lattice and the CN rules of `options` (nil: the stage's).
public func validateModel(_ detected: DetectedAtoms, options given: ModelBuildingOptions? = nil,
                          cancellation: Cancellation? = nil) throws(Interrupted) -> ValidatedModel {
    let options = given ?? detected.options
    var timer = detected.timings
    let M = detected.binarized.denoised.masked.map
    let candidates = detected.detection
    let validation = try validateAtoms(candidates.positions, raw: M, profile: detected.binarized.denoised.profile,
                                       radius: options.atomRadius, element: options.element,
                                       rules: ValidationRules(options), threads: options.threads, timer: &timer, cancellation: cancellation)
    var flags = detected.flags + validation.flags
    let kept = validation.kept
    let detection = candidates.subset(kept)
    if let l = detected.binarized.denoised.masked.location, !kept.isEmpty,
       Double(l.particlePeaks.count) < minimumSignificantFraction * Double(kept.count) {
        flags.append(QualityFlag(.lowSignal,
            "only \(Int((100 * Double(l.particlePeaks.count) / Double(kept.count)).rounded())) % of the \(kept.count) atoms stand out as atom-like peaks above \(flagNumber(l.significance)) SD: expect missed or false surface atoms",
            remedy: "compare with a second half-map (part1/part2) or a denoised reconstruction"))
    }
    var atoms = AtomSet(element: options.element, positions: detection.positions)
    atoms.setColumn("valid_corr_sphere", kept.map { validation.correlations[$0] })
    atoms.setColumn("nvox", (0..<detection.count).map { Double(detection.regions.size(of: $0)) })
    atoms.setColumn("split", detection.wasSplit.map { $0 ? 1 : 0 })
    // The lattice was fitted after the correlation rule, the map simulated before any rule:
    // each is reusable when no later rule removed an atom.
    let reusable = ReusableResults(positions: detection.positions,
                                   lattice: validation.latticeSettled ? validation.lattice : nil,
                                   simulated: validation.removals.isEmpty ? validation.simulated : nil,
                                   profile: detected.binarized.denoised.profile)
    return ValidatedModel(detected: detected, options: options, candidateCorrelations: validation.correlations,
                          lattice: validation.lattice, removals: detected.removals + validation.removals, detection: detection,
                          atoms: atoms, reusable: reusable, timings: timer, flags: flags)
}
