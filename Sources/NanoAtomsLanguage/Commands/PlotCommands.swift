import Foundation
import NanoAtomsEngine

/// Columns a plot can show.
let plotColumns = Statistic.all.filter(\.isPlottable).map(\.key)

/// The figures `plot` draws.
let plotKinds = ["auto", "depth", "bins", "projection", "rdf", "search", "slice", "comparison"]

/// The kinds each value can be drawn as, the first being what `auto` picks.
private func kinds(for value: Value) -> [String] {
    switch value {
    case .fit: return ["depth"]
    case .table: return ["depth", "bins", "projection", "rdf", "slice"]
    case .atoms: return ["projection", "slice"]
    case .mask: return ["search"]
    case .volume: return ["slice"]
    case .comparison: return ["comparison"]
    default: return []
    }
}

let plotCommand = CommandDeclaration(
    name: "plot",
    parameters: [.required("value", [.fit, .table, .atoms, .mask, .volume, .comparison], "what to draw"),
                 .optional("path", [.string], "an .svg file to write; without it, the figure inline in a notebook or a quick view in the terminal", path: true),
                 .option("kind", [.string], default: .string("auto"), choices: plotKinds,
                         "depth, bins, projection, rdf, search, slice or comparison (auto: what suits the value)"),
                 .option("column", [.string, .none], default: .none, choices: plotColumns,
                         "the statistic to show (depth: cn; bins: peak_z; projection: cn)"),
                 .option("axis", [.string], default: .string("z"), choices: ["x", "y", "z"], "the axis a projection or slice looks along"),
                 .option("at", [.number, .none], default: .none, unit: "Å", "where along the axis: the slab's centre or the slice's plane (default: the atoms' centre)").within(Limits.coordinate),
                 .option("slab", [.number, .none], default: .none, unit: "Å", "a projection's slab thickness (default: one lattice constant)").within(0.01...10_000),
                 .option("atoms", [.atoms, .none], default: .none, "atoms to draw over a volume's slice"),
                 .option("title", [.string, .none], default: .none, "the figure's title")],
    returns: .none,
    summary: "draw a figure (SVG) or a quick view in the terminal",
    teaching: """
        plot draws the paper's figures as SVG files, or, without a file name, a quick text view
        in the terminal. What it draws depends on the value:
          a fit          the statistic against radial depth: 5-atom averages, the fitted Eq. 1
                         and δ (Figs. 4 and 6); a table does the same with kind=depth column=…
          a table        kind=bins: a statistic binned by CN with ±S/√N error bars (Fig. 5);
                         kind=projection: the central slab coloured by a column (Figs. 1e, 2);
                         kind=rdf: g(r) with its first minimum and the CN radius
          atoms          the central slab projected along an axis, or kind=slice: the raw map's
                         plane through the atoms with the atoms marked
          a mask         the threshold search: correlation against threshold, Otsu's value
                         and the chosen threshold marked
          a volume       a plane as a grey image, atoms=… drawn over it
          a comparison   part1 against part2: common, displaced, lost and gained atoms (Fig. 3)
        Look at: in a depth plot, whether the averages really level off at the plateau beyond δ;
        in a projection coloured by CN, the ordered core (CN 12) and the surface shell; in a
        slice, whether every bright blob has one ring on it.
        """,
    example: "plot fit \"cn_depth.svg\"",
    run: { args, interp in
        let value = args["value"]
        let allowed = kinds(for: value)
        var kind = try args.string("kind")!
        if kind == "auto" { kind = allowed[0] }
        guard allowed.contains(kind) else {
            throw LanguageError("plot: \(value.type.rawValue == "atoms" ? "atoms" : "a " + value.type.rawValue) can be drawn as \(allowed.joined(separator: ", ")), not \(kind)")
        }
        let axis = ViewAxis(name: try args.string("axis")!)!
        let title = try args.string("title")
        let path = try args.string("path")
        if let path, (path as NSString).pathExtension.lowercased() != "svg" {
            throw LanguageError("plot: writes SVG; name the file with .svg, not '\(path)'")
        }
        let figure = try PlotRequest(value: value, kind: kind, column: try args.string("column"), axis: axis,
                                     at: try args.number("at"), slab: try args.positive("slab"), overlay: args.has("atoms") ? try args.atoms("atoms") : nil)
        if let path {
            try writeAtomically(figure.svg(title: title).document, to: path)
            interp.write("wrote \(path): \(figure.description)")
        } else if let show = interp.showFigure {
            show(figure.svg(title: title).document, figure.description)
        } else {
            interp.write(figure.textView())
        }
        return .none
    })

let plotCommands = [plotCommand]

/// One figure, resolved from a value and `plot`'s options: it can be drawn as SVG or as text.
struct PlotRequest {
    enum Figure {
        case depth(DepthFit, atomDepths: [Double], atomValues: [Double])
        case bins([CoordinationBin], statistic: String)
        case projection(AtomSet, column: String?, slab: Slab)
        case search(ThresholdSearchResult)
        case slice(Volume, axis: ViewAxis, plane: Int, atoms: [Vector3], radius: Double)
        case rdf(RadialDistribution, coordinationRadius: Double)
        case comparison(ModelComparison, slab: Slab, radius: Double)
    }
    let figure: Figure

    init(value: Value, kind: String, column: String?, axis: ViewAxis, at: Double?, slab thickness: Double?, overlay: AtomsValue?) throws(LanguageError) {
        func values(_ atoms: AtomSet, _ column: String) throws(LanguageError) -> [Double] {
            if let v = atoms[column: column] { return v }
            if let s = Statistic.named(column) { throw LanguageError("plot: \(MissingStatistic(statistic: s))") }
            throw LanguageError("plot: no column '\(column)' here\(suggestion(for: column, among: atoms.columnNames)); stats computes them")
        }
        func slab(_ positions: [Vector3], latticeConstant: Double) -> Slab {
            var s = Slab.central(positions, axis: axis, thickness: thickness ?? latticeConstant)
            if let at { s.centre = at }
            return s
        }
        func slice(_ volume: Volume, _ atoms: [Vector3], radius: Double) -> Figure {
            let origin = [volume.origin.x, volume.origin.y, volume.origin.z][axis.rawValue]
            let dims = [volume.nx, volume.ny, volume.nz]
            let centre = at ?? (atoms.isEmpty ? origin + Double(dims[axis.rawValue] / 2) * volume.voxelSize
                                              : atoms.reduce(Vector3.zero, +)[axis.rawValue] / Double(atoms.count))
            let plane = Int(((centre - origin) / volume.voxelSize).rounded())
            return .slice(volume, axis: axis, plane: min(max(plane, 0), dims[axis.rawValue] - 1), atoms: atoms, radius: radius)
        }
        switch (value, kind) {
        case (.fit(let f), _):
            figure = .depth(f, atomDepths: [], atomValues: [])
        case (.table(let t), "depth"):
            let c = column ?? "cn"
            let v = try values(t.atoms, c), d = try values(t.atoms, "radial_depth")
            let fit = c == "cn" ? t.depthFitCN : c == "gcn" ? t.depthFitGCN : nil
            guard let fit = fit ?? fitPenetrationDepth(depths: d, values: v, statistic: c) else {
                throw LanguageError("plot: too few atoms with a finite \(c) to fit a depth")
            }
            figure = .depth(fit, atomDepths: d, atomValues: v)
        case (.table(let t), "rdf"):
            figure = .rdf(t.structure.radialDistribution, coordinationRadius: t.coordinationRadius)
        case (.table(let t), "bins"):
            let c = column ?? "peak_z"
            let cn = try values(t.atoms, "cn").map { Int($0) }
            figure = .bins(binByCoordination(try values(t.atoms, c), cn: cn), statistic: c)
        case (.table(let t), "projection"):
            let c = column ?? "cn"
            _ = try values(t.atoms, c)
            figure = .projection(t.atoms, column: c, slab: slab(t.atoms.positions, latticeConstant: t.lattice.meanLatticeConstant))
        case (.atoms(let a), "projection"):
            if let column { _ = try values(a.atoms, column) }
            figure = .projection(a.atoms, column: column ?? (a.atoms[column: "cn"] != nil ? "cn" : nil),
                                 slab: slab(a.atoms.positions, latticeConstant: a.atoms.element.latticeConstant))
        case (.atoms(let a), "slice"):
            guard let raw = a.raw else { throw LanguageError("plot: these atoms carry no map to slice; plot the map with atoms=…") }
            figure = slice(raw, a.atoms.positions, radius: a.atoms.element.radius)
        case (.table(let t), "slice"):
            throw LanguageError("plot: a table carries no map; plot the atoms it came from, or a volume with atoms=… (\(t.atoms.count) atoms)")
        case (.mask(let m), _):
            guard let s = m.search else { throw LanguageError("plot: this threshold was given, not searched for: there is no curve to draw") }
            figure = .search(s)
        case (.volume(let v), _):
            let atoms = overlay?.atoms
            figure = slice(v.volume, atoms?.positions ?? [], radius: atoms?.element.radius ?? 1.4)
        case (.comparison(let c), _):
            let radius = c.commonDistance / commonDistanceFraction / 2
            figure = .comparison(c, slab: slab(c.firstPositions, latticeConstant: 2 * 2.0.squareRoot() * radius), radius: radius)
        default:
            throw LanguageError("plot: cannot draw \(value.type.rawValue) as \(kind)")
        }
    }

    /// What the figure shows, in a few words.
    var description: String {
        switch figure {
        case .depth(let f, _, _): return String(format: "%@ against radial depth, δ = %.2f Å", f.statistic, f.delta)
        case .bins(let b, let s): return "\(s) by CN, \(b.count) bins"
        case .projection(let a, let c, let s): return "\(a.positions.filter(s.contains).count) atoms in a \(String(format: "%.1f", s.thickness)) Å slab along \(s.axis.name)" + (c.map { ", coloured by \($0)" } ?? "")
        case .search(let s): return "threshold search, \(s.trials.count) trials, chosen \(String(format: "%.4g", s.threshold))"
        case .slice(_, let axis, let plane, _, _): return "plane \(plane) along \(axis.name)"
        case .rdf(let g, let d): return String(format: "g(r), first minimum %@, CN radius %.2f Å", g.firstMinimum.map { String(format: "%.2f Å", $0) } ?? "none", d)
        case .comparison(let c, _, _): return "\(c.common.count) common, \(c.displaced.count) displaced, \(c.lost.count) lost, \(c.gained.count) gained"
        }
    }

    /// The figure as SVG.
    func svg(title: String?) -> SVGCanvas {
        switch figure {
        case .depth(let f, let d, let v): return Plot.depth(f, atomDepths: d, atomValues: v, title: title)
        case .bins(let b, let s): return Plot.coordinationBins(b, statistic: s, title: title)
        case .rdf(let g, let d): return Plot.radialDistribution(g, coordinationRadius: d, title: title)
        case .projection(let a, let c, let s):
            return Plot.projection(a.positions, values: c.flatMap { a[column: $0] }, column: c, slab: s, atomRadius: a.element.radius, title: title)
        case .search(let s): return Plot.thresholdSearch(s, title: title)
        case .slice(let v, let axis, let plane, let atoms, let r): return Plot.slice(v, axis: axis, index: plane, atoms: atoms, atomRadius: r, title: title)
        case .comparison(let c, let s, let r): return Plot.comparison(c, slab: s, atomRadius: r, title: title)
        }
    }

    /// The figure as text for the terminal.
    func textView() -> String {
        switch figure {
        case .depth(let f, _, _):
            let end = max(f.depths.max() ?? 0, f.delta)
            let curve = (0...120).map { Double($0) / 120 * end }.map { ($0, f.value(at: $0)) }
            return TextPlot.scatter(points: Array(zip(f.depths, f.values)), curve: curve, marks: [(f.delta, "┊")],
                                    xLabel: "radial depth (Å); ┊ δ", yLabel: "\(f.statistic) (mean of \(depthAveragingWindow))")
                + String(format: "\n  δ = %.2f Å, m = %.4g, c = %.4g, rms %.3g", f.delta, f.slope, f.plateau, f.rmsResidual)
        case .bins(let bins, let s):
            var lines = ["  \(s) by CN (mean ± S/√N, bins of ≥ \(minimumBinSize) atoms)", "    CN     n        mean       S/√N"]
            for b in bins { lines.append(String(format: "    %2d  %4d  %10.4g  %9.3g", b.cn, b.count, b.mean, b.standardError)) }
            lines.append("  means from low to high CN: " + TextPlot.sparkline(bins.map(\.mean)))
            return lines.joined(separator: "\n")
        case .projection(let a, let c, let s):
            let (h, v) = s.axis.shown
            let values = c.flatMap { a[column: $0] }
            let finite = (values ?? []).filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            let order = a.positions.indices.filter { s.contains(a.positions[$0]) }.sorted { a.positions[$0][s.axis.rawValue] < a.positions[$1][s.axis.rawValue] }
            // Whole values up to 35 (CN) are shown as themselves, 0–9 then a = 10, b = 11, …;
            // other values are scaled to the digits 0–9.
            let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
            let whole = !finite.isEmpty && finite.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 < 36 }
            let items = order.map { i -> (h: Double, v: Double, symbol: Character) in
                let p = a.positions[i]
                guard let values else { return (p[h], p[v], "o") }
                guard values[i].isFinite else { return (p[h], p[v], "?") }
                if whole { return (p[h], p[v], digits[Int(values[i])]) }
                return (p[h], p[v], digits[hi > lo ? Int(((values[i] - lo) / (hi - lo) * 9).rounded()) : 5])
            }
            var text = TextPlot.atomMap(items, cell: 0.5 * a.element.radius)
            text += "\n  \(items.count) atoms in a \(String(format: "%.1f", s.thickness)) Å slab along \(s.axis.name)"
            if let c {
                text += whole ? "; each atom shows its \(c) (a = 10, b = 11, c = 12, …)"
                              : String(format: "; digits: %@ from 0 = %.4g to 9 = %.4g", c, lo, hi)
            }
            return text
        case .search(let s):
            let trials = s.trials.sorted { $0.threshold < $1.threshold }
            return TextPlot.scatter(points: trials.map { (Double($0.threshold), $0.correlation) },
                                    marks: [(Double(s.otsu), "┊"), (Double(s.threshold), "│")],
                                    xLabel: "threshold; ┊ Otsu, │ chosen", yLabel: "correlation with simulated map")
                + String(format: "\n  Otsu %.4g, chosen %.4g (correlation %.5f)", s.otsu, s.threshold, s.correlation)
        case .rdf(let g, let d):
            var marks: [(Double, Character)] = [(d, "│")]
            if let m = g.firstMinimum { marks.append((m, "┊")) }
            return TextPlot.scatter(points: Array(zip(g.r, g.g)), marks: marks, xLabel: "r (Å); ┊ first minimum, │ CN radius", yLabel: "g(r)")
                + String(format: "\n  first peak %@, first minimum %@, first-shell bond %@, CN radius %.3f Å",
                         g.firstPeak.map { String(format: "%.2f Å", $0) } ?? "none", g.firstMinimum.map { String(format: "%.2f Å", $0) } ?? "none",
                         g.firstShellBond.map { String(format: "%.3f Å", $0) } ?? "none", d)
        case .slice(let vol, let axis, let plane, let atoms, let r):
            return TextPlot.slice(vol, axis: axis, index: plane, atoms: atoms, atomRadius: r)
                + "\n  plane \(plane) along \(axis.name)" + (atoms.isEmpty ? "" : "; o: an atom within \(String(format: "%.2f", r)) Å")
        case .comparison(let c, let s, let radius):
            let (h, v) = s.axis.shown
            var items: [(h: Double, v: Double, symbol: Character)] = []
            for p in c.common where s.contains(c.firstPositions[p.first]) { items.append((c.firstPositions[p.first][h], c.firstPositions[p.first][v], ".")) }
            for p in c.displaced where s.contains(c.secondPositions[p.second]) { items.append((c.secondPositions[p.second][h], c.secondPositions[p.second][v], "d")) }
            for i in c.lost where s.contains(c.firstPositions[i]) { items.append((c.firstPositions[i][h], c.firstPositions[i][v], "L")) }
            for i in c.gained where s.contains(c.secondPositions[i]) { items.append((c.secondPositions[i][h], c.secondPositions[i][v], "G")) }
            return TextPlot.atomMap(items, cell: 0.5 * radius)
                + String(format: "\n  . common %d (%.1f%%)  d displaced %d (%.1f%%)  L lost %d (%.1f%%)  G gained %d (%.1f%%)",
                         c.common.count, c.commonPercent, c.displaced.count, c.displacedPercent, c.lost.count, c.lostPercent, c.gained.count, c.gainedPercent)
        }
    }
}
