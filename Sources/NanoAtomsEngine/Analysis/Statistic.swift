/// A per-atom statistic: the one description every reader of a table uses, so CSV, JSON, PDB,
/// the report, plots, `show`, `fitdepth` and completion cannot disagree about its name, unit,
/// label or whether it is binned and drawn. A new statistic is added here, in ``all``, and
/// computed in ``computeStatistics(atoms:map:options:lattice:cancellation:)``.
public struct Statistic: Sendable, Hashable, CustomStringConvertible {
    /// What a statistic needs to be measured.
    public enum Source: String, Sendable {
        /// The positions alone.
        case positions
        /// A map (the shape statistics).
        case map
        /// Model building (validation's correlation, an atom's voxels, whether it was split).
        case building
        /// Refinement against the map (``refineModel(_:options:cancellation:)``).
        case refinement
    }
    /// What sort of value it is.
    public enum Kind: String, Sendable {
        /// A quantity: averaged, binned, fitted against depth.
        case quantity
        /// A category coded as a number (a structure type, a grain, a site): counted, not averaged.
        case category
        /// A 0/1 marker kept for bookkeeping (an atom was split; its anisotropic fit held).
        case marker
    }

    /// The column's name in tables and files, e.g. `uiso`.
    public let key: String
    /// A readable label, e.g. "Uiso".
    public let label: String
    /// Its unit, e.g. "Å²", or "" for a pure number.
    public let unit: String
    /// What it needs.
    public let source: Source
    /// What sort of value it is.
    public let kind: Kind
    /// Whether it is binned by CN in summary.json and `show` (mean ± S/√N, paper Fig. 5).
    public let binnedByCN: Bool
    /// Whether the run's report draws it binned by CN.
    public let drawnByCN: Bool
    /// Whether the run's report draws it on a projection of the central slab.
    public let drawnAsProjection: Bool

    /// A statistic without a unit.
    init(_ key: String, _ label: String, _ source: Source, _ kind: Kind = .quantity,
         binned: Bool = false, drawnByCN: Bool = false, projection: Bool = false) {
        self.init(key, label, "", source, kind, binned: binned, drawnByCN: drawnByCN, projection: projection)
    }

    /// A statistic.
    init(_ key: String, _ label: String, _ unit: String, _ source: Source, _ kind: Kind = .quantity,
         binned: Bool = false, drawnByCN: Bool = false, projection: Bool = false) {
        self.key = key
        self.label = label
        self.unit = unit
        self.source = source
        self.kind = kind
        binnedByCN = binned
        self.drawnByCN = drawnByCN
        drawnAsProjection = projection
    }

    /// "label (unit)", or the label alone without a unit.
    public var axisLabel: String { unit.isEmpty ? label : "\(label) (\(unit))" }
    /// The key.
    public var description: String { key }
    /// Whether `fitdepth` can fit it against the radial depth (a quantity other than the depth).
    public var isFittable: Bool { kind == .quantity && key != Statistic.radialDepth.key }
    /// Whether `plot` can draw it (anything but a marker).
    public var isPlottable: Bool { kind != .marker }

    /// The statistic named `key`, or nil.
    public static func named(_ key: String) -> Statistic? { byKey[key] }

    private static let byKey: [String: Statistic] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// Coordination number: neighbours within the CN radius.
    public static let cn = Statistic("cn", "Coordination number (CN)", .positions, binned: false, projection: true)
    /// Generalised CN, Σ CN_k / 12 (the paper's formula).
    public static let gcn = Statistic("gcn", "Generalised CN (GCN)", .positions, binned: true)
    /// Nearest-neighbour bond.
    public static let nnBond = Statistic("nn_bond", "Nearest-neighbour bond", "Å", .positions, binned: true)
    /// Radial strain ε_RR.
    public static let radialStrain = Statistic("radial_strain", "Radial strain", "%", .positions, binned: true)
    /// Radial depth R_NP − R.
    public static let radialDepth = Statistic("radial_depth", "Radial depth", "Å", .positions)
    /// Peak intensity z-score over the atom's voxels.
    public static let peakZ = Statistic("peak_z", "Peak intensity z-score", .map, binned: true, drawnByCN: true)
    /// Isotropic displacement.
    public static let uiso = Statistic("uiso", "Uiso", "Å²", .map, binned: true, drawnByCN: true)
    /// Degree of isotropy U_min/U_maj.
    public static let doi = Statistic("doi", "Degree of isotropy (DOI)", .map, binned: true, drawnByCN: true, projection: true)
    /// Validation correlation over a cube of side 3 r_th.
    public static let validCorr = Statistic("valid_corr", "Validation correlation", .map, binned: true, drawnByCN: true)

    /// The anisotropic U's six components, Å².
    public static let anisotropicU = ["u11", "u22", "u33", "u12", "u13", "u23"].map { Statistic($0, $0.uppercased(), "Å²", .map) }
    /// The strain tensor's six components, %, lab frame.
    public static let strainTensor = ["e_xx", "e_yy", "e_zz", "e_xy", "e_xz", "e_yz"].map { Statistic($0, "Strain ε" + $0.dropFirst(2), "%", .positions) }

    /// Every per-atom statistic, in the order tables list them. The report's figures follow it.
    public static let all: [Statistic] = [
        cn, gcn, Statistic("gcn_paper", "Generalised CN (GCN, the paper's text)", .positions),
        nnBond, Statistic("nn_bond_median", "Median neighbour distance", "Å", .positions),
        radialStrain, radialDepth,
        peakZ, uiso, doi, validCorr,
        Statistic("valid_corr_sphere", "Outlier-test correlation (sphere of 1.5 r_th)", .building),
        Statistic("nvox", "Voxels", .building),
    ] + anisotropicU + [
        Statistic("u_maj", "U major", "Å²", .map), Statistic("u_med", "U medium", "Å²", .map), Statistic("u_min", "U minor", "Å²", .map),
        Statistic("aniso_valid", "Anisotropic fit valid", .map, .marker),
        Statistic("split", "Came from a split", .building, .marker),
        Statistic("structure", "Local structure (0 other, 1 fcc, 2 hcp, 4 ico)", .positions, .category),
        Statistic("structure_rmsd", "Template-matching RMSD of the best structure (PTM)", .positions),
        Statistic("grain", "Grain", .positions, .category),
        Statistic("q4", "Bond order q4", .positions), Statistic("q6", "Bond order q6", .positions),
        Statistic("crystalline_bonds", "Crystalline bonds", .positions),
        Statistic("site", "Surface site (0 core, 1 vertex, 2 edge, 3 {100}, 4 {111}, 5 other)", .positions, .category),
        Statistic("surface", "Surface atom", .positions, .category),
    ] + strainTensor + [
        Statistic("uiso_gaussian", "Uiso of the per-atom Gaussian fit (refined runs, whose uiso is the refined width)", "Å²", .refinement),
        Statistic("occupancy", "Occupancy (amplitude over the core atoms')", .refinement),
        Statistic("whole_atom", "Fitted as a whole atom (occupancy within 3 SE of one, amplitude held)", .refinement, .marker),
        Statistic("u_refined", "U above the atom's own width (refined)", "Å²", .refinement),
        Statistic("u_total", "Whole width as U (refined)", "Å²", .refinement),
        Statistic("sigma_x", "Standard error of x", "Å", .refinement), Statistic("sigma_y", "Standard error of y", "Å", .refinement),
        Statistic("sigma_z", "Standard error of z", "Å", .refinement),
        Statistic("sigma_position", "Standard error of the position", "Å", .refinement),
        Statistic("half_map_difference", "Distance between the half maps' positions", "Å", .refinement),
        Statistic("sigma_u", "Standard error of U", "Å²", .refinement),
        Statistic("sigma_occupancy", "Standard error of the occupancy", .refinement),
    ]
}

/// A statistic a table does not have, with what would give it.
public struct MissingStatistic: Error, Sendable, CustomStringConvertible {
    /// The statistic asked for.
    public let statistic: Statistic
    /// The error for `statistic`.
    public init(statistic: Statistic) { self.statistic = statistic }
    /// One line: what is missing and why.
    public var description: String {
        switch statistic.source {
        case .map: return "the table has no '\(statistic.key)' (\(statistic.axisLabel)): it is measured in a map; give stats a map (stats atoms map=VOLUME, or --map)"
        case .building: return "the table has no '\(statistic.key)' (\(statistic.axisLabel)): it comes from building the model in a map here"
        case .positions: return "the table has no '\(statistic.key)' (\(statistic.axisLabel))"
        case .refinement: return "the table has no '\(statistic.key)' (\(statistic.axisLabel)): it comes from refining the model (refine, build and run do it unless refine=false, --no-refine or --paper)"
        }
    }
}

extension AtomSet {
    /// The values of `statistic`, or a ``MissingStatistic`` error saying what would give them.
    public func values(of statistic: Statistic) throws(MissingStatistic) -> [Double] {
        guard let v = self[column: statistic.key] else { throw MissingStatistic(statistic: statistic) }
        return v
    }
}
