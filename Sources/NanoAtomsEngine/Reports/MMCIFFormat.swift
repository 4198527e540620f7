import Foundation

/// Writing atomic models as PDBx/mmCIF: the `atom_site` and `atom_site_anisotrop` tables.
///
/// Unlike PDB's fixed columns, mmCIF's fields are whitespace-separated and hold any
/// coordinate, so a map far from the origin (a large NXSTART or ORIGIN) still gives a model
/// other programs (gemmi, ChimeraX, PyMOL) read exactly.
package enum MMCIFFormat {
    /// The text of an mmCIF file with one `atom_site` row per record (and an
    /// `atom_site_anisotrop` row where the record has a finite U), the cell when `box` is
    /// given. Coordinates with three decimals, as PDB's; non-finite values refused.
    package static func text(element: Element, records: [PDBFormat.Record], box: Vector3? = nil, name: String = "nanoatoms") throws -> String {
        let el = element.symbol.uppercased()
        var out = TextBuffer(capacity: 512 + 96 * records.count)
        func line(_ s: String) { out.append(s); out.append(ascii: "\n") }
        let block = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        line("data_" + (block.isEmpty ? "nanoatoms" : block))
        line("#")
        if let b = box {
            line(String(format: "_cell.length_a %.3f", b.x)); line(String(format: "_cell.length_b %.3f", b.y)); line(String(format: "_cell.length_c %.3f", b.z))
            line("_cell.angle_alpha 90"); line("_cell.angle_beta 90"); line("_cell.angle_gamma 90")
            line("_symmetry.space_group_name_H-M 'P 1'")
            line("#")
        }
        line("loop_")
        // label_alt_id is needed by readers (gemmi skips a table without it), even when empty.
        for f in ["group_PDB", "id", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id", "label_asym_id", "label_entity_id", "label_seq_id",
                  "Cartn_x", "Cartn_y", "Cartn_z", "occupancy", "B_iso_or_equiv", "auth_seq_id", "auth_asym_id", "pdbx_PDB_model_num"] {
            line("_atom_site." + f)
        }
        for (i, r) in records.enumerated() {
            let p = r.position
            guard p.x.isFinite, p.y.isFinite, p.z.isFinite else {
                throw EngineError("atom \(i + 1) has a coordinate that is not a number")
            }
            let b = r.bFactor.flatMap { $0.isFinite ? $0 : nil } ?? 0
            let occ = r.occupancy.isFinite ? min(max(r.occupancy, 0), 1) : 0
            let symbol = r.element.map { $0.symbol.uppercased() } ?? el
            line("HETATM \(i + 1) \(symbol) \(symbol) . \(symbol) A 1 \(i + 1) " + String(format: "%.3f %.3f %.3f %.2f %.2f", p.x, p.y, p.z, occ, b) + " \(i + 1) A 1")
        }
        let anisotropic = records.enumerated().filter { $0.element.anisotropicU.map { $0.m.allSatisfy(\.isFinite) } ?? false }
        if !anisotropic.isEmpty {
            line("#")
            line("loop_")
            for f in ["id", "type_symbol", "U[1][1]", "U[2][2]", "U[3][3]", "U[1][2]", "U[1][3]", "U[2][3]"] { line("_atom_site_anisotrop." + f) }
            for (i, r) in anisotropic {
                let u = r.anisotropicU!
                line("\(i + 1) \(r.element.map { $0.symbol.uppercased() } ?? el) " + String(format: "%.5f %.5f %.5f %.5f %.5f %.5f", u[0, 0], u[1, 1], u[2, 2], u[0, 1], u[0, 2], u[1, 2]))
            }
        }
        line("#")
        return out.string
    }

    /// An atom read from an mmCIF `atom_site` table.
    package struct ReadAtom: Sendable {
        /// Position, Å.
        package var position: Vector3
        /// `type_symbol` (empty when the table has none).
        package var element: String
        /// `B_iso_or_equiv`, Å² (0 when absent).
        package var bFactor: Double
        /// The anisotropic U (Å²) from `atom_site_anisotrop`, where the file has a row for it.
        package var anisotropicU: Matrix3? = nil
    }

    /// Reads the `atom_site` loop of mmCIF text (the first model only, as readers of one
    /// particle expect); `name` names the file in errors.
    package static func parse(_ text: String, name: String) throws -> [ReadAtom] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard let (k, tags, firstRow) = findLoop(lines, from: 0, category: "_atom_site.") else {
            throw EngineError("no atom_site table (an mmCIF model lists its atoms in a loop_ of _atom_site fields)", file: name)
        }
        var q = firstRow
        func column(_ tag: String) -> Int? { tags.firstIndex(of: "_atom_site." + tag) }
        guard let ix = column("cartn_x"), let iy = column("cartn_y"), let iz = column("cartn_z") else {
            throw EngineError("line \(k + 1): the atom_site table has no Cartn_x, Cartn_y, Cartn_z", file: name)
        }
        let isym = column("type_symbol"), ib = column("b_iso_or_equiv"), imodel = column("pdbx_pdb_model_num"), iid = column("id")
        var atoms: [ReadAtom] = []
        var ids: [String: Int] = [:]
        var firstModel: String? = nil
        while q < lines.count {
            let line = lines[q].trimmingCharacters(in: .whitespaces)
            if endsTable(line) { break }
            let f = ciffields(line)
            guard f.count == tags.count else {
                throw EngineError("line \(q + 1): \(f.count) fields, the atom_site table has \(tags.count) (a row must stay on one line)", file: name)
            }
            if let im = imodel {
                if firstModel == nil { firstModel = f[im] }
                if f[im] != firstModel { break }
            }
            guard let x = Double(f[ix]), let y = Double(f[iy]), let z = Double(f[iz]),
                  [x, y, z].allSatisfy({ $0.isFinite && Limits.coordinate.contains($0) }) else {
                throw EngineError("line \(q + 1): Cartn_x, Cartn_y, Cartn_z must be numbers within ±1e6 Å", file: name)
            }
            guard atoms.count < Limits.modelAtoms else {
                throw EngineError("line \(q + 1): more than \(Limits.modelAtoms) atoms, more than any nanoparticle holds", file: name)
            }
            let symbol = isym.map { f[$0] == "." || f[$0] == "?" ? "" : f[$0] } ?? ""
            let b = ib.flatMap { Double(f[$0]) }.flatMap { $0.isFinite ? $0 : nil } ?? 0
            if let iid { ids[f[iid]] = atoms.count }
            atoms.append(ReadAtom(position: Vector3(x, y, z), element: symbol, bFactor: b))
            q += 1
        }
        try readAnisotropic(lines, from: q, ids: ids, into: &atoms, name: name)
        return atoms
    }

    /// Reads the `atom_site_anisotrop` loop after line `start`, if there is one, into the atoms
    /// whose `id` it names (ids it does not know are skipped: another model's atoms).
    static func readAnisotropic(_ lines: [String], from start: Int, ids: [String: Int], into atoms: inout [ReadAtom], name: String) throws {
        guard let (_, tags, firstRow) = findLoop(lines, from: start, category: "_atom_site_anisotrop.") else { return }
        var q = firstRow
        let names = ["u[1][1]", "u[2][2]", "u[3][3]", "u[1][2]", "u[1][3]", "u[2][3]"]
        guard let iid = tags.firstIndex(of: "_atom_site_anisotrop.id") else { return }
        let columns = names.map { tags.firstIndex(of: "_atom_site_anisotrop." + $0) }
        guard columns.allSatisfy({ $0 != nil }) else { return }   // B-form or partial tables: Uiso only
        while q < lines.count {
            let line = lines[q].trimmingCharacters(in: .whitespaces)
            if endsTable(line) { break }
            let f = ciffields(line)
            guard f.count == tags.count else {
                throw EngineError("line \(q + 1): \(f.count) fields, the atom_site_anisotrop table has \(tags.count)", file: name)
            }
            if let i = ids[f[iid]] {
                let u = columns.map { Double(f[$0!]) }
                guard u.allSatisfy({ $0 != nil && $0!.isFinite && abs($0!) < 100 }) else {
                    throw EngineError("line \(q + 1): the anisotropic U values must be numbers below 100 Å² in size", file: name)
                }
                let v = u.map { $0! }
                atoms[i].anisotropicU = Matrix3([v[0], v[3], v[4], v[3], v[1], v[5], v[4], v[5], v[2]])
            }
            q += 1
        }
    }

    /// The first `loop_` at or after line `start` whose tags are of `category` (a prefix such as
    /// `_atom_site.`): the line of its `loop_`, its tags in lower case, and the line of its first row.
    static func findLoop(_ lines: [String], from start: Int, category: String) -> (line: Int, tags: [String], firstRow: Int)? {
        var k = start
        while k < lines.count {
            guard lines[k].trimmingCharacters(in: .whitespaces) == "loop_" else { k += 1; continue }
            var tags: [String] = []
            var q = k + 1
            while q < lines.count, lines[q].hasPrefix("_") { tags.append(lines[q].trimmingCharacters(in: .whitespaces).lowercased()); q += 1 }
            if tags.first?.hasPrefix(category) == true { return (k, tags, q) }
            k = q
        }
        return nil
    }

    /// Whether `line` (trimmed) ends a loop's rows: a blank or `#` line, a tag, another loop or block.
    static func endsTable(_ line: String) -> Bool {
        line.isEmpty || line == "#" || line.hasPrefix("_") || line == "loop_" || line.hasPrefix("data_")
    }

    /// The whitespace-separated fields of a CIF row, quotes removed.
    static func ciffields(_ line: String) -> [String] {
        var out: [String] = [], current = "", quote: Character? = nil
        var it = Array(line), i = 0
        while i < it.count {
            let c = it[i]
            if let qc = quote {
                // A quote ends a field only before whitespace or the end of the line.
                if c == qc && (i + 1 == it.count || it[i + 1] == " " || it[i + 1] == "\t") { out.append(current); current = ""; quote = nil }
                else { current.append(c) }
            } else if c == " " || c == "\t" {
                if !current.isEmpty { out.append(current); current = "" }
            } else if (c == "'" || c == "\"") && current.isEmpty {
                quote = c
            } else {
                current.append(c)
            }
            i += 1
        }
        if !current.isEmpty || quote != nil { out.append(current) }
        it.removeAll()
        return out
    }
}
