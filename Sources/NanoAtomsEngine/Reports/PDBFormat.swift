import Foundation

/// Writing and reading atomic models in the PDB format (fixed columns), with B-factors and
/// ANISOU records.
package enum PDBFormat {
    /// One atom to write.
    package struct Record: Sendable {
        /// Position, Å.
        package var position: Vector3
        /// Occupancy column (0–1).
        package var occupancy: Double = 1
        /// Isotropic B-factor, Å² (B = 8π²·U); nil writes 0.
        package var bFactor: Double? = nil
        /// Anisotropic U (Å²); nil writes no ANISOU record.
        package var anisotropicU: Matrix3? = nil
        /// Standard errors of x, y, z (Å), the occupancy and B (Å²); nil writes no SIGATM record.
        package var errors: (position: Vector3, occupancy: Double, bFactor: Double)? = nil
        /// This atom's element, when the model holds several; nil for the file's element.
        package var element: Element? = nil
        /// An atom at `position`.
        package init(position: Vector3) { self.position = position }
    }

    /// The coordinates PDB's fixed columns hold (8.3 format): -999.999 to 9999.999 Å.
    package static let coordinateRange: ClosedRange<Double> = -999.999...9999.999
    /// The largest B-factor its 6.2 column holds, Å².
    package static let maximumBFactor = 999.99
    /// The ANISOU columns hold U × 10⁴ as 7-digit integers.
    package static let anisouRange: ClosedRange<Double> = -999_999...9_999_999

    /// The text of a PDB file: an optional REMARK, CRYST1 for the box, one ATOM (and ANISOU)
    /// record per atom in the exact column layout of the PDB format v3.3, then END.
    ///
    /// A value that does not fit its columns is refused, never cut: a coordinate outside
    /// ``coordinateRange`` (a map with a large origin), a B-factor over ``maximumBFactor``, a U
    /// outside ``anisouRange``. The error names CSV, which holds any value. A B-factor that is
    /// not a number (no Uiso for that atom) is written 0; a non-finite U writes no ANISOU record.
    package static func text(element: Element, records: [Record], box: Vector3? = nil, remark: String? = nil) throws -> String {
        try checkFits(records)
        return unchecked(element: element, records: records, box: box, remark: remark)
    }

    /// Throws, naming the first atom and the formats that hold it, when a record has a value
    /// PDB's columns cannot hold (see ``text(element:records:box:remark:)``).
    package static func checkFits(_ records: [Record]) throws {
        for (i, r) in records.enumerated() {
            for v in [r.position.x, r.position.y, r.position.z] where !(v.isFinite && coordinateRange.contains(v)) {
                throw EngineError("atom \(i + 1) lies at (\(String(format: "%.3f, %.3f, %.3f", r.position.x, r.position.y, r.position.z))) Å, outside the PDB format's -999.999 to 9999.999 Å: write mmCIF (.cif) or CSV instead (they hold any coordinate)")
            }
            if let b = r.bFactor, b.isFinite, b > maximumBFactor {
                throw EngineError("atom \(i + 1) has B = \(Limits.formatBound(b)) Å², more than the PDB format's 999.99: write mmCIF (.cif) or CSV instead")
            }
            if let u = r.anisotropicU, u.m.allSatisfy(\.isFinite), u.m.contains(where: { !anisouRange.contains(($0 * 1e4).rounded()) }) {
                throw EngineError("atom \(i + 1) has an anisotropic U beyond the PDB format's ANISOU columns (|U| < 100 Å²): write mmCIF (.cif) or CSV instead")
            }
        }
    }

    /// The text, once ``checkFits(_:)`` has passed.
    static func unchecked(element: Element, records: [Record], box: Vector3?, remark: String?) -> String {
        // The name, residue and element columns of each element present, made once.
        func fields(_ e: Element) -> (name: String, resName: String, element: String) {
            let el = e.symbol.uppercased()
            return (el.count == 2 ? el.padding(toLength: 4, withPad: " ", startingAt: 0) : " " + el.padding(toLength: 3, withPad: " ", startingAt: 0),
                    String(repeating: " ", count: 3 - el.count) + el, String(repeating: " ", count: 2 - el.count) + el)
        }
        var byElement: [Int: (name: String, resName: String, element: String)] = [element.atomicNumber: fields(element)]
        for r in records { if let e = r.element, byElement[e.atomicNumber] == nil { byElement[e.atomicNumber] = fields(e) } }
        var out = TextBuffer(capacity: 256 + 162 * records.count)
        if let remark { out.append("REMARK   1 " + remark); out.append(ascii: "\n") }
        if let b = box {
            out.append(String(format: "CRYST1%9.3f%9.3f%9.3f%7.2f%7.2f%7.2f P 1           1", b.x, b.y, b.z, 90.0, 90.0, 90.0))
            out.append(ascii: "\n")
        }
        for (i, r) in records.enumerated() {
            // The fields shared by an atom's ATOM and ANISOU records: name, residue and chain.
            let f = byElement[(r.element ?? element).atomicNumber]!
            let atomFields = " " + f.name + " " + f.resName + " A", elementField = f.element
            let serial = (i + 1) % 100_000, resSeq = (i + 1) % 10_000
            let b = min(max(r.bFactor.flatMap { $0.isFinite ? $0 : nil } ?? 0, 0), 999.99)
            let occ = min(max(r.occupancy.isFinite ? r.occupancy : 0, 0), 1)
            // Columns: serial 7-11, name 13-16, resName 18-20, chain 22, resSeq 23-26,
            // x y z 31-54 (8.3), occupancy 55-60, B 61-66 (6.2), element 77-78.
            let pos = r.position
            out.append("ATOM  "); out.append(serial, width: 5); out.append(atomFields); out.append(resSeq, width: 4)
            out.append("    ")
            out.append(fixed: pos.x, 3, width: 8); out.append(fixed: pos.y, 3, width: 8); out.append(fixed: pos.z, 3, width: 8)
            out.append(fixed: occ, 2, width: 6); out.append(fixed: b, 2, width: 6)
            out.append("          "); out.append(elementField); out.append(ascii: "\n")
            // SIGATM: the standard errors in the ATOM record's columns (PDB v3.3).
            if let e = r.errors, [e.position.x, e.position.y, e.position.z].allSatisfy({ $0.isFinite && abs($0) < 1000 }) {
                out.append("SIGATM"); out.append(serial, width: 5); out.append(atomFields); out.append(resSeq, width: 4)
                out.append("    ")
                out.append(fixed: e.position.x, 3, width: 8); out.append(fixed: e.position.y, 3, width: 8); out.append(fixed: e.position.z, 3, width: 8)
                out.append(fixed: e.occupancy.isFinite ? min(max(e.occupancy, 0), 99.99) : 0, 2, width: 6)
                out.append(fixed: e.bFactor.isFinite ? min(max(e.bFactor, 0), 999.99) : 0, 2, width: 6)
                out.append("          "); out.append(elementField); out.append(ascii: "\n")
            }
            if let u = r.anisotropicU, u.m.allSatisfy(\.isFinite) {
                out.append("ANISOU"); out.append(serial, width: 5); out.append(atomFields); out.append(resSeq, width: 4)
                out.append("  ")
                for (p, q) in [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)] {
                    out.append(Int((u[p, q] * 1e4).rounded()), width: 7)
                }
                out.append("      "); out.append(elementField); out.append(ascii: "\n")
            }
        }
        out.append("END\n")
        return out.string
    }

    /// An atom read from a PDB file.
    package struct ReadAtom: Sendable {
        /// Position, Å.
        package var position: Vector3
        /// Element symbol (columns 77–78, else from the atom name).
        package var element: String
        /// B-factor, Å².
        package var bFactor: Double
        /// Occupancy.
        package var occupancy: Double
        /// The ANISOU tensor (Å²), if the file has one for this atom.
        package var anisotropicU: Matrix3?
    }

    /// Reads the ATOM/HETATM (and ANISOU) records of PDB text; `name` names it in errors.
    package static func parse(_ text: String, name: String) throws -> [ReadAtom] {
        var atoms: [ReadAtom] = []
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = Array(raw.utf8)
            func field(_ a: Int, _ b: Int) -> String {   // 1-based inclusive columns
                guard line.count >= a else { return "" }
                return String(decoding: line[(a - 1)..<min(b, line.count)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
            let record = field(1, 6)
            if record == "ATOM" || record == "HETATM" {
                guard let x = Double(field(31, 38)), let y = Double(field(39, 46)), let z = Double(field(47, 54)),
                      [x, y, z].allSatisfy({ $0.isFinite }) else {
                    throw EngineError("line \(number + 1): cannot read the coordinates in columns 31–54 (numbers are needed)", file: name)
                }
                guard atoms.count < Limits.modelAtoms else {
                    throw EngineError("line \(number + 1): more than \(Limits.modelAtoms) atoms, more than any nanoparticle holds", file: name)
                }
                var el = field(77, 78)
                if el.isEmpty { el = String(field(13, 16).prefix { $0.isLetter }) }
                let b = Double(field(61, 66)) ?? 0, occupancy = Double(field(55, 60)) ?? 1
                atoms.append(ReadAtom(position: Vector3(x, y, z), element: el, bFactor: b.isFinite ? b : 0,
                                      occupancy: occupancy.isFinite ? occupancy : 1, anisotropicU: nil))
            } else if record == "ANISOU", !atoms.isEmpty {
                let v = [field(29, 35), field(36, 42), field(43, 49), field(50, 56), field(57, 63), field(64, 70)].compactMap { Double($0) }
                guard v.count == 6, v.allSatisfy({ $0.isFinite }) else { throw EngineError("line \(number + 1): cannot read the ANISOU values", file: name) }
                let u = v.map { $0 / 1e4 }
                atoms[atoms.count - 1].anisotropicU = Matrix3([u[0], u[3], u[4], u[3], u[1], u[5], u[4], u[5], u[2]])
            }
        }
        return atoms
    }
}
