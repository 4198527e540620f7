import Dispatch
import Foundation

/// One finished task, as the scheduler reports it.
public struct StudyProgress: Sendable {
    /// Tasks finished so far (skipped ones included) and in all.
    public let finished: Int, total: Int
    /// The task and what it did.
    public let task: StudyTask
    /// See `task`.
    public let record: StudyTaskRecord
    /// Whether it was skipped: done before with the same input and options.
    public let skipped: Bool
}

/// Runs a study's tasks on this machine: several maps at once across the cores, each task
/// skipped when its folder already holds a run of the same input with the same options, and a
/// failure recorded without stopping the rest.
public enum StudyRunner {
    /// The file that marks a folder as a study's: a study writes only into a folder that is
    /// new, empty or marked so.
    public static let markerFile = ".nanoatoms-study"

    /// Makes `folder` ready for the study: created when new, refused when it holds anything but
    /// an earlier run of a study. The groups' folders are made here, before tasks run at once.
    public static func prepare(_ plan: StudyPlan, in folder: String) throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        let marker = (folder as NSString).appendingPathComponent(markerFile)
        if fm.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw EngineError("is a file, not a folder: give a folder for the study", file: folder) }
            let entries = try fm.contentsOfDirectory(atPath: folder)
            if !entries.isEmpty && !fm.fileExists(atPath: marker) {
                throw EngineError("holds other files: a study writes into a folder of its own (new, empty or an earlier run of a study)", file: folder)
            }
        } else {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            catch { throw EngineError("cannot make the folder (\(error.localizedDescription))", file: folder) }
        }
        if !fm.fileExists(atPath: marker) {
            try writeAtomically("nanoatoms study of \(plan.file)\n", to: marker)
        }
        for group in Set(plan.tasks.map(\.group)) {
            let path = (folder as NSString).appendingPathComponent(group)
            do { try fm.createDirectory(atPath: path, withIntermediateDirectories: true) }
            catch { throw EngineError("cannot make the folder (\(error.localizedDescription))", file: path) }
        }
    }

    /// Runs `tasks` (default: all) of `plan` in `folder` (``prepare(_:in:)`` first) with at most
    /// `jobs` maps at once and `cores` threads among them; `force` runs even those done before.
    /// `progress` hears of each task as it finishes, one at a time. Returns each task's record,
    /// in task order.
    public static func run(_ plan: StudyPlan, in folder: String, tasks selected: [Int]? = nil, jobs: Int? = nil,
                           cores: Int = Parallel.availableCores, force: Bool = false, cancellation: Cancellation? = nil,
                           progress: @escaping @Sendable (StudyProgress) -> Void = { _ in }) throws(Interrupted) -> [StudyTaskRecord] {
        let chosen = (selected ?? Array(plan.tasks.indices)).map { plan.tasks[$0] }
        let state = SchedulerState(count: chosen.count)
        // Done before: reported first, and not scheduled.
        var pending: [Int] = []
        for (k, task) in chosen.enumerated() {
            if !force, let record = task.isDone(in: folder) {
                state.finish(k, record) { n in progress(StudyProgress(finished: n, total: chosen.count, task: task, record: record, skipped: true)) }
            } else {
                pending.append(k)
            }
        }
        guard !pending.isEmpty else { return state.records.map { $0! } }
        let queue = pending
        let workers = max(1, min(jobs ?? cores, pending.count, cores))
        let threads = max(1, cores / workers)
        let next = AtomicCounter()
        let interrupted = UncheckedSendable(Cancellation())
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while !interrupted.value.isRequested {
                let n = next.next()
                if n >= queue.count { break }
                let k = queue[n], task = chosen[k]
                do {
                    let record = try task.run(in: folder, threads: threads, cancellation: cancellation)
                    state.finish(k, record) { f in progress(StudyProgress(finished: f, total: chosen.count, task: task, record: record, skipped: false)) }
                } catch {
                    interrupted.value.request()
                }
            }
        }
        if interrupted.value.isRequested { throw Interrupted() }
        return state.records.map { $0! }
    }

    /// The records gathered by the workers, and the progress count, under one lock.
    final class SchedulerState: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var records: [StudyTaskRecord?]
        private var finished = 0
        init(count: Int) { records = Array(repeating: nil, count: count) }
        /// Stores a record and reports it, one report at a time.
        func finish(_ k: Int, _ record: StudyTaskRecord, report: (Int) -> Void) {
            lock.lock(); defer { lock.unlock() }
            records[k] = record
            finished += 1
            report(finished)
        }
    }
}
