import Foundation

/// What made a result: the program's version, its command line (and, from the language, the
/// statements that led to it), every choice that changes a number, and each input file with
/// its size and SHA-256. `summary.json` and `report.html` carry it, so any figure can be traced
/// back to what made it, and any input checked with `sha256sum`.
public struct Provenance: Sendable {
    /// The version `nanoatoms --version` prints and every result records.
    public static let version = "0.10.0"

    /// One input file.
    public struct Input: Sendable, Equatable {
        /// What the file was to the run: `map`, `part1`, `part2`, `model`, `script`.
        public var role: String
        /// Its absolute path when it was read.
        public var path: String
        /// Its size, bytes.
        public var bytes: Int
        /// ``fileChecksum(_:)``: `sha256:HEX`.
        public var checksum: String

        /// Reads the file at `path` to checksum it.
        public init(role: String, path: String) throws {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            self.role = role
            self.path = (absolute as NSString).standardizingPath
            self.checksum = try fileChecksum(path)
            self.bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }

        /// An input whose checksum is already known.
        public init(role: String, path: String, bytes: Int, checksum: String) {
            self.role = role; self.path = path; self.bytes = bytes; self.checksum = checksum
        }
    }

    /// The process's arguments, the program first.
    public var commandLine: [String]
    /// The language statements that made the result, in order (empty for a one-shot command).
    public var statements: [String]
    /// The input files.
    public var inputs: [Input]

    /// The provenance of this process: its command line, with `inputs` and `statements`.
    public init(inputs: [Input] = [], statements: [String] = [], commandLine: [String] = ProcessInfo.processInfo.arguments) {
        self.commandLine = commandLine
        self.statements = statements
        self.inputs = inputs
    }

    /// Every model-building choice that changes a result, by the name `summary.json` gives it.
    public static func optionFields(_ o: ModelBuildingOptions) -> [(String, String)] {
        func number(_ x: Double?) -> String { x.map { NumberFormatting.significant($0, 6) } ?? "auto" }
        let mask: String
        switch o.mask {
        case .automatic: mask = "automatic"
        case .diameter(let d): mask = "diameter \(NumberFormatting.significant(d, 6)) Å"
        case .none: mask = "none"
        }
        return [("element", o.element.symbol), ("mask", mask), ("atom_b_factor", number(o.atomBFactor)),
                ("r_th", NumberFormatting.significant(o.atomRadius, 6)), ("coarse_steps", String(o.coarseSteps)),
                ("fine_steps", String(o.fineSteps)), ("split", String(o.split)), ("recover_weak_atoms", String(o.recoverWeakAtoms)),
                ("outlier_rule", o.outlierRule.rawValue), ("minimum_cn", o.minimumCoordination.map(String.init) ?? "off"),
                ("remove_detached", String(o.removeDetached)), ("refine", String(o.refine)),
                ("threshold", o.threshold.flatMap { $0.isFinite ? $0 : nil }.map { NumberFormatting.significant($0, 6) } ?? "search"),
                ("threads", String(o.threads))]
    }

    /// The provenance as `summary.json` holds it, with the options `options`.
    package func json(options: ModelBuildingOptions?) -> JSONValue {
        .object([
            ("program", .string("nanoatoms")),
            ("version", .string(Provenance.version)),
            ("command_line", .array(commandLine.map { .string($0) })),
            ("statements", .array(statements.map { .string($0) })),
            ("options", options.map { o in .object(Provenance.optionFields(o).map { ($0.0, .string($0.1)) }) } ?? .null),
            ("inputs", .array(inputs.map { i in
                .object([("role", .string(i.role)), ("path", .string(i.path)), ("bytes", .number(Double(i.bytes))),
                         ("checksum", .string(i.checksum))])
            })),
        ])
    }

    /// The provenance as a section of `report.html`.
    package func html(options: ModelBuildingOptions?) -> String {
        var page = "<h2 id=\"provenance\">Provenance</h2>\n<p>" + escapeXML("nanoatoms \(Provenance.version); command: " +
            commandLine.map(Provenance.shellQuoted).joined(separator: " ")) + "</p>\n"
        if !statements.isEmpty {
            page += "<pre>" + escapeXML(statements.joined(separator: "\n")) + "</pre>\n"
        }
        if let options {
            page += RunReport.table(["option", "value"], textColumns: 2, rows: Provenance.optionFields(options).map { [$0.0, $0.1] })
        }
        if !inputs.isEmpty {
            page += RunReport.table(["input", "path", "bytes", "SHA-256"], textColumns: 4,
                                    rows: inputs.map { [$0.role, $0.path, String($0.bytes), String($0.checksum.dropFirst("sha256:".count))] })
        }
        return page
    }

    /// `word` as a POSIX shell reads it back (quoted only when it must be).
    static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
