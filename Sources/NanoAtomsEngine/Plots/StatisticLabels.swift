/// How figures name a column: its ``Statistic``'s label and unit, or the column's own name for
/// a column that is no statistic.
package struct StatisticLabel: Sendable {
    /// The label, e.g. "Coordination number (CN)".
    package let name: String
    /// The unit, e.g. "Å²", or "" for a pure number.
    package let unit: String

    /// "name (unit)", or the name alone without a unit.
    package var axisLabel: String { unit.isEmpty ? name : "\(name) (\(unit))" }

    /// The label of column `column`, read from ``Statistic/all``.
    package init(column: String) {
        if let s = Statistic.named(column) { (name, unit) = (s.label, s.unit) } else { (name, unit) = (column, "") }
    }
}
