import Foundation

/// Atomic models read from the files other tools write: PDB (SINGLE's `*_ATMS.pdb` among them),
/// mmCIF, our CSV tables, and XYZ (ASE, OVITO, LAMMPS dumps converted by them).
public enum ModelFile {
    /// The formats, by file extension.
    public static let extensions = ["pdb", "ent", "cif", "mmcif", "csv", "xyz"]

    /// Whether `path` names a model file by its extension.
    public static func isModel(_ path: String) -> Bool {
        extensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// Reads the model at `path`. The element comes from the file where it says (PDB columns
    /// 77–78 or the atom name, in any letter case as SINGLE writes it; mmCIF `type_symbol`; the
    /// XYZ symbols), else `element`. A model of several elements keeps the most common one as
    /// its element and every atom's atomic number in the column `atomic_number`.
    ///
    /// PDB B-factors become `uiso` = B/8π² (Å²) when they look like B-factors; SINGLE writes a
    /// per-atom correlation into the B column, so values all within [−1, 1] are kept as the
    /// column `pdb_b` instead and no Uiso is claimed. Anisotropic U (PDB ANISOU, mmCIF
    /// `atom_site_anisotrop`) becomes the columns `u11` … `u23` with `aniso_valid`.
    public static func read(path: String, element fallback: Element?) throws -> AtomSet {
        let text = try readInputText(path)
        let name = path
        switch (path as NSString).pathExtension.lowercased() {
        case "csv":
            return try CSVFormat.parseAtoms(text, element: fallback ?? defaultElement, name: name)
        case "xyz":
            return try atoms(symbols: XYZFormat.parse(text, name: name), fallback: fallback, name: name, bFactors: nil)
        case "cif", "mmcif":
            let read = try MMCIFFormat.parse(text, name: name)
            return try atoms(symbols: read.map { ($0.element, $0.position) }, fallback: fallback, name: name,
                             bFactors: read.map(\.bFactor), anisotropic: read.map(\.anisotropicU))
        default:
            let read = try PDBFormat.parse(text, name: name)
            return try atoms(symbols: read.map { ($0.element, $0.position) }, fallback: fallback, name: name,
                             bFactors: read.map(\.bFactor), anisotropic: read.map(\.anisotropicU))
        }
    }

    /// Pt, when neither the file nor the user names an element.
    static let defaultElement = Element.named("Pt")!

    /// An atom set from (symbol, position) pairs.
    static func atoms(symbols: [(String, Vector3)], fallback: Element?, name: String, bFactors: [Double]?,
                      anisotropic: [Matrix3?] = []) throws -> AtomSet {
        guard !symbols.isEmpty else { throw EngineError("no atoms in the file", file: name) }
        var elements: [Element] = []
        elements.reserveCapacity(symbols.count)
        for (k, (symbol, _)) in symbols.enumerated() {
            if symbol.isEmpty {
                guard let f = fallback else {
                    throw EngineError("atom \(k + 1) names no element; give one (element \"Pt\", or --element)", file: name)
                }
                elements.append(f)
            } else if let e = Element.named(symbol) {
                elements.append(e)
            } else {
                throw EngineError("atom \(k + 1) is '\(symbol)', not an element nanoatoms models (\(Element.all.map(\.symbol).joined(separator: ", ")))", file: name)
            }
        }
        var tally: [Element: Int] = [:]
        for e in elements { tally[e, default: 0] += 1 }
        let main = tally.max { $0.value < $1.value || ($0.value == $1.value && $0.key.atomicNumber > $1.key.atomicNumber) }!.key
        var set = AtomSet(element: main, positions: symbols.map(\.1))
        if tally.count > 1 { set.setColumn("atomic_number", elements.map { Double($0.atomicNumber) }) }
        if let b = bFactors {
            if b.allSatisfy({ abs($0) <= 1 }) && b.contains(where: { $0 != 0 }) {
                set.setColumn("pdb_b", b)
            } else if b.contains(where: { $0 != 0 }) {
                set.setColumn("uiso", b.map { $0 / (8 * Double.pi * Double.pi) })
            }
        }
        // ANISOU records (PDB) or the atom_site_anisotrop table (mmCIF): U and the flag that it
        // is there, in the columns the statistics write.
        if anisotropic.count == symbols.count, anisotropic.contains(where: { $0 != nil }) {
            for (key, (p, q)) in zip(Statistic.anisotropicU.map(\.key), [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]) {
                set.setColumn(key, anisotropic.map { $0.map { $0[p, q] } ?? .nan })
            }
            set.setColumn("aniso_valid", anisotropic.map { $0 == nil ? 0 : 1 })
        }
        return set
    }
}

/// The XYZ format: a line with the atom count, a comment line, then `symbol x y z` per atom
/// (extra columns, as extended XYZ writes, are ignored).
package enum XYZFormat {
    /// The (symbol, position) of every atom; `name` names the file in errors.
    package static func parse(_ text: String, name: String) throws -> [(String, Vector3)] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let first = lines.first, let n = Int(first.trimmingCharacters(in: .whitespaces)), n >= 1 else {
            throw EngineError("line 1: an XYZ file starts with the number of atoms", file: name)
        }
        guard n <= Limits.modelAtoms else {
            throw EngineError("line 1: \(n) atoms, more than any nanoparticle holds (at most \(Limits.modelAtoms))", file: name)
        }
        guard lines.count >= n + 2 else {
            throw EngineError("line 1 promises \(n) atoms, the file has \(max(0, lines.count - 2)) atom lines", file: name)
        }
        var out: [(String, Vector3)] = []
        out.reserveCapacity(n)
        for k in 2..<(n + 2) {
            let f = lines[k].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 4, let x = Double(f[1]), let y = Double(f[2]), let z = Double(f[3]),
                  [x, y, z].allSatisfy({ $0.isFinite && Limits.coordinate.contains($0) }) else {
                throw EngineError("line \(k + 1): needs a symbol and x y z within ±1e6 Å, not '\(lines[k].prefix(60))'", file: name)
            }
            out.append((String(f[0].prefix { $0.isLetter }), Vector3(x, y, z)))
        }
        return out
    }

    /// Extended XYZ text for `atoms`, as ASE and OVITO read it: the comment line declares
    /// `Properties=species:S:1:pos:R:3` and then one real column per per-atom statistic
    /// (`nan` where a value is not a number), plus `comment="…"`.
    package static func text(_ atoms: AtomSet, comment: String) -> String {
        let columns = atoms.columnNames.filter { c in c != "atomic_number" && c.first?.isLetter == true && c.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
        let properties = "species:S:1:pos:R:3" + columns.map { ":\($0):R:1" }.joined()
        let quoted = comment.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        var out = TextBuffer(capacity: 64 + atoms.count * (40 + 12 * columns.count))
        out.append("\(atoms.count)\nProperties=\(properties) comment=\"\(quoted)\"\n")
        let symbols = atoms.elements.map(\.symbol)
        let values = columns.map { atoms[column: $0]! }
        for (i, p) in atoms.positions.enumerated() {
            out.append(symbols[i])
            for v in [p.x, p.y, p.z] { out.append(ascii: " "); out.append(fixed: v, 4, width: 1) }
            for c in values {
                out.append(ascii: " ")
                if c[i].isFinite { out.append(significant: c[i], 7) } else { out.append("nan") }
            }
            out.append(ascii: "\n")
        }
        return out.string
    }
}
