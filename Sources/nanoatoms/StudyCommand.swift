import ArgumentParser
import Foundation
import NanoAtomsEngine

/// `nanoatoms study`: every map of a study file, in parallel here or as a SLURM job array,
/// then the study's tables, figures and report.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run every map of a study file (particles with merged/part1/part2 maps, series of stages) and assemble Table 1, the comparisons, Fig. 4 and 5 and a report.",
        discussion: """
            A study file (TOML):
              title = "Pt in liquid"        # optional
              element = "Pt"                # and any of: refine, paper, mask_diameter, no_mask, outlier_rule, cn_min, threshold, apix
              [[particle]]
              name = "NP1"
              merged = "np1.mrc"            # paths are relative to the study file
              part1 = "np1_part1.mrc"
              part2 = "np1_part2.mrc"
              [[series]]
              name = "growth"
              stages = ["t1.mrc", "t2.mrc", "t3.pdb"]   # maps or models
            Each map's run goes to OUT/NAME/ROLE/, the study's results to OUT/results/ (report.html,
            table1.csv, comparisons.csv, cn_bins.csv, series_*.csv, study.json, plots/). A map done
            before with the same input (checksum) and options is not run again; a failed map is
            recorded and the rest go on. The exit status is 1 when any map failed.
            """)

    @Argument(help: "The study file.") var file: String
    @Option(help: "The study's folder (new, empty or an earlier run of a study).") var out: String
    @Option(help: "Maps run at once (default: one per core).") var jobs: Int?
    @Option(help: "Threads in all (default: the cores); each map gets its share.") var threads: Int?
    @Flag(help: "Run every map again, even those done before.") var force = false
    @Option(help: ArgumentHelp("Run only task K (0-based, as a SLURM array task does) and write its folder.", valueName: "K")) var task: Int?
    @Flag(help: "Only assemble the results from the maps' folders (after SLURM tasks end).") var gather = false
    @Flag(help: "Submit the maps as a SLURM job array, and a gather job after it.") var slurm = false
    @Flag(name: .customLong("dry-run"), help: "With --slurm: print the scripts and the sbatch commands, submit nothing.") var dryRun = false
    @Option(help: "With --slurm: the partition.") var partition: String?
    @Option(help: ArgumentHelp("With --slurm: each task's time limit.", valueName: "HH:MM:SS")) var time: String?
    @Option(help: ArgumentHelp("With --slurm: each task's memory, e.g. 8G.", valueName: "SIZE")) var mem: String?
    @Option(name: .customLong("cpus-per-task"), help: "With --slurm: threads per map.") var cpusPerTask: Int?

    mutating func validate() throws {
        try check(jobs, "--jobs", within: Limits.threads)
        try check(threads, "--threads", within: Limits.threads)
        try check(cpusPerTask, "--cpus-per-task", within: Limits.threads)
        let modes = [task != nil, gather, slurm].filter { $0 }.count
        if modes > 1 { throw ValidationError("--task, --gather and --slurm exclude each other") }
        if dryRun && !slurm { throw ValidationError("--dry-run goes with --slurm") }
        if !slurm && (partition != nil || time != nil || mem != nil || cpusPerTask != nil) {
            throw ValidationError("--partition, --time, --mem and --cpus-per-task go with --slurm")
        }
        func word(_ v: String?, _ name: String, _ allowed: String, _ example: String) throws {
            guard let v else { return }
            guard !v.isEmpty, v.allSatisfy({ allowed.contains($0) || $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw ValidationError("\(name) takes letters, digits and \(allowed.map { String($0) }.joined(separator: " ")) only, e.g. \(example)")
            }
        }
        try word(partition, "--partition", "_-.,", "debug")
        try word(time, "--time", ":-", "01:00:00")
        try word(mem, "--mem", "", "8G")
    }

    func run() throws {
        var complete = true
        reporting(file) { complete = try runStudy() }
        // A failed map is the study's record, not a crash: the results are written, and the
        // status says that some maps have none.
        if !complete { throw ExitCode(1) }
    }

    /// Runs the mode asked for; whether every map it concerns is done.
    func runStudy() throws -> Bool {
        do {
            let plan = try StudyPlan.read(path: file)
            if let k = task {
                guard (0..<plan.tasks.count).contains(k) else {
                    throw EngineError("--task takes 0 to \(plan.tasks.count - 1) (the study has \(plan.tasks.count) maps), not \(k)")
                }
                try StudyRunner.prepare(plan, in: out)
                let t = plan.tasks[k]
                let records = try StudyRunner.run(plan, in: out, tasks: [k], jobs: 1, cores: threads ?? Parallel.availableCores, force: force)
                printRecord(t, records[0], skipped: false)
                return records[0].status == .done
            }
            if slurm { try submit(plan); return true }
            if !gather {
                try StudyRunner.prepare(plan, in: out)
                let bar = ProgressBar(total: plan.tasks.count)
                let cores = threads ?? Parallel.availableCores
                print("study \(plan.title): \(plan.tasks.count) tasks (maps and models), up to \(min(jobs ?? cores, cores)) at once")
                _ = try StudyRunner.run(plan, in: out, jobs: jobs, cores: cores, force: force) { p in bar.update(p) }
                bar.finish()
            } else {
                guard FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent(StudyRunner.markerFile)) else {
                    throw EngineError("is not a study's folder (run the study, or its SLURM tasks, first)", file: out)
                }
            }
            let results = try StudyResults.gather(plan, in: out)
            try results.write(in: out)
            summarize(results)
            return !results.records.contains { $0?.status != .done }
        }
    }

    /// One line per map: how it ended.
    func printRecord(_ t: StudyTask, _ r: StudyTaskRecord, skipped: Bool) {
        if r.status == .done {
            print("\(t.name): \(r.atoms ?? 0) atoms, \(String(format: "%.1f s", r.seconds))\(skipped ? " (done before)" : "")\(r.flags.isEmpty ? "" : ", flags: " + r.flags.map(\.code).joined(separator: " "))")
        } else {
            print("\(t.name): failed: \(r.error ?? "unknown")")
        }
    }

    /// What the study found, in a few lines.
    func summarize(_ r: StudyResults) {
        let done = r.records.filter { $0?.status == .done }.count
        print("maps: \(done) done, \(r.records.filter { $0?.status == .failed }.count) failed, \(r.records.filter { $0 == nil }.count) not run")
        for t in r.unfinished {
            print("  \(t.name): \(r.records[t.index]?.error.map { "failed: " + $0 } ?? "not run")")
        }
        for (name, c) in r.comparisons {
            print(String(format: "%@ part1→part2: common %d (%.1f %%), displaced %d, lost %d, gained %d", name, c.common.count, c.commonPercent,
                         c.displaced.count, c.lost.count, c.gained.count))
        }
        for (name, t) in r.series {
            print("series \(name): atoms " + t.positions.map { String($0.count) }.joined(separator: " → ") + "; " +
                  t.steps.map { "stage \($0.stage): kept \($0.comparison.common.count), displaced \($0.comparison.displaced.count), lost \($0.comparison.lost.count), gained \($0.comparison.gained.count)" }.joined(separator: "; "))
            for s in t.steps { if let d = s.doubt { print("  flag stage \(s.stage): \(d)") } }
        }
        print("wrote \((out as NSString).appendingPathComponent(StudyResults.folderName))/: report.html, table1.csv, comparisons.csv, cn_bins.csv, series_steps.csv, series_tracks.csv, study.json, plots/")
    }

    /// Writes the SLURM scripts and submits them (or, dry, prints them).
    func submit(_ plan: StudyPlan) throws {
        var resources = SlurmJob.Resources()
        resources.partition = partition
        resources.timeLimit = time
        resources.memory = mem
        resources.cpusPerTask = cpusPerTask ?? 1
        let job = SlurmJob(plan: plan, folder: out, executable: executablePath(), resources: resources)
        if dryRun {
            print("# \(job.arrayScript)\n\(job.arrayScriptText)")
            print("# \(job.gatherScript)\n\(job.gatherScriptText)")
            print("would run: sbatch --parsable \(job.arrayScript)")
            print("would run: sbatch --parsable --dependency=afterany:JOBID \(job.gatherScript)")
            return
        }
        try StudyRunner.prepare(plan, in: out)
        try job.writeScripts()
        let array = try sbatch([job.arrayScript])
        let gatherJob = try sbatch(["--dependency=afterany:\(array)", job.gatherScript])
        print("submitted job array \(array) (\(plan.tasks.count) maps) and gather job \(gatherJob); logs in \(job.slurmFolder)/")
        print("when they end, the results are in \((out as NSString).appendingPathComponent(StudyResults.folderName))/ (or run: nanoatoms study \(file) --out \(out) --gather)")
    }

    /// Runs sbatch --parsable with `arguments`; the job id it prints.
    func sbatch(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch", "--parsable"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw EngineError("cannot run sbatch (\(error.localizedDescription)): is SLURM installed here?") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EngineError("sbatch failed: \(problem.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "status \(process.terminationStatus)" : problem.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        // --parsable prints "id" or "id;cluster".
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw EngineError("sbatch printed no job id ('\(text)')") }
        return id
    }

    /// This executable's absolute path, for the tasks to run.
    func executablePath() -> String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return StudyPlan.absolutePath(CommandLine.arguments[0])
    }
}

/// A progress bar on standard error: redrawn in place on a terminal, one line per map otherwise.
final class ProgressBar: @unchecked Sendable {
    let total: Int
    let terminal = isatty(2) != 0
    let lock = NSLock()
    var failures: [String] = []
    init(total: Int) { self.total = total }

    /// Reports a finished map.
    func update(_ p: StudyProgress) {
        lock.lock(); defer { lock.unlock() }
        let width = 30, filled = width * p.finished / max(1, p.total)
        let state = p.skipped ? "done before" : p.record.status == .done ? String(format: "%d atoms, %.1f s", p.record.atoms ?? 0, p.record.seconds) : "FAILED"
        if p.record.status == .failed { failures.append("\(p.task.name): \(p.record.error ?? "")") }
        let line = "[\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] \(p.finished)/\(p.total) \(p.task.name): \(state)"
        FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + line + (terminal ? "" : "\n")).utf8))
    }

    /// Ends the bar's line and lists the failures.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        for f in failures { FileHandle.standardError.write(Data("failed: \(f)\n".utf8)) }
    }
}
