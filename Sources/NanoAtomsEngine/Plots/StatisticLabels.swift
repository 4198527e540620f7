/// How figures and tables name a statistic column: a readable label and its unit.
public struct StatisticLabel: Sendable {
    /// The label, e.g. "Coordination number (CN)".
    public let name: String
    /// The unit, e.g. "Å²", or "" for a pure number.
    public let unit: String

    /// "name (unit)", or the name alone without a unit.
    public var axisLabel: String { unit.isEmpty ? name : "\(name) (\(unit))" }

    /// The label of column `column` (columns it does not know are shown by their names).
    public init(column: String) {
        switch column {
        case "cn": (name, unit) = ("Coordination number (CN)", "")
        case "gcn", "gcn_paper": (name, unit) = ("Generalised CN (GCN)", "")
        case "nn_bond", "nn_bond_median": (name, unit) = ("Nearest-neighbour bond", "Å")
        case "radial_strain": (name, unit) = ("Radial strain", "%")
        case "radial_depth": (name, unit) = ("Radial depth", "Å")
        case "peak_z": (name, unit) = ("Peak intensity z-score", "")
        case "valid_corr": (name, unit) = ("Validation correlation", "")
        case "uiso": (name, unit) = ("Uiso", "Å²")
        case "u11", "u22", "u33", "u12", "u13", "u23": (name, unit) = (column.uppercased(), "Å²")
        case "u_maj": (name, unit) = ("U major", "Å²")
        case "u_med": (name, unit) = ("U medium", "Å²")
        case "u_min": (name, unit) = ("U minor", "Å²")
        case "doi": (name, unit) = ("Degree of isotropy (DOI)", "")
        case "structure": (name, unit) = ("Local structure (0 other, 1 fcc, 2 hcp, 4 ico)", "")
        case "grain": (name, unit) = ("Grain", "")
        case "q4": (name, unit) = ("Bond order q4", "")
        case "q6": (name, unit) = ("Bond order q6", "")
        case "crystalline_bonds": (name, unit) = ("Crystalline bonds", "")
        case "site": (name, unit) = ("Surface site (0 core, 1 vertex, 2 edge, 3 {100}, 4 {111}, 5 other)", "")
        case "surface": (name, unit) = ("Surface atom", "")
        case "e_xx", "e_yy", "e_zz", "e_xy", "e_xz", "e_yz": (name, unit) = ("Strain ε" + column.dropFirst(2), "%")
        default: (name, unit) = (column, "")
        }
    }
}
