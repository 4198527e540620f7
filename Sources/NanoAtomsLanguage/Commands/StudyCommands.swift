import Foundation
import NanoAtomsEngine

let studyCommand = CommandDeclaration(
    name: "study",
    parameters: [.required("file", [.string], "the study file (TOML): particles with merged/part1/part2 maps, series of stages", path: true),
                 .option("out", [.string], default: .none, "the study's folder (default: the file's name without .toml, beside it)"),
                 Parameter.option("jobs", [.number], default: .none, "maps run at once (default: one per core)").within(1...256, whole: true),
                 .option("force", [.bool], default: .bool(false), "run every map again, even those done before")],
    returns: .record,
    summary: "run every map of a study file at once across the cores, then its Table 1, comparisons and figures",
    teaching: """
        study runs an ensemble, as the paper's is: several particles, each as a merged map and
        part1/part2 halves, and series of one particle through stages. The study file names them
        (see 'nanoatoms study --help' for its form). Maps run several at once, one per core; a
        map done before with the same input and options is skipped, so a study can be extended
        and run again; a map that fails is recorded with its reason and the rest go on. Then the
        results are assembled in OUT/results/: Table 1 for every map, part1 against part2 per
        particle (common, displaced, lost, gained), δ_CN and δ_GCN per particle in three colours
        (Fig. 4), statistics binned by CN across the particles (Fig. 5), each series registered
        stage onto stage with per-atom tracks, and report.html linking each map's report. On a
        cluster, 'nanoatoms study FILE --out DIR --slurm' runs the same maps as a job array.
        Look at: the failed maps first, then each map's quality flags in the Table 1 of the report.
        """,
    example: "s = study \"paper.toml\" out=\"paper-study\"",
    run: { args, interp in
        let file = try args.string("file")!
        let plan = try StudyPlan.read(path: file)
        let out = try args.string("out") ?? ((file as NSString).deletingPathExtension + "-study")
        try StudyRunner.prepare(plan, in: out)
        let jobs = try args.number("jobs").map { Int($0) }
        let say = UncheckedSendable(interp.write)
        _ = try StudyRunner.run(plan, in: out, jobs: jobs, force: try args.bool("force"), cancellation: interp.cancellation) { p in
            let state = p.skipped ? "done before" : p.record.status == .done ? "\(p.record.atoms ?? 0) atoms" : "failed: \(p.record.error ?? "")"
            say.value("[\(p.finished)/\(p.total)] \(p.task.name): \(state)")
        }
        let results = try StudyResults.gather(plan, in: out)
        try results.write(in: out)
        let done = results.records.filter { $0?.status == .done }.count
        let failed = results.records.filter { $0?.status == .failed }.count
        var fields: [(String, Value)] = [("done", .number(Double(done))), ("failed", .number(Double(failed))),
                                         ("results", .string((out as NSString).appendingPathComponent(StudyResults.folderName)))]
        for (name, c) in results.comparisons { fields.append(("compare_\(name)", .comparison(c))) }
        interp.write("study \(plan.title): \(done) of \(plan.tasks.count) done\(failed > 0 ? ", \(failed) failed" : ""); report in \(out)/results/report.html")
        return .record(RecordValue(title: "study \(plan.title)", fields: fields))
    })

let studyCommands = [studyCommand]
