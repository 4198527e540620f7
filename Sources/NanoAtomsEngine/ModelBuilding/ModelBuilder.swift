import Dispatch

/// How the particle is masked before model building.
public enum MaskChoice: Sendable, Equatable {
    /// Estimate a sphere around the particle from the map.
    case automatic
    /// A sphere of this diameter (Å) at the box centre.
    case diameter(Double)
    /// No mask.
    case none
}

/// Every choice model building makes, with the paper's defaults.
public struct ModelBuildingOptions: Sendable {
    /// The element of the particle.
    public var element: Element
    /// Masking.
    public var mask: MaskChoice = .automatic
    /// B-factor of the simulated atom, Å²; nil for 64·apix² (see ``AtomProfile/peng(_:voxelSize:bFactor:)``).
    public var atomBFactor: Double? = nil
    /// Theoretical atomic radius r_th, Å; nil for the element's.
    public var radius: Double? = nil
    /// Coarse thresholds of the search (paper: 15).
    public var coarseSteps = ThresholdSearch.coarseSteps
    /// Fine thresholds of the search.
    public var fineSteps = ThresholdSearch.fineSteps
    /// Whether to split merged atoms.
    public var split = true
    /// Whether to look for weak atoms that the chosen threshold missed (not in the paper;
    /// see ``recoverWeakAtoms(_:denoised:scorer:lowerThreshold:element:radius:options:)``).
    public var recoverWeakAtoms = true
    /// Which correlations are outliers.
    public var outlierRule: OutlierRule = .robust
    /// Atoms with fewer neighbours are removed; nil keeps them all (paper: 3).
    public var minimumCoordination: Int? = defaultMinimumCoordination
    /// Whether small clusters of atoms not bonded to the particle are removed (not in the
    /// paper; see ``removeDetachedClusters(_:radius:)``).
    public var removeDetached = true
    /// Threads for the large steps.
    public var threads = Parallel.availableCores

    /// The paper's CN cut-off: "discarded atoms with CN of less than three".
    public static let defaultMinimumCoordination = 3
    /// Radius of the sphere for the per-atom outlier correlation, in r_th (paper: 1.5).
    public static let outlierSphereRadius = 1.5

    /// The paper's defaults for `element`.
    public init(element: Element) { self.element = element }
}

/// Everything model building produced, step by step, so a user can see why each atom is
/// there or is not.
public struct ModelBuildResult: Sendable {
    /// The options used.
    public let options: ModelBuildingOptions
    /// The simulated atom.
    public let profile: AtomProfile
    /// r_th, Å.
    public let radius: Double
    /// The mask, if any, and the background subtracted before masking.
    public let mask: ParticleMask?
    /// The particle's atom-like peaks, found to place or check the mask (nil: none found).
    public let location: ParticleLocation?
    /// See `mask`.
    public let background: MapBackground
    /// The masked raw map M.
    public let raw: Volume
    /// The denoised map C.
    public let denoised: Volume
    /// The threshold search.
    public let search: ThresholdSearchResult
    /// Components at the chosen threshold.
    public let componentCount: Int
    /// Components that were split (or re-centred).
    public let splitComponents: Int
    /// Weak atoms added after the threshold search.
    public let recoveredAtoms: Int
    /// Atoms after splitting, before validation.
    public let candidates: AtomDetection
    /// Per-atom outlier-test correlation of each candidate.
    public let candidateCorrelations: [Double]
    /// The lattice whose CN radius the CN rules used: fitted to exactly the validated atoms
    /// (unless the flag `lattice_unsettled` says otherwise), so the statistics use it too.
    public let lattice: LatticeFit
    /// Atoms removed by validation, in the order the rules ran.
    public let removals: [Removal]
    /// The validated atoms with their voxels.
    public let detection: AtomDetection
    /// The validated atoms with columns `valid_corr_sphere`, `nvox` and `split`.
    public let atoms: AtomSet
    /// Work on the validated atoms' positions that the statistics can reuse.
    public let reusable: ReusableResults
    /// Time taken by each step.
    public let timings: StepTimings
    /// What should not be trusted as it stands, each with its reason: the mask, the threshold
    /// search, the lattice, detached atoms.
    public let flags: [QualityFlag]

    /// How many atoms each rule removed.
    public func removedCount(_ rule: Removal.Rule) -> Int { removals.filter { $0.rule == rule }.count }
}

/// Results that depend only on a set of atom positions, computed while building the model and
/// kept so that the statistics on the same positions need not compute them again.
public struct ReusableResults: Sendable {
    /// The positions they belong to.
    public let positions: [Vector3]
    /// The lattice fitted to `positions`, when validation fitted it to exactly these.
    public let lattice: LatticeFit?
    /// The map simulated from `positions` with `profile` on the raw map's grid, when
    /// validation rendered it.
    public let simulated: Volume?
    /// The simulated atom of `simulated`.
    public let profile: AtomProfile?

    /// Results for `positions`; nil for what was not computed on exactly these positions.
    public init(positions: [Vector3], lattice: LatticeFit? = nil, simulated: Volume? = nil, profile: AtomProfile? = nil) {
        self.positions = positions
        self.lattice = lattice
        self.simulated = simulated
        self.profile = profile
    }

    /// The simulated map, if it was made with `profile` on exactly `grid`'s grid.
    public func simulated(with profile: AtomProfile, on grid: Volume) -> Volume? {
        guard let s = simulated, self.profile == profile, s.dimensions == grid.dimensions,
              s.voxelSize == grid.voxelSize, s.origin == grid.origin else { return nil }
        return s
    }
}

/// Below this fraction of the model's atoms seen as atom-like peaks (``ParticleLocation``) the
/// run is flagged as low-signal: on simulated 147–309-atom particles recall fell below 0.9 only
/// where the fraction was under one half (SNR 3), and stayed ≥ 0.95 where it was over 0.6.
let minimumSignificantFraction = 0.55

/// Voxels added around the mask's support when cropping to the analysis box: room for the
/// interpolation of the threshold search (two voxels) and for splitting near the edge.
let analysisBoxMargin = 3

/// Builds a validated atomic model from a density map: mask, denoise, Otsu, threshold
/// search, components and centres of mass, splitting, validation. Each step is one of the
/// engine's public functions; this runs them in the paper's order.
///
/// The map is taken as `consuming`: a caller that passes its last reference (`consume map`)
/// lets the whole box be freed once the analysis box is cut out of it, which bounds the
/// peak memory by the particle's box rather than the map's.
public func buildModel(from map: consuming Volume, options: ModelBuildingOptions) -> ModelBuildResult {
    do {
        return try buildModel(from: consume map, options: options, cancellation: nil)
    } catch {
        preconditionFailure("model building without a cancellation flag cannot be interrupted")
    }
}

/// ``buildModel(from:options:)`` that stops with ``Interrupted`` between two of its steps
/// once `cancellation` is requested (Ctrl-C in the shell).
public func buildModel(from map: consuming Volume, options: ModelBuildingOptions, cancellation: Cancellation?) throws(Interrupted) -> ModelBuildResult {
    var timer = StepTimings()
    // A map made in memory gets the same protection as one read from a file.
    let t0Condition = DispatchTime.now().uptimeNanoseconds
    if let flag = ExtremeValues.condition(&map).flag { map.flags.append(flag) }
    timer.record("extreme_values", seconds: Double(DispatchTime.now().uptimeNanoseconds - t0Condition) * 1e-9)
    let threads = options.threads
    let radius = options.radius ?? options.element.radius
    let profile = AtomProfile.peng(options.element, voxelSize: map.voxelSize, bFactor: options.atomBFactor)

    var estimate: MaskEstimate! = nil
    var background = MapBackground.flat(0)
    let M: Volume = try timer.measure("mask", checking: cancellation) {
        estimate = MaskEstimate.make(options.mask, for: map, element: options.element, threads: threads)
        guard let mask = estimate.mask else { return copy map }
        background = mask.background(of: map)
        // Everything after works on the box around the mask's support (the analysis box):
        // outside it the masked map is zero, so the denoised map there needs no input from
        // outside, and the result does not depend on how much empty box surrounds the particle.
        // Correlations are over this box, so C beyond it counts as zero by definition.
        return mask.apply(to: map, subtracting: background, within: mask.supportBox(in: map).expanded(by: analysisBoxMargin, within: map),
                          threads: threads)
    }
    let mask = estimate.mask
    var flags = map.flags + estimate.flags
    let plausibility = DetectionPlausibility(location: estimate.location, mask: mask, element: options.element)
    map = Volume(nx: 1, ny: 1, nz: 1, voxelSize: map.voxelSize)   // the whole box is not needed any more
    let C = try timer.measure("denoise", checking: cancellation) { denoise(M, profile: profile, threads: threads) }
    let t0 = try timer.measure("otsu", checking: cancellation) { otsuThreshold(C.values) }
    let (search, scorer) = try timer.measure("threshold_search", checking: cancellation) { () -> (ThresholdSearchResult, SimulatedMapCorrelation) in
        // One pass collects the voxels above T₀ for every threshold tried; their bounding box
        // is where the scorer needs the matched filter.
        let sweep = ComponentSweep(denoised: C, weights: M, above: t0)
        let scorer = SimulatedMapCorrelation(map: C, profile: profile, voxelsIn: sweep.bounds, threads: threads)
        return (ThresholdSearch.run(denoised: C, raw: M, profile: profile, otsu: t0, coarseSteps: options.coarseSteps,
                                    fineSteps: options.fineSteps, sweep: sweep, scorer: scorer, plausibility: plausibility,
                                    threads: threads), scorer)
    }
    if let f = search.flag { flags.append(f) }
    let found = try timer.measure("detect", checking: cancellation) { detectAtoms(denoised: C, raw: M, threshold: search.threshold) }
    let (splitAtoms, nsplit) = try timer.measure("split", checking: cancellation) { () -> (AtomDetection, Int) in
        options.split ? splitMergedAtoms(found, denoised: C, raw: M, options: SplitOptions(radius: radius)) : (found, 0)
    }
    let (candidates, recovered) = try timer.measure("recover", checking: cancellation) { () -> (AtomDetection, Int) in
        guard options.recoverWeakAtoms else { return (splitAtoms, 0) }
        return recoverWeakAtoms(splitAtoms, denoised: C, scorer: scorer, lowerThreshold: t0,
                                element: options.element, radius: radius)
    }

    let validation = try validateAtoms(candidates.positions, raw: M, profile: profile, radius: radius, element: options.element,
                                       rules: ValidationRules(options), threads: threads, timer: &timer, cancellation: cancellation)
    let removals = validation.removals
    let correlations = validation.correlations
    let lattice = validation.lattice
    flags += validation.flags
    let keptIndices = validation.kept
    let detection = candidates.subset(keptIndices)
    if let l = estimate.location, !keptIndices.isEmpty,
       Double(l.particlePeaks.count) < minimumSignificantFraction * Double(keptIndices.count) {
        flags.append(QualityFlag(.lowSignal,
            "only \(Int((100 * Double(l.particlePeaks.count) / Double(keptIndices.count)).rounded())) % of the \(keptIndices.count) atoms stand out as atom-like peaks above \(flagNumber(l.significance)) SD: expect missed or false surface atoms",
            remedy: "compare with a second half-map (part1/part2) or a denoised reconstruction"))
    }
    var atoms = AtomSet(element: options.element, positions: detection.positions)
    atoms.setColumn("valid_corr_sphere", keptIndices.map { correlations[$0] })
    atoms.setColumn("nvox", (0..<detection.count).map { Double(detection.regions.size(of: $0)) })
    atoms.setColumn("split", detection.wasSplit.map { $0 ? 1 : 0 })
    // The lattice was fitted after the correlation rule, the map simulated before any rule:
    // each is reusable when no later rule removed an atom.
    let reusable = ReusableResults(positions: detection.positions,
                                   lattice: validation.latticeSettled ? lattice : nil,
                                   simulated: removals.isEmpty ? validation.simulated : nil, profile: profile)
    return ModelBuildResult(options: options, profile: profile, radius: radius, mask: mask, location: estimate.location,
                            background: background,
                            raw: M, denoised: C, search: search, componentCount: found.count, splitComponents: nsplit, recoveredAtoms: recovered,
                            candidates: candidates, candidateCorrelations: correlations, lattice: lattice,
                            removals: removals, detection: detection, atoms: atoms, reusable: reusable, timings: timer,
                            flags: flags)
}
