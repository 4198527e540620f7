import Foundation

/// A ChimeraX command script (`.cxc`) and attribute assignment file (`.defattr`) for a model:
/// the script opens the model (and the map, as a mesh at a stated level), assigns every
/// per-atom statistic as an atom attribute `nano_<column>`, colours the atoms by one of them
/// with the report's colour map and a colour key, and shows the ANISOU ellipsoids.
///
/// Formats as ChimeraX documents them: a `.defattr` file has control lines (`attribute:`,
/// `recipient:`) and assignment lines `<TAB>atom-spec<TAB>value`; a `.cxc` file is one command
/// per line, run with the current folder set to the script's own, so the paths it names are
/// relative to it.
package enum ChimeraXFiles {
    /// The prefix of every attribute nanoatoms defines, so none collides with ChimeraX's own
    /// (`bfactor`, `occupancy`, `color`, …).
    package static let attributePrefix = "nano_"
    /// PDB's residue numbers (columns 23–26) wrap after this many atoms; beyond it the script
    /// opens the mmCIF model, whose numbers do not wrap.
    package static let pdbResidueLimit = 9999

    /// The attribute file: one attribute per numeric column of `atoms` that has a finite value,
    /// each atom named by its residue (one atom per residue, numbered from 1 as our PDB and
    /// mmCIF files number them). Non-finite values are left unassigned.
    package static func attributeFile(_ atoms: AtomSet, columns: [String]) -> String {
        var out = "# nanoatoms per-atom statistics as ChimeraX atom attributes (open after the model)\n"
        for name in columns {
            guard let values = atoms[column: name], values.contains(where: \.isFinite) else { continue }
            out += "attribute: \(attributePrefix)\(attributeName(name))\nrecipient: atoms\n"
            for (i, v) in values.enumerated() where v.isFinite {
                out += "\t/A:\(i + 1)\t\(NumberFormatting.significant(v, 6))\n"
            }
        }
        return out
    }

    /// `column` as an attribute name: letters, digits and underscores, lower case.
    package static func attributeName(_ column: String) -> String {
        String(column.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// The columns worth an attribute: every column but the coordinates and flags of no meaning
    /// to a viewer.
    package static func columns(of atoms: AtomSet) -> [String] {
        atoms.columnNames.filter { !["x", "y", "z"].contains($0) }
    }

    /// `path` quoted as a ChimeraX argument: in double quotes, or in single quotes when it holds a
    /// double quote (ChimeraX does not nest quotes or take escapes, but each kind may stand inside
    /// the other). nil when it holds both kinds or a line break: no quoting carries it.
    package static func quotedPath(_ path: String) -> String? {
        if path.contains(where: \.isNewline) { return nil }
        if !path.contains("\"") { return "\"" + path + "\"" }
        if !path.contains("'") { return "'" + path + "'" }
        return nil
    }

    /// An `open` line for `path`, or a comment saying why it must be opened by hand.
    static func openLine(_ path: String) -> String {
        quotedPath(path).map { "open " + $0 } ?? "# (open the file by hand: its name holds both kinds of quote or a line break) " + path.filter { !$0.isNewline }
    }

    /// The command script. `model` and `attributes` are file names next to it; `colour` is the
    /// column the atoms are coloured by (its finite range spans the colour map); `map` is a
    /// map file and the level to draw it at, with the words saying what the level is.
    package static func script(title: String, model: String, attributes: String, atoms: AtomSet, colour: String,
                               map: (path: String, level: Double, meaning: String)?) -> String {
        let values = (atoms[column: colour] ?? []).filter(\.isFinite)
        let low = values.min() ?? 0, high = values.max() ?? 1
        let attribute = attributePrefix + attributeName(colour)
        var lines = ["# ChimeraX command script written by nanoatoms \(Provenance.version): \(title)",
                     "# Open it in ChimeraX (File > Open, or: open \"THIS.cxc\"). It closes what is open, so that",
                     "# the model is #1\(map == nil ? "" : " and the map #2"). Paths are relative to this script's folder.",
                     "close",
                     openLine(model),
                     openLine(attributes),
                     "style #1 ball",
                     "size #1 atomRadius \(NumberFormatting.significant(0.35 * atoms.element.bulkBondLength, 4))"]
        if !values.isEmpty {
            // The report's colour map (viridis) as ChimeraX palette stops over the data's range.
            let stops = (0...4).map { k -> String in
                let t = Double(k) / 4
                return NumberFormatting.significant(low + t * (high - low), 6) + "," + ColorMap.sequential(t)
            }
            lines.append("color byattribute \(attribute) #1 palette \(stops.joined(separator: ":")) noValueColor \(ColorMap.missing) key true")
        }
        lines += ["# Other statistics: the same command with another attribute and its range (attributes: " +
                  columns(of: atoms).map { attributePrefix + attributeName($0) }.joined(separator: ", ") + ")",
                  "# Thermal ellipsoids from the ANISOU records (atoms with a valid anisotropic fit); ~aniso hides them.",
                  "aniso #1"]
        if let map, quotedPath(map.path) == nil {
            lines.append(openLine(map.path))
        } else if let map {
            lines += [openLine(map.path),
                      "# Level \(NumberFormatting.significant(map.level, 6)): \(map.meaning).",
                      "volume #2 level \(NumberFormatting.significant(map.level, 6)) style mesh"]
        }
        lines.append("view")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The model file the script opens for `atoms`: the PDB file while its residue numbers do
    /// not wrap, else the mmCIF file.
    package static func modelFile(for atoms: AtomSet, pdb: String, mmcif: String, pdbWritten: Bool) -> String {
        pdbWritten && atoms.count <= pdbResidueLimit ? pdb : mmcif
    }
}
