/// A warning that a result should not be trusted as it stands, with a one-line reason and,
/// where one exists, what to try instead. Every run carries its flags into summary.json, the
/// report and the shell.
public struct QualityFlag: Sendable, Equatable, CustomStringConvertible {
    /// What is doubtful.
    public enum Code: String, Sendable, CaseIterable {
        /// No cluster of atoms was found, so the mask came from the map's envelope.
        case maskFallback = "mask_fallback"
        /// The mask is much larger than the atoms found in it, or fills the box.
        case maskDoubtful = "mask_doubtful"
        /// Atom-like peaks of the particle lie outside a given mask.
        case atomsOutsideMask = "atoms_outside_mask"
        /// More than one cluster of atoms lies in the box.
        case severalClusters = "several_clusters"
        /// The threshold search's best correlation was implausible and a lower-scoring
        /// threshold was chosen, or no threshold was plausible.
        case thresholdSearch = "threshold_search"
        /// The particle is not one crystal (twinned, decahedral, polycrystalline): ā is the
        /// mean of lattices fitted to its grains.
        case notSingleCrystal = "not_single_crystal"
        /// No fcc lattice fits, even per grain: ā and the CN radius come from g(r).
        case latticeFallback = "lattice_fallback"
        /// Fitting the lattice and removing atoms by CN did not settle on one radius.
        case latticeUnsettled = "lattice_unsettled"
        /// ā strays from the element's bulk constant by more than a few percent.
        case latticeOutOfRange = "lattice_out_of_range"
        /// Clusters of atoms detached from the particle were removed.
        case detachedAtoms = "detached_atoms"
        /// Few of the model's atoms stand out as atom-like peaks: the noise is high enough
        /// that surface atoms are likely missed or invented.
        case lowSignal = "low_signal"
        /// The penetration depth δ rests on few core atoms, has a wide bootstrap interval, or
        /// the fit explains little.
        case depthUncertain = "depth_uncertain"
        /// Uiso cannot be read as it stands: many atoms have no finite fit, or the atoms are of
        /// several elements whose scattering widths differ.
        case uisoUnreliable = "uiso_unreliable"
        /// The statistics binned by CN rest on few bins of enough atoms.
        case fewBins = "few_bins"
        /// Voxels far outside the map's range were clipped, or its values rescaled.
        case extremeValues = "extreme_values"
        /// The joint refinement against the map did not settle.
        case refinement = "refinement"
        /// Neighbours were counted within a cut-off of the user's, not the lattice's CN radius.
        case userCutoff = "user_cutoff"
        /// The map's voxels were not cubes; it was resampled onto cubic voxels when read.
        case resampled = "resampled"
    }

    /// What is doubtful.
    public let code: Code
    /// Why, in one line.
    public let reason: String
    /// What to try, or nil.
    public let remedy: String?

    /// A flag.
    public init(_ code: Code, _ reason: String, remedy: String? = nil) {
        self.code = code
        self.reason = reason
        self.remedy = remedy
    }

    /// `code: reason (remedy)` on one line.
    public var description: String { "\(code.rawValue): \(reason)" + (remedy.map { " (\($0))" } ?? "") }
}
