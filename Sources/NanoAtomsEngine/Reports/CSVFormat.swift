import Foundation

/// Comma-separated tables: a header line of column names, then one row per atom.
package enum CSVFormat {
    /// The CSV text of `atoms`: `id,x,y,z` (Å) then every column of the set. Non-finite
    /// values are written `nan`; whole numbers without decimals.
    package static func text(_ atoms: AtomSet) -> String {
        let columns = atoms.columnNames.map { atoms[column: $0]! }
        var out = TextBuffer(capacity: 64 + atoms.count * (32 + 10 * columns.count))
        out.append((["id", "x", "y", "z"] + atoms.columnNames).joined(separator: ","))
        out.append(ascii: "\n")
        for i in 0..<atoms.count {
            let p = atoms.positions[i]
            out.append(i + 1)
            out.append(ascii: ","); out.append(fixed: p.x, 4)
            out.append(ascii: ","); out.append(fixed: p.y, 4)
            out.append(ascii: ","); out.append(fixed: p.z, 4)
            for c in columns { out.append(ascii: ","); append(c[i], to: &out) }
            out.append(ascii: "\n")
        }
        return out.string
    }

    /// Reads a CSV table with a header line into atoms: `x,y,z` (any letter case) give the
    /// positions, every other numeric column becomes a column (`id` is dropped). `name`
    /// names the file in errors, with the line number.
    package static func parseAtoms(_ text: String, element: Element, name: String) throws -> AtomSet {
        // A byte-order mark (spreadsheets write one) is not part of the first column's name.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { throw EngineError("empty file", file: name) }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let ix = header.firstIndex(of: "x"), let iy = header.firstIndex(of: "y"), let iz = header.firstIndex(of: "z") else {
            throw EngineError("line 1: the header needs x, y and z columns", file: name)
        }
        var positions: [Vector3] = []
        var columns = [[Double]](repeating: [], count: header.count)
        for (n, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == header.count else {
                throw EngineError("line \(n + 2): \(f.count) fields, the header has \(header.count)", file: name)
            }
            guard let x = Double(f[ix]), let y = Double(f[iy]), let z = Double(f[iz]),
                  [x, y, z].allSatisfy({ $0.isFinite && Limits.coordinate.contains($0) }) else {
                throw EngineError("line \(n + 2): x, y, z must be numbers within ±1e6 Å, not \(f[ix]), \(f[iy]), \(f[iz])", file: name)
            }
            guard positions.count < Limits.modelAtoms else {
                throw EngineError("line \(n + 2): more than \(Limits.modelAtoms) atoms, more than any nanoparticle holds", file: name)
            }
            positions.append(Vector3(x, y, z))
            for c in header.indices {
                // A column value is a number (nan for none); one beyond ±1e12 is not a statistic.
                let v = Double(f[c]) ?? .nan
                if v.isInfinite || abs(v) > 1e12 {
                    throw EngineError("line \(n + 2): '\(header[c])' = \(f[c]) is not a usable number (at most ±1e12; nan for none)", file: name)
                }
                columns[c].append(v)
            }
        }
        var atoms = AtomSet(element: element, positions: positions)
        for (c, h) in header.enumerated() where ![ix, iy, iz].contains(c) && h != "id" && !h.isEmpty {
            atoms.setColumn(h, columns[c])
        }
        return atoms
    }

    /// A value as the CSV writes it.
    package static func format(_ v: Double) -> String {
        var out = TextBuffer(capacity: 16)
        append(v, to: &out)
        return out.string
    }

    /// Appends a value as the CSV writes it: `nan` when not finite, whole numbers without
    /// decimals, others with six significant digits.
    static func append(_ v: Double, to out: inout TextBuffer) {
        if !v.isFinite { out.append("nan") }
        else if v == v.rounded() && abs(v) < 1e9 { out.append(Int(v)) }
        else { out.append(significant: v, 6) }
    }
}
