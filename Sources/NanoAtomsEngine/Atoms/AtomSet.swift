/// A set of atoms: positions in Å plus named per-atom columns (statistics, flags), kept in
/// the order they were added. Atoms are of one element, or of several when the column
/// `atomic_number` says each atom's.
public struct AtomSet: Sendable {
    /// The element of every atom (of most atoms, when `atomic_number` is given).
    public var element: Element
    /// Atom centres, Å.
    public var positions: [Vector3]
    /// Column names in order.
    public private(set) var columnNames: [String] = []
    private var columnValues: [String: [Double]] = [:]

    /// Atoms at `positions` with no columns.
    public init(element: Element, positions: [Vector3]) {
        self.element = element
        self.positions = positions
    }

    /// Number of atoms.
    public var count: Int { positions.count }

    /// Each atom's element: from the column `atomic_number` where it names a known element,
    /// else `element`.
    public var elements: [Element] {
        guard let z = self[column: "atomic_number"] else { return positions.map { _ in element } }
        let known = Dictionary(uniqueKeysWithValues: Element.all.map { (Double($0.atomicNumber), $0) })
        return z.map { known[$0] ?? element }
    }

    /// The elements present, most atoms first.
    public var elementsPresent: [Element] {
        var tally: [Element: Int] = [:]
        for e in elements { tally[e, default: 0] += 1 }
        return tally.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key.atomicNumber < $1.key.atomicNumber) }.map(\.key)
    }

    /// The values of column `name`, or nil.
    public subscript(column name: String) -> [Double]? { columnValues[name] }

    /// Sets (or replaces) column `name`; `values` must have one entry per atom.
    public mutating func setColumn(_ name: String, _ values: [Double]) {
        precondition(values.count == positions.count, "column \(name) has \(values.count) values for \(positions.count) atoms")
        if columnValues[name] == nil { columnNames.append(name) }
        columnValues[name] = values
    }

    /// The atoms at `indices`, in that order, with their columns.
    public func subset(_ indices: [Int]) -> AtomSet {
        var out = AtomSet(element: element, positions: indices.map { positions[$0] })
        for name in columnNames { out.setColumn(name, indices.map { columnValues[name]![$0] }) }
        return out
    }

    /// The centroid of the positions, Å.
    public var centroid: Vector3 {
        positions.isEmpty ? .zero : positions.reduce(.zero, +) / Double(positions.count)
    }
}
