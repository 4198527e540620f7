import Dispatch
import Foundation

/// What one task of a study did, as its folder's `task.json` holds it: enough to skip the task
/// when it is asked again with the same input and options, and for the study's tables.
public struct StudyTaskRecord: Codable, Sendable, Equatable {
    /// How a task ended.
    public enum Status: String, Codable, Sendable {
        /// Its files are written.
        case done
        /// It failed; `error` says why. Run again next time.
        case failed
    }
    /// One field of the paper's Table 1.
    public struct Field: Codable, Sendable, Equatable {
        /// Key, label, unit and value (NaN when it could not be computed).
        public var key: String, label: String, unit: String, value: Double, digits: Int
    }
    /// A quality flag.
    public struct Flag: Codable, Sendable, Equatable {
        /// Its code and one-line reason.
        public var code: String, reason: String
    }

    /// `group/role`.
    public var task: String
    /// The input's path.
    public var input: String
    /// ``fileChecksum(_:)`` of the input when it was run.
    public var checksum: String
    /// ``StudyMapOptions/fingerprint`` when it was run.
    public var options: String
    /// How it ended.
    public var status: Status
    /// Why it failed.
    public var error: String? = nil
    /// Wall time of the task, s.
    public var seconds: Double = 0
    /// The element.
    public var element: String
    /// Atoms in the model.
    public var atoms: Int? = nil
    /// The Table 1 row.
    public var table1: [Field] = []
    /// δ_CN and δ_GCN (Å) with their bootstrap 95 % intervals.
    public var deltaCN: Double? = nil, deltaCNInterval: [Double]? = nil
    /// See `deltaCN`.
    public var deltaGCN: Double? = nil, deltaGCNInterval: [Double]? = nil
    /// The run's quality flags.
    public var flags: [Flag] = []

    /// The file name in each task's folder.
    public static let fileName = "task.json"

    /// The record as JSON text; NaN and infinities as the strings "nan", "inf" and "-inf".
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Encoding plain fields cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [10]
    }

    /// The record in `folder`, or nil when there is none or it cannot be read (the task then
    /// runs again). Read without being recorded as an input: the task may write it again.
    public static func read(folder: String) -> StudyTaskRecord? {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let bytes = FileManager.default.contents(atPath: path), bytes.count <= 1 << 20 else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(StudyTaskRecord.self, from: bytes)
    }
}

extension StudyTask {
    /// The files a task's folder may hold: a run's, and `task.json`.
    public static let folderFiles: Set<String> = RunOutputs.fileNames.union([StudyTaskRecord.fileName])

    /// The task's folder in the study folder `study`.
    public func folder(in study: String) -> String { ((study as NSString).appendingPathComponent(group) as NSString).appendingPathComponent(role.name) }

    /// Whether the task's folder in `study` holds a finished run of this input with these
    /// options: then it need not run again. `checksum` is the input's, when already known.
    public func isDone(in study: String, checksum: String? = nil) -> StudyTaskRecord? {
        let folder = folder(in: study)
        guard let record = StudyTaskRecord.read(folder: folder), record.status == .done,
              record.options == options.fingerprint,
              FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("atoms.csv")),
              let sum = checksum ?? (try? fileChecksum(input)), sum == record.checksum else { return nil }
        return record
    }

    /// Runs the task and writes its folder in `study` as one unit: the run's files and its
    /// `task.json`, or for a failure `task.json` alone with the reason (one task's failure is
    /// the study's record, not its end). Only an interruption is thrown.
    public func run(in study: String, threads: Int, cancellation: Cancellation? = nil) throws(Interrupted) -> StudyTaskRecord {
        let start = DispatchTime.now().uptimeNanoseconds
        let folder = folder(in: study)
        let element = (options.element ?? StudyPlan.defaultElement).symbol
        var record = StudyTaskRecord(task: name, input: input, checksum: "", options: options.fingerprint, status: .failed, element: element)
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        do {
            try checkRunFolder(folder, allowed: StudyTask.folderFiles)
            record.checksum = try fileChecksum(input)
            let statistics: ParticleStatistics
            let flags: [QualityFlag]
            let write: (StudyTaskRecord) throws -> Void
            if isModel {
                var atoms = try ModelFile.read(path: input, element: options.element)
                if let e = options.element { atoms.element = e }
                record.element = atoms.element.symbol
                var so = StatisticsOptions()
                so.threads = threads
                statistics = try computeStatistics(atoms: atoms, map: nil, options: so, cancellation: cancellation)
                flags = statistics.flags
                write = { r in
                    try writeRunFolder(folder, files: [("atoms.csv", Array(CSVFormat.text(statistics.atoms).utf8)),
                                                       (StudyTaskRecord.fileName, r.encoded())], allowed: StudyTask.folderFiles)
                }
            } else {
                let map = try MRCFormat.read(path: input, voxelSize: options.voxelSize)
                let run = try ParticleRun(map: map, options: options.buildingOptions(threads: threads), cancellation: cancellation)
                statistics = run.statistics
                flags = run.flags
                let mapName = PathComponents.last(of: input)
                let bytes = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
                let provenance = Provenance(inputs: [.init(role: "map", path: input, bytes: bytes, checksum: record.checksum)])
                write = { r in try run.write(to: folder, mapName: mapName, provenance: provenance, extraFiles: [(StudyTaskRecord.fileName, r.encoded())],
                                             allowed: StudyTask.folderFiles) }
            }
            record.status = .done
            record.atoms = statistics.atoms.count
            record.table1 = statistics.table1.map { .init(key: $0.key, label: $0.label, unit: $0.unit, value: $0.value, digits: $0.digits) }
            record.deltaCN = statistics.depthFitCN?.delta
            record.deltaCNInterval = statistics.depthFitCN?.interval.map { [$0.lowerBound, $0.upperBound] }
            record.deltaGCN = statistics.depthFitGCN?.delta
            record.deltaGCNInterval = statistics.depthFitGCN?.interval.map { [$0.lowerBound, $0.upperBound] }
            record.flags = flags.map { .init(code: $0.code.rawValue, reason: $0.reason) }
            record.seconds = seconds()
            try write(record)
        } catch let e as Interrupted {
            throw e
        } catch {
            record = StudyTaskRecord(task: name, input: input, checksum: record.checksum, options: options.fingerprint, status: .failed,
                                     element: element)
            record.error = (error as? EngineError)?.description ?? "\(error)"
            record.seconds = seconds()
            // The record of a failure is written where it can be; the caller keeps it either way.
            try? writeRunFolder(folder, files: [(StudyTaskRecord.fileName, record.encoded())], allowed: StudyTask.folderFiles)
        }
        return record
    }
}
