import Foundation

/// The review page of a run: `report.html`, one self-contained file with the Table 1 row, the
/// figures inline as SVG, every removed atom with its reason, the lattice fit and the timings.
package enum RunReport {
    /// A figure of the report: a file name (without `.svg`), a caption and the drawing.
    package struct Figure: Sendable {
        /// The file name stem, e.g. `cn_depth`.
        package let name: String
        /// What the figure shows and how to read it.
        package let caption: String
        /// The drawing.
        package let canvas: SVGCanvas
    }

    /// The figures of a run: the threshold search, a slice of the map with the atoms, and with
    /// statistics the depth fits, the projections coloured by CN and DOI and the CN-binned statistics.
    package static func figures(_ r: ValidatedModel, statistics st: ParticleStatistics?) -> [Figure] {
        var figures: [Figure] = [
            Figure(name: "threshold_search",
                   caption: "Threshold search: each point is the correlation between the denoised map and a map simulated from the atoms found at that threshold; the highest wins.",
                   canvas: Plot.thresholdSearch(r.search)),
        ]
        let positions = r.atoms.positions
        if !positions.isEmpty {
            let centre = r.raw.voxelCoordinate(of: positions.reduce(Vector3.zero, +) / Double(positions.count))
            figures.append(Figure(name: "slice_z",
                                  caption: "The masked map's plane through the particle's centre, with the atoms within one atomic radius of it: every bright blob should carry one ring.",
                                  canvas: Plot.slice(r.raw, axis: .z, index: Int(centre.z.rounded()), atoms: positions, atomRadius: r.options.element.radius)))
        }
        guard let st else { return figures }
        let atoms = st.atoms
        let depth = atoms[column: "radial_depth"] ?? []
        if let f = st.depthFitCN {
            figures.append(Figure(name: "cn_depth", caption: String(format: "CN against radial depth (paper Fig. 4): grey, every atom; blue, means of %d consecutive atoms; orange, Eq. 1 fitted; δ = %.2f Å.", depthAveragingWindow, f.delta),
                                  canvas: Plot.depth(f, atomDepths: depth, atomValues: atoms[column: "cn"] ?? [])))
        }
        if let f = st.depthFitGCN {
            figures.append(Figure(name: "gcn_depth", caption: String(format: "GCN against radial depth: δ = %.2f Å.", f.delta),
                                  canvas: Plot.depth(f, atomDepths: depth, atomValues: atoms[column: "gcn"] ?? [])))
        }
        figures.append(Figure(name: "rdf",
                              caption: String(format: "The radial distribution function g(r) of the atoms, with its first minimum and the CN radius used (%@).", st.lattice.method.rawValue),
                              canvas: Plot.radialDistribution(st.structure.radialDistribution, coordinationRadius: st.coordinationRadius)))
        let slab = Slab.central(atoms.positions, axis: .z, thickness: st.lattice.meanLatticeConstant)
        for column in Statistic.all.filter(\.drawnAsProjection).map(\.key) {
            figures.append(Figure(name: "projection_\(column)",
                                  caption: "A central slab one lattice constant thick, seen along z, atoms coloured by \(StatisticLabel(column: column).name) (grey: no valid value).",
                                  canvas: Plot.projection(atoms.positions, values: atoms[column: column], column: column, slab: slab,
                                                          atomRadius: atoms.element.radius)))
        }
        if let cn = atoms[column: "cn"]?.map({ Int($0) }) {
            for column in Statistic.all.filter(\.drawnByCN).map(\.key) {
                guard let v = atoms[column: column] else { continue }
                figures.append(Figure(name: "\(column)_by_cn",
                                      caption: "\(StatisticLabel(column: column).name) binned by CN (paper Fig. 5): mean ± S/√N over bins of at least \(minimumBinSize) atoms.",
                                      canvas: Plot.coordinationBins(binByCoordination(v, cn: cn), statistic: column)))
            }
        }
        return figures
    }

    /// A table of atoms with what happened to each and why (removals, edits).
    static func placesTable(_ rows: [(position: Vector3, kind: String, reason: String)], kind: String) -> String {
        table(["x (Å)", "y (Å)", "z (Å)", kind, "reason"], textColumns: 2, rows: rows.map { r in
            [String(format: "%.2f", r.position.x), String(format: "%.2f", r.position.y), String(format: "%.2f", r.position.z), r.kind, r.reason]
        })
    }

    /// An HTML table of escaped cells; the last `textColumns` columns are left-aligned text.
    static func table(_ header: [String], textColumns: Int, rows: [[String]]) -> String {
        func cells(_ values: [String], _ tag: String) -> String {
            values.enumerated().map { c, v in
                let cls = c >= values.count - textColumns ? " class=\"text\"" : ""
                return "<\(tag)\(cls)>\(escapeXML(v))</\(tag)>"
            }.joined()
        }
        return "<table>\n<tr>\(cells(header, "th"))</tr>\n" + rows.map { "<tr>\(cells($0, "td"))</tr>\n" }.joined() + "</table>\n"
    }

    /// One sentence on what refinement did to `r`, or on its absence (the unrefined model and
    /// how to get the refined one).
    package static func refinementSentence(_ r: ValidatedModel) -> String {
        guard let f = r.refinement else {
            return "Not refined (--no-refine, build refine=false, or the paper's method)."
        }
        let count = { (k: RefinementEdit.Kind) in f.edits.filter { $0.kind == k }.count }
        return String(format: "Refined against the map: %d added, %d removed, %d merged; %d of %d atoms fitted as whole atoms; RMS move %.3f Å; last fit %d sweep(s)%@.",
                      count(.added), count(.removed), count(.merged), f.wholeAtoms, r.atoms.count, f.rmsShift, f.sweeps,
                      f.converged ? "" : ", not settled")
    }

    /// One sentence on the mask: its size and how it was found.
    package static func maskSentence(_ r: ValidatedModel) -> String { maskSentence(r.mask, location: r.location) }

    /// One sentence on `mask` (nil: none) and the located atoms it was placed around.
    package static func maskSentence(_ mask: ParticleMask?, location: ParticleLocation?) -> String {
        guard let m = mask else { return "No mask." }
        var text = String(format: "Mask: a %.1f Å sphere at (%.1f, %.1f, %.1f) Å, ", 2 * m.radius, m.centre.x, m.centre.y, m.centre.z)
        switch m.method {
        case .given: text += "given"
        case .envelope: text += "from the map's envelope (no cluster of atoms was found)"
        case .atomPeaks:
            if let l = location {
                text += String(format: "around %d atom-like peaks above %.1f SD", l.particlePeaks.count, l.significance)
            } else {
                text += "around the atom-like peaks"
            }
        }
        return text + "."
    }

    /// The start of a report page: its head with the shared style, and the heading.
    package static func pageHead(title: String, heading: String) -> String {
        """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escapeXML(title))</title>
            <style>
            body { font-family: \(SVGCanvas.fontFamily); margin: 2em auto; max-width: 1180px; padding: 0 1em; color: #111; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
            th { background: #f3f3f3; } td.text, th.text { text-align: left; }
            .figures { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; flex: 1 1 520px; max-width: 740px; }
            figure svg { width: 100%; height: auto; }
            figcaption { font-size: 0.88em; color: #333; }
            .lead { font-size: 1.05em; }
            .view3d canvas { display: block; max-width: 100%; border: 1px solid #ddd; touch-action: none; }
            .view3d #view3d-bar { border: none; } .view3d .controls label { margin-left: 0.8em; } .view3d button { margin-left: 0.4em; }
            </style>
            </head>
            <body>
            <h1>\(escapeXML(heading))</h1>

            """
    }

    /// The report page.
    package static func html(_ r: ValidatedModel, statistics st: ParticleStatistics?, mapName: String, figures: [Figure],
                             provenance: Provenance = Provenance()) -> String {
        var page = pageHead(title: "nanoatoms: \(mapName)", heading: "nanoatoms report: \(mapName)")
        let removedCorrelation = r.removedCount(.lowCorrelation), removedCN = r.removedCount(.lowCoordination)
        page += "<p class=\"lead\">" + escapeXML(String(format: "%d %@ atoms in a %d × %d × %d map (%.3f Å voxels). Threshold %.4g on the denoised map (Otsu's value %.4g); %d components, %d split; validation removed %d atoms for low correlation, %d for CN below %@ and %d as detached clusters.",
                                                         r.atoms.count, r.options.element.symbol, r.raw.nx, r.raw.ny, r.raw.nz, r.raw.voxelSize,
                                                         r.search.threshold, r.search.otsu, r.componentCount, r.splitComponents,
                                                         removedCorrelation, removedCN, r.options.minimumCoordination.map { String($0) } ?? "(off)",
                                                         r.removedCount(.detached))) + "</p>\n"
        page += "<h2>Quality flags</h2>\n"
        let flags = runFlags(r, st)
        if flags.isEmpty {
            page += "<p>None: the mask, the threshold search and the lattice passed their checks.</p>\n"
        } else {
            page += table(["flag", "reason", "what to try"], textColumns: 3,
                          rows: flags.map { [$0.code.rawValue, $0.reason, $0.remedy ?? ""] })
        }
        page += "<p>" + escapeXML(maskSentence(r)) + " Threshold: " + escapeXML(r.search.choice) + ".</p>\n"
        if let st {
            let row = st.table1
            page += "<h2>The particle (paper Table 1)</h2>\n<table>\n<tr>" + row.map { "<th>\(escapeXML($0.heading))</th>" }.joined() + "</tr>\n"
            let cells = row.map(\.text)
            page += "<tr>" + cells.map { "<td>\(escapeXML($0))</td>" }.joined() + "</tr>\n</table>\n"
            page += "<p>" + escapeXML(String(format: "Lattice: ā = %.4f Å (%@, inliers %.0f%%, rms %.3f Å); CN radius d = %.3f Å.",
                                             st.lattice.meanLatticeConstant, st.lattice.method.rawValue, 100 * (st.lattice.inlierFraction ?? .nan),
                                             st.lattice.rmsResidual ?? .nan, st.coordinationRadius)) + (st.lattice.note.map { " " + escapeXML($0) } ?? "") + "</p>\n"
            page += "<p>" + escapeXML("Structure (\(st.structure.method.title)): \(st.structure.description).") + "</p>\n"
        }
        let viewAtoms = st?.atoms ?? r.atoms
        if viewAtoms.count > 0 {
            page += ParticleView.html(data: ParticleView.data(
                atoms: viewAtoms, removed: r.removals.map { ($0.position, $0.reason) },
                refinedAway: (r.refinement?.edits ?? []).filter { $0.kind != .added }.map { ($0.position, $0.reason) },
                atomRadius: r.options.element.radius, defaultColumn: Statistic.cn.key))
        }
        page += "<h2>Figures</h2>\n<div class=\"figures\">\n"
        for (i, f) in figures.enumerated() {
            page += "<figure id=\"\(f.name)\">\n\(f.canvas.inlineElement(idPrefix: "f\(i)"))<figcaption>\(escapeXML(f.caption))</figcaption>\n</figure>\n"
        }
        page += "</div>\n<h2>Atoms removed by validation</h2>\n"
        if r.removals.isEmpty {
            page += "<p>None.</p>\n"
        } else {
            page += placesTable(r.removals.map { ($0.position, $0.rule.rawValue, $0.reason) }, kind: "rule")
        }
        if let f = r.refinement {
            page += "<h2>Refinement against the map</h2>\n<p>" + escapeXML(String(format:
                "Every atom's position, amplitude and isotropic U fitted jointly (overlaps modelled): %d sweeps%@, RMS move %.3f Å from the validated positions, noise SD %.4g per voxel (standard errors ×%.1f in variance for its correlation between voxels). Occupancies are relative to the core atoms' median amplitude; the %d atoms whose occupancy is within %.0f standard errors of one were then fitted as whole atoms (amplitude held), which gives their positions and U.",
                f.sweeps, f.converged ? "" : ", not settled", f.rmsShift, f.noiseSD, f.correlationFactor, f.wholeAtoms, RefinementRules.wholeAtomSignificance)) + "</p>\n"
            if let h = f.halfMaps {
                page += "<p>" + escapeXML(String(format:
                    "Half maps: the model refitted to each; median distance between an atom's two positions %.3f Å, so about %.3f Å of error in the full map, against a median standard error of %.3f Å (ratio %.2f).",
                    h.medianDifference, h.medianDifference / 2, h.medianSigma, h.calibration)) + "</p>\n"
            }
            if f.edits.isEmpty {
                page += "<p>No edits.</p>\n"
            } else {
                page += placesTable(f.edits.map { ($0.position, $0.kind.rawValue, $0.reason) }, kind: "edit")
            }
        }
        var timings = r.timings
        if let st { timings.append(st.timings) }
        page += "<h2>Time per step</h2>\n<table>\n<tr><th class=\"text\">step</th><th>seconds</th></tr>\n"
        for step in timings.steps { page += "<tr><td class=\"text\">\(escapeXML(step.name))</td><td>\(String(format: "%.3f", step.seconds))</td></tr>\n" }
        page += "<tr><th class=\"text\">total</th><th>\(String(format: "%.3f", timings.total))</th></tr>\n</table>\n"
        page += provenance.html(options: r.options)
        page += "<p><small>Written by nanoatoms. Method: Wietfeldt et al. (2024).</small></p>\n</body>\n</html>\n"
        return page
    }
}
