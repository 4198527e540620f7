import Foundation

/// How every map of a study is built: the options of `nanoatoms run` that a study file sets,
/// at its top for all maps and under a particle or series for its own.
public struct StudyMapOptions: Sendable, Equatable {
    /// The particle's element.
    public var element: Element? = nil
    /// Refine each model against its map (on by default; the paper's method never refines).
    public var refine = true
    /// Also refine each atom's anisotropic displacement (off by default; only when refining).
    public var anisotropic = false
    /// The paper's method as published (`--paper`).
    public var paper = false
    /// A mask sphere of this diameter (Å); nil for the automatic mask.
    public var maskDiameter: Double? = nil
    /// No mask at all.
    public var noMask = false
    /// The outlier rule; nil for the default.
    public var outlierRule: OutlierRule? = nil
    /// The CN rule: nil for the default, `.some(nil)` for off.
    public var minimumCoordination: Int?? = nil
    /// A fixed threshold instead of the search.
    public var threshold: Double? = nil
    /// The voxel size, for maps whose header has none.
    public var voxelSize: Double? = nil

    /// The defaults of `nanoatoms run`.
    public init() {}

    /// The engine's options for a map with this element, using `threads` threads.
    public func buildingOptions(threads: Int) -> ModelBuildingOptions {
        var o = ModelBuildingOptions(element: element ?? StudyPlan.defaultElement)
        if let d = maskDiameter { o.mask = .diameter(d) }
        if noMask { o.mask = .none }
        if paper {
            o.outlierRule = .paper
            o.recoverWeakAtoms = false
            o.removeDetached = false
        }
        if let r = outlierRule { o.outlierRule = r }
        if let c = minimumCoordination { o.minimumCoordination = c }
        o.threshold = threshold
        o.refine = refine && !paper
        o.anisotropic = anisotropic && o.refine
        o.threads = threads
        return o
    }

    /// Every choice that changes a result, in one line: a task done with other choices is run
    /// again. Threads are left out (they change no number).
    public var fingerprint: String {
        func number(_ x: Double?) -> String { x.map { String($0) } ?? "auto" }
        let cn = minimumCoordination.map { $0.map(String.init) ?? "off" } ?? "default"
        return "element=\((element ?? StudyPlan.defaultElement).symbol) refine=\(refine)\(anisotropic ? " anisotropic=true" : "") paper=\(paper) " +
            "mask=\(noMask ? "none" : maskDiameter.map { "diameter \($0)" } ?? "automatic") " +
            "outlier_rule=\(outlierRule?.rawValue ?? "default") cn_min=\(cn) threshold=\(number(threshold)) apix=\(voxelSize.map { String($0) } ?? "header")"
    }
}

/// What a map is to its particle: the merged map, a half, or a stage of a series.
public enum StudyRole: Sendable, Equatable, Hashable {
    /// The map of all the particle's frames.
    case merged
    /// The first half of the frames.
    case part1
    /// The second half.
    case part2
    /// Stage `n` (1-based) of a time series.
    case stage(Int)

    /// Its name, which is also its folder's: `merged`, `part1`, `part2`, `stage3`.
    public var name: String {
        switch self {
        case .merged: "merged"
        case .part1: "part1"
        case .part2: "part2"
        case .stage(let n): "stage\(n)"
        }
    }
}

/// One map (or model) of a study, run on its own: by the local scheduler, or as one task of a
/// SLURM job array.
public struct StudyTask: Sendable, Equatable {
    /// Its place in the study (0-based): the SLURM array index.
    public let index: Int
    /// The particle's or series' name.
    public let group: String
    /// What the map is to it.
    public let role: StudyRole
    /// The input's path, absolute.
    public let input: String
    /// Whether the input is a model (.pdb, .cif, .csv, .xyz), whose statistics are computed
    /// without a map.
    public let isModel: Bool
    /// How it is built.
    public let options: StudyMapOptions

    /// `group/role`: its name in progress lines and its folder under the study's.
    public var name: String { "\(group)/\(role.name)" }
}

/// A particle of a study: its merged map and halves, any of which may be missing.
public struct StudyParticle: Sendable, Equatable {
    /// Its name (a folder name).
    public let name: String
    /// The index of each of its tasks by role.
    public let tasks: [StudyRole: Int]
}

/// A time series of one particle: its stages in order.
public struct StudySeries: Sendable, Equatable {
    /// Its name (a folder name).
    public let name: String
    /// The index of the task of each stage, in order.
    public let stages: [Int]
}

/// A study read from its file: particles, series, and one task per map.
public struct StudyPlan: Sendable {
    /// The study file's path, absolute.
    public let file: String
    /// Its title.
    public let title: String
    /// Its particles, in file order.
    public let particles: [StudyParticle]
    /// Its series, in file order.
    public let series: [StudySeries]
    /// Every map to run, particles' first.
    public let tasks: [StudyTask]

    /// Pt, as for `nanoatoms run` when the file names no element.
    public static let defaultElement = Element.named("Pt")!
    /// The most maps a study runs: past this, a study file is more likely wrong than large.
    public static let maximumTasks = 10_000

    /// The keys that set options, allowed at the top and in every particle and series.
    static let optionKeys = ["element", "refine", "anisotropic", "paper", "mask_diameter", "no_mask", "outlier_rule", "cn_min", "threshold", "apix"]
    /// The keys of each table.
    static let keys: [String: [String]] = [
        "": ["title"] + optionKeys,
        "particle": ["name", "merged", "part1", "part2"] + optionKeys,
        "series": ["name", "stages"] + optionKeys,
    ]

    /// Reads the study file at `path`. Relative paths in it are relative to its folder.
    public static func read(path: String) throws -> StudyPlan {
        let text = try readInputText(path, limit: StudyFile.maximumBytes)
        return try parse(text, file: absolutePath(path), name: path)
    }

    /// The plan in `text`, whose file is at `file` (absolute); errors name it `name`.
    public static func parse(_ text: String, file: String, name: String) throws -> StudyPlan {
        let tables = try StudyFile.parse(text, name: name)
        let folder = PathComponents.folder(of: file)
        func fail(_ entry: StudyFileEntry?, _ line: Int, _ message: String) -> EngineError {
            EngineError("\(entry?.line ?? line):\(entry?.column ?? 1): \(message)", file: name)
        }
        var top = StudyMapOptions()
        var title = (PathComponents.last(of: file) as NSString).deletingPathExtension
        var particles: [StudyParticle] = [], series: [StudySeries] = [], tasks: [StudyTask] = []
        var names: [String: Int] = [:]
        for table in tables {
            guard let allowed = keys[table.header] else {
                throw fail(nil, table.line, "[[\(table.header)]] is not a part of a study (allowed: [[particle]], [[series]])")
            }
            for e in table.entries where !allowed.contains(e.key) {
                let hint = allowed.first { $0.hasPrefix(e.key) || e.key.hasPrefix($0) }.map { " (did you mean '\($0)'?)" } ?? ""
                let place = table.header.isEmpty ? "at the top of a study" : "in [[\(table.header)]]"
                throw fail(e, table.line, "'\(e.key)' is not a key \(place)\(hint); allowed: \(allowed.joined(separator: ", "))")
            }
            var options = table.header.isEmpty ? StudyMapOptions() : top
            for e in table.entries where optionKeys.contains(e.key) { try apply(e, to: &options, fail: { fail(e, 0, $0) }) }
            if table.header.isEmpty {
                top = options
                if let t = table.entries.first(where: { $0.key == "title" }) {
                    guard case .string(let s) = t.value else { throw fail(t, 0, "title takes a string, not \(t.value.kind)") }
                    title = s
                }
                continue
            }
            // A particle or series: its name, then its maps.
            guard let n = table.entries.first(where: { $0.key == "name" }) else {
                throw fail(nil, table.line, "this [[\(table.header)]] needs a name (name = \"NP1\")")
            }
            guard case .string(let groupName) = n.value else { throw fail(n, 0, "name takes a string, not \(n.value.kind)") }
            try checkName(groupName, fail: { fail(n, 0, $0) })
            if let line = names[groupName] { throw fail(n, 0, "the name '\(groupName)' is used twice (first on line \(line)): each particle and series has its own folder") }
            names[groupName] = n.line
            func path(_ e: StudyFileEntry, _ v: StudyFileValue) throws -> String {
                guard case .string(let p) = v, !p.isEmpty else { throw fail(e, 0, "\(e.key) takes a file name in quotes, not \(v.kind)") }
                let expanded = (p as NSString).expandingTildeInPath
                return expanded.hasPrefix("/") ? expanded : (folder as NSString).appendingPathComponent(expanded)
            }
            func addTask(_ role: StudyRole, _ input: String) throws -> Int {
                guard tasks.count < maximumTasks else { throw fail(n, 0, "a study runs at most \(maximumTasks) maps") }
                tasks.append(StudyTask(index: tasks.count, group: groupName, role: role, input: standardized(input),
                                       isModel: ModelFile.isModel(input), options: options))
                return tasks.count - 1
            }
            if table.header == "particle" {
                var roles: [StudyRole: Int] = [:]
                for (key, role) in [("merged", StudyRole.merged), ("part1", .part1), ("part2", .part2)] {
                    guard let e = table.entries.first(where: { $0.key == key }) else { continue }
                    let p = try path(e, e.value)
                    guard !ModelFile.isModel(p) else { throw fail(e, 0, "\(key) is a map (.mrc); models from other tools go in a [[series]] or 'nanoatoms stats'") }
                    roles[role] = try addTask(role, p)
                }
                guard !roles.isEmpty else { throw fail(n, 0, "particle '\(groupName)' names no map: give merged, part1 or part2") }
                particles.append(StudyParticle(name: groupName, tasks: roles))
            } else {
                guard let e = table.entries.first(where: { $0.key == "stages" }) else {
                    throw fail(n, 0, "series '\(groupName)' needs its stages (stages = [\"t1.mrc\", \"t2.mrc\"])")
                }
                guard case .array(let items) = e.value else { throw fail(e, 0, "stages takes a list of files, not \(e.value.kind)") }
                guard items.count >= 2 else { throw fail(e, 0, "a series needs at least two stages, not \(items.count)") }
                var stages: [Int] = []
                for (k, v) in items.enumerated() { stages.append(try addTask(.stage(k + 1), try path(e, v))) }
                series.append(StudySeries(name: groupName, stages: stages))
            }
        }
        guard !tasks.isEmpty else {
            throw EngineError("the study names no maps: add a [[particle]] (name, merged, part1, part2) or a [[series]] (name, stages)", file: name)
        }
        return StudyPlan(file: file, title: title, particles: particles, series: series, tasks: tasks)
    }

    /// Sets the option `e` names.
    static func apply(_ e: StudyFileEntry, to o: inout StudyMapOptions, fail: (String) -> EngineError) throws {
        func number(_ range: ClosedRange<Double>) throws -> Double {
            guard case .number(let x) = e.value else { throw fail("\(e.key) takes a number, not \(e.value.kind)") }
            guard range.contains(x) else {
                throw fail("\(e.key) takes a number from \(Limits.formatBound(range.lowerBound)) to \(Limits.formatBound(range.upperBound)), not \(x)")
            }
            return x
        }
        func flag() throws -> Bool {
            guard case .bool(let b) = e.value else { throw fail("\(e.key) takes true or false, not \(e.value.kind)") }
            return b
        }
        switch e.key {
        case "element":
            guard case .string(let s) = e.value, let el = Element.named(s) else {
                throw fail("element takes one of \(Element.all.map(\.symbol).joined(separator: ", ")) in quotes")
            }
            o.element = el
        case "refine": o.refine = try flag()
        case "anisotropic": o.anisotropic = try flag()
        case "paper": o.paper = try flag()
        case "no_mask": o.noMask = try flag()
        case "mask_diameter": o.maskDiameter = try number(Limits.maskDiameter)
        case "threshold": o.threshold = try number(-1e6...1e6)
        case "apix": o.voxelSize = try number(Limits.voxelSize)
        case "outlier_rule":
            guard case .string(let s) = e.value, let r = OutlierRule(rawValue: s) else {
                throw fail("outlier_rule takes one of \(OutlierRule.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
            o.outlierRule = r
        case "cn_min":
            if case .string("off") = e.value { o.minimumCoordination = .some(nil); return }
            let x = try number(0...12)
            guard x == x.rounded() else { throw fail("cn_min takes a whole number from 0 to 12, or \"off\"") }
            o.minimumCoordination = .some(Int(x))
        default: break
        }
        if o.noMask && o.maskDiameter != nil { throw fail("no_mask and mask_diameter exclude each other") }
    }

    /// A name is a folder name: letters, digits, `.`, `_` and `-`, not starting with `.`.
    static func checkName(_ name: String, fail: (String) -> EngineError) throws {
        let ok = !name.isEmpty && name.count <= 100 && !name.hasPrefix(".") && name != "results" && name != "slurm" &&
            name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        guard ok else {
            throw fail("'\(name)' cannot name a folder of the study: use letters, digits, . _ and - (not starting with ., and not 'results' or 'slurm')")
        }
    }

    /// `path` made absolute against the working folder.
    public static func absolutePath(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return standardized(expanded.hasPrefix("/") ? expanded : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(expanded))
    }

    /// `path` with `.` and `..` resolved by spelling (links are left for identity checks).
    static func standardized(_ path: String) -> String { (path as NSString).standardizingPath }
}
