import Dispatch
import Foundation
import NanoAtomsEngine

/// `nanoatoms-bench --study N [--atoms A]`: N simulated maps run as one study three ways in one
/// process, each into a fresh folder: one map at a time on one core (a `for` loop over files),
/// one map at a time on all cores, and as the study schedules them (one map per core). Prints
/// each wall time and the ratios.
func runStudyBenchmark(maps: Int, atoms: Int) {
    let folder = NSTemporaryDirectory() + "nanoatoms-bench-study-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var study = "title = \"benchmark\"\nelement = \"Pt\"\n"
    for k in 1...maps {
        var spec = ParticleSpec(element: Element.named("Pt")!)
        spec.atomCount = atoms
        spec.snr = 6.7
        spec.seed = UInt64(k)
        let particle = TestParticle.make(spec)
        do { try MRCFormat.write(particle.map, to: "\(folder)/map\(k).mrc") } catch { fail("\(error)") }
        study += "[[particle]]\nname = \"P\(k)\"\nmerged = \"map\(k).mrc\"\n"
    }
    let cores = Parallel.availableCores
    do {
        try writeAtomically(study, to: folder + "/study.toml")
        let plan = try StudyPlan.read(path: folder + "/study.toml")
        print("study of \(maps) maps of \(atoms) Pt atoms, \(cores) cores")
        var times: [String: Double] = [:]
        for (name, jobs, threads) in [("serial, 1 core", 1, 1), ("serial, all cores", 1, cores), ("study (one map per core)", cores, cores)] {
            let out = "\(folder)/out-\(jobs)-\(threads)"
            try StudyRunner.prepare(plan, in: out)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let records = try StudyRunner.run(plan, in: out, jobs: jobs, cores: threads)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            guard records.allSatisfy({ $0.status == .done }) else { fail("a map failed: \(records.compactMap(\.error))") }
            times[name] = seconds
            print("  " + name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: " %7.2f s", seconds))
        }
        let serial = times["serial, 1 core"]!, threaded = times["serial, all cores"]!, study = times["study (one map per core)"]!
        print(String(format: "  study / serial on 1 core: %.2f (ideal %.2f); study / serial on all cores: %.2f", study / serial, 1 / Double(cores), study / threaded))
    } catch {
        fail("\(error)")
    }
}
