import Foundation

/// A study's results assembled from its tasks' folders: Table 1 for every map, the part1/part2
/// comparison of each particle, δ per particle and map, statistics binned by CN across the
/// particles, and each series followed through its stages. The same whether the tasks ran here
/// or as a SLURM job array.
public struct StudyResults: Sendable {
    /// The study.
    public let plan: StudyPlan
    /// Each task's record, in task order; nil for a task not run yet.
    public let records: [StudyTaskRecord?]
    /// part1 against part2, for each particle with both done.
    public let comparisons: [(particle: String, comparison: ModelComparison)]
    /// Each series with all its stages done, followed through them.
    public let series: [(name: String, tracking: SeriesTracking)]
    /// Statistics binned by CN over the atoms of every particle's merged map (paper Fig. 5).
    public let coordinationBins: [(statistic: String, bins: [CoordinationBin])]
    /// The particles whose merged maps the bins pool.
    public let binnedParticles: [String]

    /// The folder the results are written to, inside the study's.
    public static let folderName = "results"
    /// Its files.
    public static let fileNames: Set<String> = ["report.html", "study.json", "table1.csv", "comparisons.csv", "cn_bins.csv",
                                                "series_steps.csv", "series_tracks.csv", "plots"]

    /// The tasks not done: failed or not run.
    public var unfinished: [StudyTask] { plan.tasks.filter { records[$0.index]?.status != .done } }

    /// Reads every task's folder in `folder` and assembles the results. A task missing or
    /// failed leaves its rows empty and is named in them; the rest are still assembled.
    public static func gather(_ plan: StudyPlan, in folder: String) throws -> StudyResults {
        let records = plan.tasks.map { task -> StudyTaskRecord? in
            guard let r = StudyTaskRecord.read(folder: task.folder(in: folder)), r.task == task.name else { return nil }
            return r
        }
        // Each table is read when it is needed and let go after, so a study of many maps holds
        // one or two tables at a time, not all of them.
        func atoms(_ k: Int?) throws -> AtomSet? {
            guard let k, let r = records[k], r.status == .done else { return nil }
            return try readTaskAtoms(folder: plan.tasks[k].folder(in: folder), element: Element.named(r.element) ?? StudyPlan.defaultElement)
        }
        var comparisons: [(String, ModelComparison)] = []
        var pooledCN: [Int] = [], pooled: [String: [Double]] = [:], binned: [String] = []
        let binnedStatistics = Statistic.all.filter(\.binnedByCN).map(\.key)
        for p in plan.particles {
            if let a = try atoms(p.tasks[.part1]), let b = try atoms(p.tasks[.part2]) {
                comparisons.append((p.name, compareModels(a.positions, b.positions, element: a.element)))
            }
            if let m = try atoms(p.tasks[.merged]), let cn = m[column: "cn"] {
                binned.append(p.name)
                pooledCN += cn.map { Int($0) }
                for s in binnedStatistics {
                    pooled[s, default: []] += m[column: s] ?? [Double](repeating: .nan, count: m.count)
                }
            }
        }
        let bins = binnedStatistics.compactMap { s -> (String, [CoordinationBin])? in
            guard let v = pooled[s], v.contains(where: \.isFinite) else { return nil }
            return (s, binByCoordination(v, cn: pooledCN))
        }
        var series: [(String, SeriesTracking)] = []
        for s in plan.series {
            let stages = try s.stages.compactMap { try atoms($0).map { ($0.element, $0.positions) } }
            guard stages.count == s.stages.count else { continue }
            series.append((s.name, trackSeries(stages.map(\.1), element: stages[0].0)))
        }
        return StudyResults(plan: plan, records: records, comparisons: comparisons, series: series,
                            coordinationBins: bins, binnedParticles: binned)
    }

    /// A task's `atoms.csv`. Read without being recorded as an input: the study writes these
    /// folders again when their maps change.
    static func readTaskAtoms(folder: String, element: Element) throws -> AtomSet {
        let path = (folder as NSString).appendingPathComponent("atoms.csv")
        guard let data = FileManager.default.contents(atPath: path), data.count <= Limits.textFileBytes else {
            throw EngineError("cannot read the task's table", file: path)
        }
        return try CSVFormat.parseAtoms(String(decoding: data, as: UTF8.self), element: element, name: path)
    }

    /// Writes the results into `folder/results` as one unit: the report, the tables as CSV, all
    /// of it as JSON, and the figures.
    public func write(in folder: String) throws {
        var files: [(path: String, bytes: [UInt8])] = []
        let figures = self.figures()
        for f in figures { files.append(("plots/\(f.name).svg", Array(f.canvas.document.utf8))) }
        files.append(("table1.csv", Array(table1CSV().utf8)))
        files.append(("comparisons.csv", Array(comparisonsCSV().utf8)))
        files.append(("cn_bins.csv", Array(binsCSV().utf8)))
        files.append(("series_steps.csv", Array(seriesStepsCSV().utf8)))
        files.append(("series_tracks.csv", Array(seriesTracksCSV().utf8)))
        files.append(("study.json", Array((json().serialized() + "\n").utf8)))
        files.append(("report.html", Array(html(figures: figures).utf8)))
        try writeRunFolder((folder as NSString).appendingPathComponent(StudyResults.folderName), files: files, allowed: StudyResults.fileNames)
    }

    // MARK: Tables

    /// The Table 1 fields, in the order the first done task gives them.
    var table1Fields: [StudyTaskRecord.Field] { records.compactMap { $0 }.first { !$0.table1.isEmpty }?.table1 ?? [] }

    /// One row per map: its task, status, Table 1 (δ among it), δ's intervals, flags and time.
    func table1CSV() -> String {
        let fields = table1Fields
        var header = ["group", "map", "status"] + fields.map(\.key)
        header += ["delta_cn_low", "delta_cn_high", "delta_gcn_low", "delta_gcn_high", "flags", "seconds", "input", "error"]
        var out = header.joined(separator: ",") + "\n"
        for task in plan.tasks {
            let r = records[task.index]
            var row = [task.group, task.role.name, r?.status.rawValue ?? "not_run"]
            row += fields.map { f in r?.table1.first { $0.key == f.key }.map { CSVFormat.format($0.value) } ?? "" }
            func number(_ x: Double?) -> String { x.map(CSVFormat.format) ?? "" }
            row += [number(r?.deltaCNInterval?.first), number(r?.deltaCNInterval?.last),
                    number(r?.deltaGCNInterval?.first), number(r?.deltaGCNInterval?.last)]
            row += [(r?.flags.map(\.code) ?? []).joined(separator: ";"), r.map { String(format: "%.3f", $0.seconds) } ?? "",
                    task.input, r?.error ?? ""]
            out += row.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// One row per particle with both halves: common, displaced, lost and gained atoms.
    func comparisonsCSV() -> String {
        var out = "particle,part1_atoms,part2_atoms,common,common_percent,displaced,displaced_percent,lost,lost_percent,gained,gained_percent,common_rms_shift\n"
        for (name, c) in comparisons {
            let row: [String] = [name, String(c.firstCount), String(c.secondCount), String(c.common.count), CSVFormat.format(c.commonPercent),
                                 String(c.displaced.count), CSVFormat.format(c.displacedPercent), String(c.lost.count),
                                 CSVFormat.format(c.lostPercent), String(c.gained.count), CSVFormat.format(c.gainedPercent),
                                 CSVFormat.format(StudyResults.rms(c.common.map(\.distance)))]
            out += row.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Root mean square of `d`; NaN when empty.
    static func rms(_ d: [Double]) -> Double { d.isEmpty ? .nan : (d.map { $0 * $0 }.reduce(0, +) / Double(d.count)).squareRoot() }

    /// Each statistic's CN bins across the particles.
    func binsCSV() -> String {
        var out = "statistic,cn,n,mean,sd,sem\n"
        for (s, bins) in coordinationBins {
            for b in bins {
                out += [s, String(b.cn), String(b.count), CSVFormat.format(b.mean), CSVFormat.format(b.standardDeviation),
                        CSVFormat.format(b.standardError)].joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// One row per step of each series.
    func seriesStepsCSV() -> String {
        var out = "series,stage,atoms,kept,displaced,lost,gained,registration_rmsd,registration_pairs,rotation_deg,shift,doubt\n"
        for (name, t) in series {
            out += [name, "1", String(t.positions.first?.count ?? 0), "", "", "", "", "", "", "", "", ""].map(csvField).joined(separator: ",") + "\n"
            for s in t.steps {
                let c = s.comparison
                out += [name, String(s.stage), String(c.secondCount), String(c.common.count), String(c.displaced.count), String(c.lost.count),
                        String(c.gained.count), CSVFormat.format(s.registrationRMSD), String(s.registrationPairs),
                        CSVFormat.format(s.transform.angleDegrees), CSVFormat.format(s.transform.translation.length),
                        s.doubt ?? ""].map(csvField).joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// One row per track and stage where it has a status: its atom (1-based) and position in
    /// the first stage's frame.
    func seriesTracksCSV() -> String {
        var out = "series,track,stage,status,atom,x,y,z\n"
        for (name, t) in series {
            for (k, track) in t.tracks.enumerated() {
                for (s, status) in track.status.enumerated() {
                    guard let status else { continue }
                    var row = [name, String(k + 1), String(s + 1), status.rawValue]
                    if let a = track.atoms[s] {
                        let p = t.positions[s][a]
                        row += [String(a + 1), CSVFormat.format(p.x), CSVFormat.format(p.y), CSVFormat.format(p.z)]
                    } else {
                        row += ["", "", "", ""]
                    }
                    out += row.map(csvField).joined(separator: ",") + "\n"
                }
            }
        }
        return out
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: JSON

    /// Everything above as one document.
    func json() -> JSONValue {
        let tasks = plan.tasks.map { task -> JSONValue in
            let r = records[task.index]
            var fields: [(String, JSONValue)] = [("task", .string(task.name)), ("input", .string(task.input)),
                                                 ("status", .string(r?.status.rawValue ?? "not_run")),
                                                 ("options", .string(task.options.fingerprint))]
            if let r {
                fields += [("atoms", r.atoms.map { .number(Double($0)) } ?? .null), ("seconds", .finite(r.seconds)),
                           ("error", r.error.map { .string($0) } ?? .null),
                           ("table1", .object(r.table1.map { ($0.key, .finite($0.value)) })),
                           ("delta_cn", .finite(r.deltaCN)), ("delta_cn_interval", .array((r.deltaCNInterval ?? []).map { .finite($0) })),
                           ("delta_gcn", .finite(r.deltaGCN)), ("delta_gcn_interval", .array((r.deltaGCNInterval ?? []).map { .finite($0) })),
                           ("quality_flags", .array(r.flags.map { .object([("code", .string($0.code)), ("reason", .string($0.reason))]) }))]
            }
            return .object(fields)
        }
        let comparisons = self.comparisons.map { (name, c) -> JSONValue in
            .object([("particle", .string(name)), ("part1_atoms", .number(Double(c.firstCount))), ("part2_atoms", .number(Double(c.secondCount))),
                     ("common", .number(Double(c.common.count))), ("displaced", .number(Double(c.displaced.count))),
                     ("lost", .number(Double(c.lost.count))), ("gained", .number(Double(c.gained.count))),
                     ("common_percent", .finite(c.commonPercent)), ("displaced_percent", .finite(c.displacedPercent)),
                     ("lost_percent", .finite(c.lostPercent)), ("gained_percent", .finite(c.gainedPercent)),
                     ("common_distance", .number(c.commonDistance)), ("displacement_distance", .number(c.displacementDistance))])
        }
        let bins = coordinationBins.map { (s, bins) in
            (s, JSONValue.array(bins.map { b in
                .object([("cn", .number(Double(b.cn))), ("n", .number(Double(b.count))), ("mean", .finite(b.mean)),
                         ("sd", .finite(b.standardDeviation)), ("sem", .finite(b.standardError))])
            }))
        }
        let series = self.series.map { (name, t) -> JSONValue in
            .object([("series", .string(name)), ("stages", .number(Double(t.positions.count))),
                     ("atoms", .array(t.positions.map { .number(Double($0.count)) })),
                     ("tracks", .number(Double(t.tracks.count))),
                     ("steps", .array(t.steps.map { s in
                         .object([("stage", .number(Double(s.stage))), ("kept", .number(Double(s.comparison.common.count))),
                                  ("displaced", .number(Double(s.comparison.displaced.count))), ("lost", .number(Double(s.comparison.lost.count))),
                                  ("gained", .number(Double(s.comparison.gained.count))), ("registration_rmsd", .finite(s.registrationRMSD)),
                                  ("registration_pairs", .number(Double(s.registrationPairs))),
                                  ("rotation_deg", .finite(s.transform.angleDegrees)),
                                  ("doubt", s.doubt.map { .string($0) } ?? .null),
                                  ("shift", .array([.finite(s.transform.translation.x), .finite(s.transform.translation.y), .finite(s.transform.translation.z)]))])
                     }))])
        }
        return .object([("title", .string(plan.title)), ("study_file", .string(plan.file)),
                        ("tasks_done", .number(Double(records.filter { $0?.status == .done }.count))),
                        ("tasks_failed", .number(Double(records.filter { $0?.status == .failed }.count))),
                        ("tasks_not_run", .number(Double(records.filter { $0 == nil }.count))),
                        ("tasks", .array(tasks)), ("comparisons", .array(comparisons)),
                        ("cn_bins_particles", .array(binnedParticles.map { .string($0) })), ("cn_bins", .object(bins)),
                        ("series", .array(series))])
    }

    // MARK: Figures and report

    /// δ_CN and δ_GCN per particle (Fig. 4), the binned statistics (Fig. 5), and each series' counts.
    func figures() -> [RunReport.Figure] {
        var figures: [RunReport.Figure] = []
        let names = plan.particles.map(\.name)
        for (statistic, value) in [("CN", \StudyTaskRecord.deltaCN), ("GCN", \StudyTaskRecord.deltaGCN)] {
            let interval: KeyPath<StudyTaskRecord, [Double]?> = statistic == "CN" ? \.deltaCNInterval : \.deltaGCNInterval
            var points: [ParticleDepth] = []
            for (k, p) in plan.particles.enumerated() {
                for (role, t) in p.tasks {
                    guard let r = records[t], r.status == .done, let d = r[keyPath: value] else { continue }
                    let i = r[keyPath: interval].flatMap { $0.count == 2 && $0[0] <= $0[1] ? $0[0]...$0[1] : nil }
                    points.append(ParticleDepth(particle: k, role: role, delta: d, interval: i))
                }
            }
            guard !points.isEmpty else { continue }
            figures.append(.init(name: "delta_\(statistic.lowercased())_by_particle",
                                 caption: "δ_\(statistic) of each particle from its merged map and both halves (paper Fig. 4), with bootstrap 95 % intervals.",
                                 canvas: Plot.depthByParticle(points, particles: names, statistic: statistic)))
        }
        for (s, bins) in coordinationBins where !bins.isEmpty {
            figures.append(.init(name: "\(s)_by_cn", caption: "\(StatisticLabel(column: s).name) binned by CN over the merged maps of \(binnedParticles.joined(separator: ", ")) (paper Fig. 5): mean ± S/√N over bins of at least \(minimumBinSize) atoms.",
                                 canvas: Plot.coordinationBins(bins, statistic: s, title: "\(StatisticLabel(column: s).name) by CN, \(binnedParticles.count) particle\(binnedParticles.count == 1 ? "" : "s")")))
        }
        for (name, t) in series {
            figures.append(.init(name: "series_\(name)", caption: "Series \(name): atoms at each stage, and of each step the atoms kept, displaced, lost and gained.",
                                 canvas: Plot.seriesCounts(t, name: name)))
        }
        return figures
    }

    /// The study's page: what ran, Table 1 with links to each map's report, the comparisons,
    /// the figures and the series.
    func html(figures: [RunReport.Figure]) -> String {
        var page = RunReport.pageHead(title: "nanoatoms study: \(plan.title)", heading: "nanoatoms study: \(plan.title)")
        let done = records.filter { $0?.status == .done }.count, failed = records.filter { $0?.status == .failed }.count
        let notRun = records.filter { $0 == nil }.count
        page += "<p class=\"lead\">\(escapeXML("\(plan.tasks.count) maps in \(plan.particles.count) particle\(plan.particles.count == 1 ? "" : "s") and \(plan.series.count) series: \(done) done, \(failed) failed, \(notRun) not run. Study file: \(plan.file)."))</p>\n"
        let problems = plan.tasks.filter { records[$0.index]?.status != .done }
        if !problems.isEmpty {
            page += "<h2>Maps without results</h2>\n"
            page += RunReport.table(["map", "status", "reason"], textColumns: 3, rows: problems.map { t in
                [t.name, records[t.index]?.status.rawValue ?? "not run", records[t.index]?.error ?? "not run yet (run the study, or gather after its SLURM tasks end)"]
            })
        }
        page += "<h2>Table 1</h2>\n"
        let fields = table1Fields
        var rows = "<table>\n<tr><th class=\"text\">map</th><th>atoms</th>" + fields.map { "<th>\(escapeXML($0.unit.isEmpty ? $0.label : "\($0.label) (\($0.unit))"))</th>" }.joined() + "<th>δ_CN (Å)</th><th>δ_GCN (Å)</th><th class=\"text\">flags</th></tr>\n"
        for task in plan.tasks {
            guard let r = records[task.index], r.status == .done else { continue }
            let link = "../\(task.group)/\(task.role.name)/report.html"
            let name = task.isModel ? escapeXML(task.name) : "<a href=\"\(escapeXML(link))\">\(escapeXML(task.name))</a>"
            rows += "<tr><td class=\"text\">\(name)</td><td>\(r.atoms ?? 0)</td>"
            for f in fields {
                let v = r.table1.first { $0.key == f.key }
                rows += "<td>\(v.map { $0.value.isFinite ? String(format: "%.\($0.digits)f", $0.value) : "–" } ?? "")</td>"
            }
            rows += "<td>\(r.deltaCN.map { String(format: "%.2f", $0) } ?? "–")</td><td>\(r.deltaGCN.map { String(format: "%.2f", $0) } ?? "–")</td>"
            rows += "<td class=\"text\">\(escapeXML(r.flags.map(\.code).joined(separator: ", ")))</td></tr>\n"
        }
        page += rows + "</table>\n"
        if !comparisons.isEmpty {
            page += "<h2>part1 against part2</h2>\n<p>Atoms closer than 0.8 × the atomic diameter are common; of the rest, pairs within the bulk CN radius are displaced (both by optimal assignment).</p>\n"
            page += RunReport.table(["particle", "part1", "part2", "common", "displaced", "lost", "gained"], textColumns: 0, rows: comparisons.map { (n, c) in
                [n, String(c.firstCount), String(c.secondCount), String(format: "%d (%.1f %%)", c.common.count, c.commonPercent),
                 String(format: "%d (%.1f %%)", c.displaced.count, c.displacedPercent), String(format: "%d (%.1f %%)", c.lost.count, c.lostPercent),
                 String(format: "%d (%.1f %%)", c.gained.count, c.gainedPercent)]
            })
        }
        for (name, t) in series {
            page += "<h2>Series \(escapeXML(name))</h2>\n<p>Each stage registered rigidly onto the one before; atoms paired by optimal assignment within the common distance.</p>\n"
            page += RunReport.table(["stage", "atoms", "kept", "displaced", "lost", "gained", "registration RMSD (Å)", "rotation (°)", "doubt"], textColumns: 1,
                                    rows: t.steps.map { s in
                [String(s.stage), String(s.comparison.secondCount), String(s.comparison.common.count), String(s.comparison.displaced.count),
                 String(s.comparison.lost.count), String(s.comparison.gained.count), String(format: "%.3f", s.registrationRMSD),
                 String(format: "%.2f", s.transform.angleDegrees), s.doubt ?? ""]
            })
        }
        if !figures.isEmpty {
            page += "<h2>Figures</h2>\n<div class=\"figures\">\n"
            for f in figures {
                page += "<figure id=\"\(f.name)\">\(f.canvas.inlineElement(idPrefix: f.name + "-"))<figcaption>\(escapeXML(f.caption))</figcaption></figure>\n"
            }
            page += "</div>\n"
        }
        return page + "<p>Tables: table1.csv, comparisons.csv, cn_bins.csv, series_steps.csv, series_tracks.csv; all of it in study.json.</p>\n</body>\n</html>\n"
    }
}
