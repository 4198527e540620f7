/// A set of atoms of one element: positions in Å plus named per-atom columns
/// (statistics, flags), kept in the order they were added.
public struct AtomSet: Sendable {
    /// The element of every atom.
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
