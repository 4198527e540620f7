import Foundation

/// The batch scripts that run a study on a SLURM cluster: a job array with one task per map,
/// each running `nanoatoms study FILE --out DIR --task $SLURM_ARRAY_TASK_ID`, and a gather job
/// that waits for the array (`afterany`, so a failed map does not hold back the rest).
public struct SlurmJob: Sendable {
    /// Choices passed to `#SBATCH` lines; nil leaves the cluster's default.
    public struct Resources: Sendable {
        /// `--partition`.
        public var partition: String? = nil
        /// `--time`, e.g. `01:00:00`.
        public var timeLimit: String? = nil
        /// `--cpus-per-task`: the threads each map uses.
        public var cpusPerTask = 1
        /// `--mem`, e.g. `8G`.
        public var memory: String? = nil
        /// Defaults.
        public init() {}
    }

    /// The study's plan.
    public let plan: StudyPlan
    /// The study folder, absolute.
    public let folder: String
    /// The nanoatoms executable the tasks run, absolute.
    public let executable: String
    /// What each task asks for.
    public let resources: Resources

    /// A job for `plan` in `folder`, whose tasks run `executable`.
    public init(plan: StudyPlan, folder: String, executable: String, resources: Resources) {
        self.plan = plan
        self.folder = StudyPlan.absolutePath(folder)
        self.executable = executable
        self.resources = resources
    }

    /// The folder the scripts and the tasks' logs go in.
    public var slurmFolder: String { (folder as NSString).appendingPathComponent("slurm") }
    /// The array script's path.
    public var arrayScript: String { (slurmFolder as NSString).appendingPathComponent("study.sbatch") }
    /// The gather script's path.
    public var gatherScript: String { (slurmFolder as NSString).appendingPathComponent("gather.sbatch") }

    /// `text` quoted for a POSIX shell.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The `#SBATCH` lines both scripts share.
    func header(name: String, output: String) -> String {
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(name)", "#SBATCH --output=\(output)"]
        if let p = resources.partition { lines.append("#SBATCH --partition=\(p)") }
        if let t = resources.timeLimit { lines.append("#SBATCH --time=\(t)") }
        if let m = resources.memory { lines.append("#SBATCH --mem=\(m)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The job-array script: one task per map (`--array=0-N-1`).
    public var arrayScriptText: String {
        header(name: "nanoatoms-study", output: (slurmFolder as NSString).appendingPathComponent("task-%a.log")) +
            "#SBATCH --array=0-\(plan.tasks.count - 1)\n#SBATCH --cpus-per-task=\(resources.cpusPerTask)\n" +
            "# One map of the study \(plan.title) per array task; the task's folder says how it ended.\n" +
            "exec \(SlurmJob.quoted(executable)) study \(SlurmJob.quoted(plan.file)) --out \(SlurmJob.quoted(folder)) " +
            "--task \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-\(resources.cpusPerTask)}\"\n"
    }

    /// The gather script, to run after the array.
    public var gatherScriptText: String {
        header(name: "nanoatoms-gather", output: (slurmFolder as NSString).appendingPathComponent("gather.log")) +
            "#SBATCH --cpus-per-task=1\n" +
            "# Assembles the study's results once every array task has ended.\n" +
            "exec \(SlurmJob.quoted(executable)) study \(SlurmJob.quoted(plan.file)) --out \(SlurmJob.quoted(folder)) --gather\n"
    }

    /// Writes both scripts into the study's `slurm/` folder.
    public func writeScripts() throws {
        try writeAtomically(files: [(arrayScript, Array(arrayScriptText.utf8)), (gatherScript, Array(gatherScriptText.utf8))])
    }
}
