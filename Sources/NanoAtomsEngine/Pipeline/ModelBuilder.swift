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
    /// Whether the validated model is refined against the map (``refineModel(_:options:cancellation:)``;
    /// not in the paper). Off in these options, which start from the paper's steps; `run`,
    /// `build` and study files turn it on (``StudyMapOptions/refine``), unless told not to.
    public var refine = false
    /// Whether refinement also fits each atom's anisotropic displacement U against the map,
    /// the other atoms modelled (``refineAnisotropicDisplacements(_:map:profile:windowRadius:threads:)``;
    /// not in the paper, whose anisotropic fit is per atom in the raw map). Only with `refine`.
    public var anisotropic = false
    /// A fixed threshold on the denoised map C; nil (or a value that is not finite) searches for
    /// the best (the paper).
    public var threshold: Double? = nil
    /// Threads for the large steps.
    public var threads = Parallel.availableCores

    /// r_th, Å: `radius`, else the element's.
    public var atomRadius: Double { radius ?? element.radius }

    /// The paper's CN cut-off: "discarded atoms with CN of less than three".
    public static let defaultMinimumCoordination = 3
    /// Radius of the sphere for the per-atom outlier correlation, in r_th (paper: 1.5).
    public static let outlierSphereRadius = 1.5

    /// The paper's defaults for `element`.
    public init(element: Element) { self.element = element }
}

/// Results that depend only on a set of atom positions, computed while building the model and
/// kept so that the statistics on the same positions need not compute them again.
package struct ReusableResults: Sendable {
    /// The positions they belong to.
    package let positions: [Vector3]
    /// The lattice fitted to `positions`, when validation fitted it to exactly these.
    package let lattice: LatticeFit?
    /// The map simulated from `positions` with `profile` on the raw map's grid, when
    /// validation rendered it.
    package let simulated: Volume?
    /// The simulated atom of `simulated`.
    package let profile: AtomProfile?

    /// Results for `positions`; nil for what was not computed on exactly these positions.
    package init(positions: [Vector3], lattice: LatticeFit? = nil, simulated: Volume? = nil, profile: AtomProfile? = nil) {
        self.positions = positions
        self.lattice = lattice
        self.simulated = simulated
        self.profile = profile
    }

    /// The simulated map, if it was made with `profile` on exactly `grid`'s grid.
    package func simulated(with profile: AtomProfile, on grid: Volume) -> Volume? {
        guard let s = simulated, self.profile == profile, s.dimensions == grid.dimensions,
              s.voxelSize == grid.voxelSize, s.origin == grid.origin else { return nil }
        return s
    }
}

/// Builds a validated atomic model from a density map: exactly the composition of the stages
/// ``maskParticle(_:options:cancellation:)``, ``denoiseMap(_:options:cancellation:)``,
/// ``binarizeMap(_:options:cancellation:)``, ``detectAtoms(in:cancellation:)``,
/// ``splitMergedAtoms(in:options:cancellation:)``, ``recoverWeakAtoms(in:options:cancellation:)``
/// and ``validateModel(_:options:cancellation:)``, in the paper's order, then
/// ``refineModel(_:options:cancellation:)`` when `options.refine` asks for it. The language's
/// commands call the same stages, so step by step and `build` agree atom for atom.
///
/// The map is taken as `consuming`: a caller that passes its last reference (`consume map`)
/// lets the whole box be freed once the analysis box is cut out of it, which bounds the
/// peak memory by the particle's box rather than the map's.
public func buildModel(from map: consuming Volume, options: ModelBuildingOptions) -> ValidatedModel {
    do {
        return try buildModel(from: consume map, options: options, cancellation: nil)
    } catch {
        preconditionFailure("model building without a cancellation flag cannot be interrupted")
    }
}

/// ``buildModel(from:options:)`` that stops with ``Interrupted`` between two of its steps
/// once `cancellation` is requested (Ctrl-C in the shell). With `keepingIntermediateMaps`
/// false the model drops the maps only earlier steps read (``ValidatedModel/releasingIntermediateMaps(keepingSimulated:)``)
/// before refinement: at 288³ a refined run's peak falls from 677 to 592 MB, and refinement
/// itself runs in 250 MB instead of 530.
public func buildModel(from map: consuming Volume, options: ModelBuildingOptions,
                       cancellation: Cancellation?, keepingIntermediateMaps: Bool = true) throws(Interrupted) -> ValidatedModel {
    let masked = try maskParticle(consume map, options: options, cancellation: cancellation)
    let denoised = try denoiseMap(masked, cancellation: cancellation)
    let binarized = try binarizeMap(denoised, cancellation: cancellation)
    let detected = try detectAtoms(in: binarized, cancellation: cancellation)
    let split = try splitMergedAtoms(in: detected, cancellation: cancellation)
    let candidates = try recoverWeakAtoms(in: split, cancellation: cancellation)
    var validated = try validateModel(candidates, cancellation: cancellation)
    if !keepingIntermediateMaps { validated = validated.releasingIntermediateMaps(keepingSimulated: !options.refine) }
    return try refineModel(validated, cancellation: cancellation)
}
