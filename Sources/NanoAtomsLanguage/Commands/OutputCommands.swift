import Foundation
import NanoAtomsEngine

let exportCommand = CommandDeclaration(
    name: "export",
    parameters: [.required("value", [.atoms, .table, .volume, .fit, .comparison], "what to write"),
                 .required("path", [.string], "the file: .pdb, .cif (mmCIF), .xyz (extended XYZ) or .csv for atoms and tables, .cxc for a ChimeraX script (with its model and .defattr beside it), .mrc for maps, .csv for fits; a folder (no extension) for a built model's whole run", path: true),
                 .option("colour", [.string, .none], default: .none, "the column a .cxc script colours the atoms by (default cn)"),
                 .option("map", [.volume, .none], default: .none, "a map a .cxc script opens with the model (written beside it as NAME.mrc)"),
                 .option("level", [.number, .none], default: .none, "the level a .cxc script draws the map at (default: half way from the map's median to its median at the atom centres)"),
                 .option("bfactor", [.string, .none], default: .none, "a column a .pdb file carries in its B column instead of 8π²·Uiso (the convention of SINGLE and of notebooks)")],
    returns: .none,
    summary: "write atoms or a table (PDB, mmCIF, XYZ, CSV, a ChimeraX script), a map (MRC) or a fit's points (CSV)",
    teaching: """
        export writes a result to a file chosen by its extension, through a temporary file and a
        rename, and never over a file this session read. Atoms and tables go to PDB (a table's
        PDB carries B = 8π²·Uiso and ANISOU records with U × 10⁴ for valid anisotropic fits) or
        to CSV (x, y, z in Å and one column per statistic). A fit goes to CSV (the averaged
        depth, value and fitted value of each point). A built model exported to a folder (a path
        without an extension) gets exactly the files 'nanoatoms run' writes: model.cif, model.pdb,
        atoms.csv, summary.json, report.html and plots/, through the same writer, all or none.
        A .cxc file is a ChimeraX command script, written with the files it opens beside it, all
        or none: NAME.pdb (NAME.cif beyond 9,999 atoms), NAME.defattr (every per-atom statistic
        as a ChimeraX atom attribute nano_COLUMN) and, with map=, NAME.mrc drawn as a mesh at
        level=. The script colours the atoms by colour= (CN by default) with the report's colour
        map and a key, and shows the ANISOU thermal ellipsoids. An .xyz file is extended XYZ, as
        ASE and OVITO read it, with every statistic as a column. bfactor="cn" puts a statistic in
        a PDB file's B column, as SINGLE and many notebooks do (the REMARK says which).
        Look at: open the .cxc in ChimeraX, or the PDB in PyMOL over the map; colour by B-factor
        to see the mobile surface.
        """,
    example: "export tab \"np.cxc\" colour=\"uiso\"",
    run: { args, interp in
        let path = try args.string("path")!
        let ext = (path as NSString).pathExtension.lowercased()
        func atomsOf(_ v: Value) -> AtomSet? {
            switch v {
            case .atoms(let a): return a.atoms
            case .table(let t): return t.atoms
            default: return nil
            }
        }
        switch (args["value"], ext) {
        case (.atoms(let a), ""):
            guard let model = a.validated, model.atoms.positions == a.atoms.positions else {
                throw LanguageError("export: a folder holds a built model's run; these atoms are not one (validate them, or give a .pdb, .cif or .csv file)")
            }
            try checkRunFolder(path, allowed: ParticleRun.fileNames)
            try ParticleRun(model: model, cancellation: interp.cancellation).write(to: path, mapName: a.source)
        case (let v, "pdb") where atomsOf(v) != nil:
            let atoms = atomsOf(v)!
            var records = RunOutputs.pdbRecords(atoms)
            var remark = "written by nanoatoms; B = 8 pi^2 Uiso (A^2)"
            if let column = try args.string("bfactor") {
                let values = try columnValues(atoms, column, option: "bfactor")
                for i in records.indices { records[i].bFactor = values[i].isFinite ? values[i] : nil }
                remark = "written by nanoatoms; the B column holds \(column) (not a B-factor)"
            }
            try writeAtomically(PDBFormat.text(element: atoms.element, records: records, remark: remark), to: path)
        case (let v, "xyz") where atomsOf(v) != nil:
            try writeAtomically(XYZFormat.text(atomsOf(v)!, comment: "written by nanoatoms \(Provenance.version)"), to: path)
        case (let v, "cxc") where atomsOf(v) != nil:
            try exportChimeraX(atomsOf(v)!, path: path, args: args)
        case (let v, "cif") where atomsOf(v) != nil:
            let atoms = atomsOf(v)!
            try writeAtomically(MMCIFFormat.text(element: atoms.element, records: RunOutputs.pdbRecords(atoms)), to: path)
        case (let v, "csv") where atomsOf(v) != nil:
            try writeAtomically(CSVFormat.text(atomsOf(v)!), to: path)
        case (.volume(let v), "mrc"), (.volume(let v), "map"):
            try MRCFormat.write(v.volume, to: path)
        case (.fit(let f), "csv"):
            var text = "depth,\(f.statistic),fitted\n"
            for (x, y) in zip(f.depths, f.values) { text += "\(CSVFormat.format(x)),\(CSVFormat.format(y)),\(CSVFormat.format(f.value(at: x)))\n" }
            try writeAtomically(text, to: path)
        case (let v, _):
            throw LanguageError("export: cannot write \(v.type.rawValue) as .\(ext); atoms and tables: .pdb, .cif, .xyz, .csv, .cxc; a built model: a folder; volumes: .mrc; fits: .csv")
        }
        return .none
    })

/// The values of `column` of `atoms`, or an error naming the columns there are.
func columnValues(_ atoms: AtomSet, _ column: String, option: String) throws -> [Double] {
    guard let values = atoms[column: column] else {
        throw LanguageError("export: \(option)=\"\(column)\" is not a column of these atoms; they have \(atoms.columnNames.joined(separator: ", "))")
    }
    return values
}

/// A ChimeraX script with the files it opens beside it, written as one set.
func exportChimeraX(_ atoms: AtomSet, path: String, args: Arguments) throws {
    let base = (PathComponents.last(of: path) as NSString).deletingPathExtension
    let folder = PathComponents.folder(of: path)
    func beside(_ ext: String) -> String { folder.isEmpty ? base + "." + ext : (folder as NSString).appendingPathComponent(base + "." + ext) }
    let colour = try args.string("colour") ?? Statistic.cn.key
    if atoms[column: colour] == nil {
        _ = try columnValues(atoms, colour, option: "colour")
    }
    let records = RunOutputs.pdbRecords(atoms)
    let pdbFits = RunOutputs.pdbProblem(atoms) == nil && atoms.count <= ChimeraXFiles.pdbResidueLimit
    var files: [(path: String, bytes: [UInt8])] = []
    let model = base + (pdbFits ? ".pdb" : ".cif")
    if pdbFits {
        files.append((beside("pdb"), Array(try PDBFormat.text(element: atoms.element, records: records, remark: "written by nanoatoms; B = 8 pi^2 Uiso (A^2)").utf8)))
    } else {
        files.append((beside("cif"), Array(try MMCIFFormat.text(element: atoms.element, records: records).utf8)))
    }
    files.append((beside("defattr"), Array(ChimeraXFiles.attributeFile(atoms, columns: ChimeraXFiles.columns(of: atoms)).utf8)))
    var map: (path: String, level: Double, meaning: String)? = nil
    if case .volume(let v) = args["map"] {
        let level: Double, meaning: String
        if let given = try args.number("level") {
            guard given.isFinite else { throw LanguageError("export: level= must be a finite number") }
            (level, meaning) = (given, "given with level=")
        } else {
            level = 0.5 * (v.volume.sampledMedian() + v.volume.medianValue(at: atoms.positions))
            meaning = "half way from the map's median to its median at the atom centres"
        }
        map = (base + ".mrc", level, meaning)
        files.append((beside("mrc"), MRCFormat.encode(v.volume)))
    }
    let script = ChimeraXFiles.script(title: "\(atoms.count) atoms", model: model, attributes: base + ".defattr", atoms: atoms,
                                      colour: colour, map: map)
    files.append((path, Array(script.utf8)))
    try writeAtomically(files: files)
}

let showCommand = CommandDeclaration(
    name: "show",
    parameters: [.required("value", [.any], "any value")],
    returns: .none,
    summary: "print a value in full",
    teaching: """
        show prints everything about a value, where a bare expression prints one line: a map's
        grid and statistics, the threshold search's whole curve, every atom removed by validation
        with its reason, the Table 1 row with statistics binned by CN (mean ± S/√N, bins of at
        least 5 atoms, as in the paper's Fig. 5), a fit's averaged points.
        """,
    example: "show atoms",
    run: { args, interp in
        interp.write(fullView(args["value"]))
        return .none
    })

let printCommand = CommandDeclaration(
    name: "print",
    parameters: [.rest("values", "values to print, separated by spaces (strings without quotes)")],
    returns: .none,
    summary: "print values on one line",
    teaching: """
        print writes its arguments on one line, strings as they are and other values as their
        one-line summary. Scripts use it to report what each step found.
        """,
    example: "print \"atoms:\" atoms.count \"median CN:\" tab.median_cn",
    run: { args, interp in
        guard case .list(let items) = args["values"] else { return .none }
        interp.write(items.map { v -> String in if case .string(let s) = v { return s }; return v.summary }.joined(separator: " "))
        return .none
    })

let outputCommands = [exportCommand, showCommand, printCommand]

/// Everything about a value, over several lines.
package func fullView(_ value: Value) -> String {
    switch value {
    case .volume(let v):
        let st = VolumeStatistics(v.volume)
        var lines = [value.summary,
                     String(format: "  origin (%.3f, %.3f, %.3f) Å; box %.2f × %.2f × %.2f Å", v.volume.origin.x, v.volume.origin.y, v.volume.origin.z,
                            v.volume.boxSize.x, v.volume.boxSize.y, v.volume.boxSize.z),
                     String(format: "  mean %.4g, SD %.4g", st.mean, st.standardDeviation)]
        if let m = v.mask {
            let how = [ParticleMask.Method.given: "given", .atomPeaks: "around the atom-like peaks", .envelope: "from the map's envelope"][m.method]!
            lines.append(String(format: "  mask: sphere %@ at (%.2f, %.2f, %.2f) Å, diameter %.2f Å, edge %.1f Å; background %.4g subtracted",
                                how, m.centre.x, m.centre.y, m.centre.z, 2 * m.radius, m.edge, v.background.level))
            let g = v.background.gradient
            if g.length > 0 { lines.append(String(format: "  background gradient (%.3g, %.3g, %.3g) per Å subtracted with it", g.x, g.y, g.z)) }
            for f in v.maskFlags { lines.append("  flag \(f)") }
        }
        if let t = v.truth { lines.append("  true atoms: \(t.count) (map.truth)") }
        return lines.joined(separator: "\n")
    case .mask(let m):
        var lines = [value.summary]
        if let r = m.search {
            lines.append("  threshold   atoms   correlation")
            for t in r.trials {
                let mark = t.threshold == r.threshold ? "  ← chosen" : (t.threshold == r.otsu ? "  (Otsu)" : "")
                lines.append(String(format: "  %9.4f  %6d   %.5f%@", t.threshold, t.atoms, t.correlation, mark))
            }
        }
        return lines.joined(separator: "\n")
    case .atoms(let a):
        var lines = [value.summary, "  from \(a.source)"]
        if let l = a.lattice { lines.append(String(format: "  lattice for the CN rule: ā = %.4f Å (%@)", l.meanLatticeConstant, l.method.rawValue)) }
        if !a.removals.isEmpty {
            lines.append("  removed:")
            for r in a.removals {
                lines.append(String(format: "    (%.2f, %.2f, %.2f) Å: %@", r.position.x, r.position.y, r.position.z, r.reason))
            }
        }
        if let f = a.validated?.refinement {
            lines.append(String(format: "  refined: %d sweeps%@, RMS move %.3f Å, noise SD %.4g; %d edit(s)", f.sweeps,
                                f.converged ? "" : " (not settled)", f.rmsShift, f.noiseSD, f.edits.count))
            for e in f.edits {
                lines.append(String(format: "    %@ (%.2f, %.2f, %.2f) Å: %@", e.kind.rawValue, e.position.x, e.position.y, e.position.z, e.reason))
            }
            if let h = f.halfMaps {
                lines.append(String(format: "  half maps: median difference %.3f Å (about %.3f Å of error), median sigma_position %.3f Å (ratio %.2f)",
                                    h.medianDifference, h.medianDifference / 2, h.medianSigma, h.calibration))
            }
        }
        lines.append("  first atoms (x, y, z Å):")
        for p in a.atoms.positions.prefix(5) { lines.append(String(format: "    %8.3f %8.3f %8.3f", p.x, p.y, p.z)) }
        return lines.joined(separator: "\n")
    case .table(let t):
        var lines = [value.summary, fullView(.record(RecordValue(title: "Table 1 row", fields: t.table1.map { ($0.key, .number($0.value)) })))]
        for f in [t.depthFitCN, t.depthFitGCN].compactMap({ $0 }) {
            lines.append("  " + Value.fit(f).summary + (f.interval.map { String(format: "; 95 %% interval %.2f–%.2f Å", $0.lowerBound, $0.upperBound) } ?? ""))
        }
        lines.append(String(format: "  lattice: ā = %.4f Å (%@), CN radius %.3f Å", t.lattice.meanLatticeConstant, t.lattice.method.rawValue,
                            t.coordinationRadius))
        lines.append("  structure: " + t.structure.description)
        let sites = t.atoms[column: "site"].map { s in
            SurfaceSite.allCases.map { k in "\(k.name) \(s.filter { Int($0) == k.rawValue }.count)" }.joined(separator: ", ")
        }
        if let sites { lines.append("  sites: " + sites) }
        if let q6 = t.atoms[column: "q6"], let bonds = t.atoms[column: "crystalline_bonds"] {
            lines.append(String(format: "  bond order: median q6 %.3f; %d of %d atoms solid-like (≥ %d crystalline bonds)",
                                median(q6.filter(\.isFinite)), bonds.filter { $0 >= Double(BondOrder.solidLikeBonds) }.count, bonds.count,
                                BondOrder.solidLikeBonds))
        }
        for e in t.perElement {
            lines.append(String(format: "  %@: %d atoms, median CN %.1f, %.0f %% at the surface, median NN bond %.3f Å, median Uiso %.4f Å²",
                                e.element.symbol, e.atoms, e.medianCN, 100 * e.surfaceFraction, e.medianNNBond, e.medianUiso))
        }
        if !t.hasShapeStatistics { lines.append("  shape statistics: none (these atoms have no map; stats atoms map=VOLUME measures them)") }
        for f in t.flags { lines.append("  flag \(f)") }
        // The statistics binned by CN that the table has (a model without a map has no shape statistics).
        let names = Statistic.all.filter { $0.binnedByCN && t.atoms[column: $0.key] != nil }.map(\.key)
        guard let cn = t.atoms[column: Statistic.cn.key]?.map({ Int($0) }), !names.isEmpty else { return lines.joined(separator: "\n") }
        lines.append("  by CN (mean ± S/√N; bins of ≥ 5 atoms):")
        // Four statistics to a block, so a block fits an 80-column terminal.
        for start in stride(from: 0, to: names.count, by: 4) {
            let block = Array(names[start..<min(start + 4, names.count)])
            lines.append("    CN    n  " + block.map { $0.padding(toLength: 18, withPad: " ", startingAt: 0) }.joined())
            let bins = block.map { binByCoordination(t.atoms[column: $0] ?? [], cn: cn) }
            for c in Set(bins.flatMap { $0.map(\.cn) }).sorted() {
                let n = bins.compactMap { $0.first { $0.cn == c }?.count }.max() ?? 0
                var row = String(format: "    %2d %4d  ", c, n)
                for b in bins {
                    row += (b.first { $0.cn == c }.map { String(format: "%7.3f ± %-7.3f ", $0.mean, $0.standardError) } ?? String(repeating: " ", count: 18))
                }
                lines.append(row)
            }
        }
        return lines.joined(separator: "\n")
    case .fit(let f):
        var lines = [value.summary, "  depth (Å)   \(f.statistic) (mean of 5)   fitted"]
        for (x, y) in zip(f.depths, f.values) where f.depths.count <= 200 {
            lines.append(String(format: "  %8.3f   %10.4f   %10.4f", x, y, f.value(at: x)))
        }
        return lines.joined(separator: "\n")
    case .comparison(let c):
        return [value.summary,
                String(format: "  common    %4d (closer than %.2f Å)", c.common.count, c.commonDistance),
                String(format: "  displaced %4d (moved %.2f–%.2f Å)", c.displaced.count, c.commonDistance, c.displacementDistance),
                "  lost      \(String(format: "%4d", c.lost.count)) (in \(c.firstName) only)" + (c.truth == nil ? "" : c.truth == .first ? ": missed" : ": extra"),
                "  gained    \(String(format: "%4d", c.gained.count)) (in \(c.secondName) only)" + (c.truth == nil ? "" : c.truth == .second ? ": missed" : ": extra")].joined(separator: "\n")
    case .record(let r):
        return ([r.title + ":"] + r.fields.map { "  \($0.0.padding(toLength: 26, withPad: " ", startingAt: 0)) \($0.1.summary)" }).joined(separator: "\n")
    case .list(let l):
        return l.isEmpty ? "[]" : l.enumerated().map { "  [\($0.offset)] \($0.element.summary)" }.joined(separator: "\n")
    default:
        return value.summary
    }
}
