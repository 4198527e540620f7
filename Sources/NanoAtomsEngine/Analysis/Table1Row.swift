import Foundation

/// One field of the paper's Table 1 row for a particle.
public struct Table1Field: Sendable {
    /// Its key in summary.json, the language (`tab.median_cn`) and the `summary` record.
    public let key: String
    /// A readable label, e.g. "median CN".
    public let label: String
    /// Its unit, or "".
    public let unit: String
    /// The value (NaN when it was not measured: no depth fit, no atoms).
    public let value: Double
    /// Decimal places it is shown with.
    public let digits: Int
    /// A 95 % interval, for δ.
    public let interval: ClosedRange<Double>?
    /// Why the value is doubtful, for δ (see ``DepthFit/doubt``).
    public let doubt: String?

    /// A field without a unit.
    init(_ key: String, _ label: String, _ value: Double, digits: Int) {
        self.init(key, label, "", value, digits: digits)
    }

    /// A field.
    init(_ key: String, _ label: String, _ unit: String, _ value: Double, digits: Int,
         interval: ClosedRange<Double>? = nil, doubt: String? = nil) {
        self.key = key
        self.label = label
        self.unit = unit
        self.value = value
        self.digits = digits
        self.interval = interval
        self.doubt = doubt
    }

    /// "label (unit)", or the label alone.
    public var heading: String { unit.isEmpty ? label : "\(label) (\(unit))" }

    /// The value as shown: its digits, the interval in brackets, ⚑ when doubtful, "–" when not measured.
    public var text: String {
        guard value.isFinite else { return "–" }
        var s = String(format: "%.\(digits)f", value)
        if let i = interval { s += String(format: " (%.\(max(1, digits - 1))f–%.\(max(1, digits - 1))f)", i.lowerBound, i.upperBound) }
        if doubt != nil { s += " ⚑" }
        return s
    }
}

extension ParticleStatistics {
    /// The paper's Table 1 row: atoms, diameter, CN, bonds, strain, the core ratio, ā and δ.
    /// summary.json, the report, the language's `summary` and `show`, and the one-shot commands
    /// all print this one list.
    public var table1: [Table1Field] {
        let s = summary
        return [
            Table1Field("natoms", "atoms", Double(s.atoms), digits: 0),
            Table1Field("diameter", "diameter", "Å", s.diameter, digits: 2),
            Table1Field("median_cn", "median CN", s.medianCN, digits: 1),
            Table1Field("mean_cn", "mean CN", s.meanCN, digits: 2),
            // The headline bond: g(r)'s first shell, corrected for the noise's spread (unbiased:
            // 2.802–2.814 Å on the shared maps for a true 2.816 Å); the paper's median of each
            // atom's shortest distance follows it, biased low by noise (2.38–2.69 Å there).
            Table1Field("first_shell_bond", "NN bond (g(r) first shell)", "Å", structure.radialDistribution.firstShellBond ?? .nan, digits: 3),
            Table1Field("median_nn_bond", "median shortest distance (paper's NN bond)", "Å", s.medianNNBond, digits: 3),
            Table1Field("median_neighbor_distance", "median neighbour distance", "Å", s.medianNeighborDistance, digits: 3),
            Table1Field("median_radial_strain", "median radial strain", "%", s.medianRadialStrain, digits: 2),
            Table1Field("core_ratio", "core ratio (CN 12)", s.coreRatio, digits: 3),
            Table1Field("core_atoms", "core atoms", Double(s.coreAtoms), digits: 0),
            Table1Field("a", "ā", "Å", lattice.meanLatticeConstant, digits: 4),
            Table1Field("delta_cn", "δ CN", "Å", depthFitCN?.delta ?? .nan, digits: 2, interval: depthFitCN?.interval, doubt: depthFitCN?.doubt),
            Table1Field("delta_gcn", "δ GCN", "Å", depthFitGCN?.delta ?? .nan, digits: 2, interval: depthFitGCN?.interval, doubt: depthFitGCN?.doubt),
        ]
    }

    /// The Table 1 field `key`, or nil.
    public func table1Field(_ key: String) -> Table1Field? { table1.first { $0.key == key } }
}
