import Foundation

/// Comma-separated tables: a header line of column names, then one row per atom.
public enum CSVFormat {
    /// The CSV text of `atoms`: `id,x,y,z` (Å) then every column of the set. Non-finite
    /// values are written `nan`; whole numbers without decimals.
    public static func text(_ atoms: AtomSet) -> String {
        var out = (["id", "x", "y", "z"] + atoms.columnNames).joined(separator: ",") + "\n"
        let columns = atoms.columnNames.map { atoms[column: $0]! }
        for i in 0..<atoms.count {
            let p = atoms.positions[i]
            var row = [String(i + 1), String(format: "%.4f", p.x), String(format: "%.4f", p.y), String(format: "%.4f", p.z)]
            for c in columns { row.append(format(c[i])) }
            out += row.joined(separator: ",") + "\n"
        }
        return out
    }

    /// A value as the CSV writes it.
    public static func format(_ v: Double) -> String {
        if !v.isFinite { return "nan" }
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        return String(format: "%.6g", v)
    }
}
