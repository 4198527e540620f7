import Foundation
import Testing
@testable import NanoAtomsEngine

@Suite("A study runs every map once, in parallel, and assembles its results from the maps' folders")
struct StudyRunTests {
    let pt = TestSupport.platinum

    /// A simulated particle's map written to `path`, from `model` when given; its true atoms.
    @discardableResult
    func writeMap(_ path: String, seed: UInt64, model: [Vector3]? = nil, box: Int? = nil) throws -> [Vector3] {
        var s = ParticleSpec(element: pt)
        s.atomCount = 147
        s.snr = 12
        s.seed = seed
        s.model = model
        s.box = box
        let p = TestParticle.make(s, threads: 1)
        try MRCFormat.write(p.map, to: path)
        return p.positions
    }

    /// A CSV model of `positions`.
    func writeModel(_ path: String, _ positions: [Vector3]) throws {
        try writeAtomically(CSVFormat.text(AtomSet(element: pt, positions: positions)), to: path)
    }

    /// The 12 atoms farthest from the centre, and the rest.
    func withoutOutermost(_ p: [Vector3], _ n: Int) -> [Vector3] {
        let c = p.reduce(.zero, +) / Double(p.count)
        return Array(p.sorted { ($0 - c).length < ($1 - c).length }.dropLast(n))
    }

    @Test("part1/part2 with 12 atoms lost, a failure recorded beside the rest, done maps skipped, changed ones run again")
    func study() throws {
        let folder = TestSupport.temporaryFolder()
        let truth1 = try writeMap(folder + "/np1.mrc", seed: 1)
        // part2: the same particle with its 12 outermost atoms gone, on the same grid.
        let box = try MRCFormat.read(path: folder + "/np1.mrc").nx
        try writeMap(folder + "/np1_part2.mrc", seed: 1, model: withoutOutermost(truth1, 12), box: box)
        try writeMap(folder + "/np2.mrc", seed: 2)
        let text = """
            element = "Pt"
            [[particle]]
            name = "NP1"
            merged = "np1.mrc"
            part1 = "np1.mrc"
            part2 = "np1_part2.mrc"
            [[particle]]
            name = "NP2"
            merged = "np2.mrc"
            part1 = "missing.mrc"
            """
        try writeAtomically(text, to: folder + "/study.toml")
        let plan = try StudyPlan.read(path: folder + "/study.toml")
        let out = folder + "/out"
        try StudyRunner.prepare(plan, in: out)
        let heard = Counter()
        let first = try StudyRunner.run(plan, in: out, jobs: 2, cores: 2) { p in heard.add(p.skipped) }
        #expect(heard.count == 5 && heard.skipped == 0)
        #expect(first.map(\.status) == [.done, .done, .done, .done, .failed])
        #expect(first[4].error?.contains("missing.mrc") == true)
        // The found atoms match the truth, so the comparison's counts are the truth's.
        let results = try StudyResults.gather(plan, in: out)
        let c = try #require(results.comparisons.first { $0.particle == "NP1" }?.comparison)
        #expect(c.firstCount == 147 && c.secondCount == 135)
        #expect(c.lost.count == 12 && c.gained.isEmpty && c.displaced.isEmpty && c.common.count == 135)
        #expect(results.binnedParticles == ["NP1", "NP2"])
        let pooled = try #require(results.coordinationBins.first { $0.statistic == "uiso" }?.bins)
        #expect(pooled.map(\.count).reduce(0, +) > 250)
        try results.write(in: out)
        let table = try String(contentsOfFile: out + "/results/table1.csv", encoding: .utf8).split(separator: "\n")
        #expect(table.count == 1 + 5)
        #expect(table[5].hasPrefix("NP2,part1,failed,"))
        let comparisons = try String(contentsOfFile: out + "/results/comparisons.csv", encoding: .utf8)
        #expect(comparisons.contains("NP1,147,135,135,"))
        let report = try String(contentsOfFile: out + "/results/report.html", encoding: .utf8)
        #expect(report.contains("href=\"../NP1/merged/report.html\"") && report.contains("missing.mrc"))
        #expect(FileManager.default.fileExists(atPath: out + "/results/plots/delta_cn_by_particle.svg"))

        // Again: nothing done is run again; the failure is tried again.
        let modified = try FileManager.default.attributesOfItem(atPath: out + "/NP1/merged/atoms.csv")[.modificationDate] as? Date
        heard.reset()
        let second = try StudyRunner.run(plan, in: out, jobs: 2, cores: 2) { p in heard.add(p.skipped) }
        #expect(heard.skipped == 4 && second.map(\.status) == first.map(\.status))
        #expect(try FileManager.default.attributesOfItem(atPath: out + "/NP1/merged/atoms.csv")[.modificationDate] as? Date == modified)
        // A changed input runs again; the others stay done.
        // (As another program would: a new file in its place. This process never overwrites its inputs.)
        try writeMap(folder + "/np2-new.mrc", seed: 3)
        #expect(rename(folder + "/np2-new.mrc", folder + "/np2.mrc") == 0)
        heard.reset()
        _ = try StudyRunner.run(plan, in: out, tasks: [0, 3], cores: 2) { p in heard.add(p.skipped) }
        #expect(heard.count == 2 && heard.skipped == 1)
        // A changed option runs again.
        let refined = try StudyPlan.parse(text.replacingOccurrences(of: "element = \"Pt\"", with: "element = \"Pt\"\ncn_min = 2"),
                                          file: folder + "/study.toml", name: "study.toml")
        heard.reset()
        _ = try StudyRunner.run(refined, in: out, tasks: [0], cores: 2) { p in heard.add(p.skipped) }
        #expect(heard.count == 1 && heard.skipped == 0)
    }

    @Test("maps run at once give the files maps run one by one give")
    func parallelEqualsSerial() throws {
        let folder = TestSupport.temporaryFolder()
        for k in 1...3 { try writeMap(folder + "/m\(k).mrc", seed: UInt64(k)) }
        let text = (1...3).map { "[[particle]]\nname = \"P\($0)\"\nmerged = \"m\($0).mrc\"\n" }.joined()
        try writeAtomically(text, to: folder + "/s.toml")
        let plan = try StudyPlan.read(path: folder + "/s.toml")
        for (out, jobs) in [("/serial", 1), ("/parallel", 2)] {
            try StudyRunner.prepare(plan, in: folder + out)
            _ = try StudyRunner.run(plan, in: folder + out, jobs: jobs, cores: 2)
        }
        for k in 1...3 {
            let a = try String(contentsOfFile: folder + "/serial/P\(k)/merged/atoms.csv", encoding: .utf8)
            let b = try String(contentsOfFile: folder + "/parallel/P\(k)/merged/atoms.csv", encoding: .utf8)
            #expect(a == b && !a.isEmpty)
        }
    }

    @Test("a series of models: the study's steps are the known lost, displaced and gained atoms")
    func seriesOfModels() throws {
        let folder = TestSupport.temporaryFolder()
        var s = ParticleSpec(element: pt)
        s.atomCount = 309
        let stage1 = TestParticle.make(s, threads: 1).positions
        // Stage 2: the 7 outermost atoms gone, and the next 4 pushed 2.2 Å outward (displaced).
        let centre = stage1.reduce(.zero, +) / Double(stage1.count)
        var stage2 = withoutOutermost(stage1, 7).sorted { ($0 - centre).length > ($1 - centre).length }
        for k in 0..<4 { stage2[k] += 2.2 * (stage2[k] - centre) / (stage2[k] - centre).length }
        let stage3 = stage2 + [stage2.reduce(.zero, +) / Double(stage2.count) + Vector3(40, 0, 0)]
        for (k, p) in [stage1, stage2, stage3].enumerated() { try writeModel(folder + "/t\(k + 1).csv", p) }
        try writeAtomically("[[series]]\nname = \"growth\"\nstages = [\"t1.csv\", \"t2.csv\", \"t3.csv\"]\n", to: folder + "/s.toml")
        let plan = try StudyPlan.read(path: folder + "/s.toml")
        try StudyRunner.prepare(plan, in: folder + "/out")
        let records = try StudyRunner.run(plan, in: folder + "/out", cores: 2)
        #expect(records.allSatisfy { $0.status == .done })
        let results = try StudyResults.gather(plan, in: folder + "/out")
        let t = try #require(results.series.first?.tracking)
        #expect(t.steps.map(\.comparison.lost.count) == [7, 0])
        #expect(t.steps.map(\.comparison.displaced.count) == [4, 0])
        #expect(t.steps.map(\.comparison.gained.count) == [0, 1])
        #expect(t.steps.map(\.comparison.common.count) == [298, 302])
        try results.write(in: folder + "/out")
        let steps = try String(contentsOfFile: folder + "/out/results/series_steps.csv", encoding: .utf8)
        #expect(steps.contains("growth,2,302,298,4,7,0,"))
        #expect(steps.contains("growth,3,303,302,0,0,1,"))
        let tracks = try String(contentsOfFile: folder + "/out/results/series_tracks.csv", encoding: .utf8)
        #expect(tracks.split(separator: "\n").filter { $0.contains(",2,displaced,") }.count == 4)
    }

    @Test("a folder holding other files is refused before anything is written")
    func foreignFolder() throws {
        let folder = TestSupport.temporaryFolder()
        try writeAtomically("notes", to: folder + "/notes.txt")
        let plan = try StudyPlan.parse("[[particle]]\nname = \"a\"\nmerged = \"a.mrc\"", file: folder + "/s.toml", name: "s.toml")
        #expect(throws: EngineError.self) { try StudyRunner.prepare(plan, in: folder) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.txt"])
    }

    @Test("the SLURM scripts run one task per map and gather after all of them")
    func slurmScripts() throws {
        let plan = try StudyPlan.parse("[[particle]]\nname = \"a\"\nmerged = \"a.mrc\"\npart1 = \"b.mrc\"\npart2 = \"c.mrc\"",
                                       file: "/data/it's/s.toml", name: "s.toml")
        var r = SlurmJob.Resources()
        r.cpusPerTask = 2
        r.timeLimit = "00:30:00"
        let job = SlurmJob(plan: plan, folder: "/data/out", executable: "/opt/nanoatoms", resources: r)
        let array = job.arrayScriptText
        #expect(array.contains("#SBATCH --array=0-2\n") && array.contains("#SBATCH --cpus-per-task=2\n") && array.contains("#SBATCH --time=00:30:00\n"))
        #expect(array.contains("exec '/opt/nanoatoms' study '/data/it'\\''s/s.toml' --out '/data/out' --task \"$SLURM_ARRAY_TASK_ID\""))
        #expect(job.gatherScriptText.contains("--gather\n"))
    }
}

/// Counts progress reports from several threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var count = 0, skipped = 0
    func add(_ wasSkipped: Bool) { lock.lock(); count += 1; if wasSkipped { skipped += 1 }; lock.unlock() }
    func reset() { lock.lock(); count = 0; skipped = 0; lock.unlock() }
}
