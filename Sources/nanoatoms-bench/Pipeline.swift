import Foundation
import NanoAtomsEngine
#if canImport(Glibc)
import Glibc
#endif

/// The steps timed, in pipeline order, as the table prints them.
let benchmarkSteps = ["load", "extreme_values", "mask", "denoise", "otsu", "threshold_search", "detect", "split", "recover", "validate",
                      "lattice_fit", "position_stats", "shape_stats", "depth_fit", "export", "report"]

/// Runs what `nanoatoms run MAP --element Pt --out DIR` runs, through the same
/// ``ParticleRun``, timing each step.
func timedRun(map path: String, element: Element, threads: Int, out: String) throws -> StepTimings {
    var timings = StepTimings()
    let map = try timings.measure("load") { try MRCFormat.read(path: path) }
    var options = ModelBuildingOptions(element: element)
    options.threads = threads
    let run = try ParticleRun(map: consume map, options: options)
    timings.append(run.timings)
    try run.write(to: out, mapName: PathComponents.last(of: path), timings: &timings)
    return timings
}

/// Peak resident memory of this process so far, in bytes: VmHWM from /proc/self/status,
/// which (unlike getrusage's ru_maxrss, kept across exec) starts afresh in a new program and
/// so does not count the parent that spawned it.
func peakMemory() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
        return kb * 1024
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) * 1024
}

/// `--child MAP THREADS RUNS OUT`: runs the pipeline RUNS times and prints one JSON line with
/// the median seconds of each step, the atoms found and the peak memory of the first run: what
/// one `nanoatoms run` needs. (Later runs in the same process start from a heap that the
/// allocator keeps, not returns, so their high-water mark says more about glibc than about us.)
func runChild(_ args: [String]) {
    guard args.count == 4, let threads = Int(args[1]), let runs = Int(args[2]) else {
        FileHandle.standardError.write("usage: nanoatoms-bench --child MAP THREADS RUNS OUT\n".data(using: .utf8)!)
        exit(2)
    }
    var all: [StepTimings] = []
    var firstPeak = 0.0
    for run in 0..<runs {
        do { all.append(try timedRun(map: args[0], element: Element.named("Pt")!, threads: threads, out: args[3])) }
        catch { FileHandle.standardError.write("\(error)\n".data(using: .utf8)!); exit(1) }
        if run == 0 { firstPeak = peakMemory() }
    }
    var medians: [String: Double] = [:]
    for step in benchmarkSteps { medians[step] = median(all.map { $0.seconds(step) }) }
    medians["total"] = median(all.map(\.total))
    let atoms = (try? String(contentsOfFile: args[3] + "/atoms.csv", encoding: .utf8))?.split(separator: "\n").count ?? 1
    let result: [String: Any] = ["steps": medians, "peak_bytes": firstPeak, "atoms": atoms - 1]
    let data = try! JSONSerialization.data(withJSONObject: result)
    print(String(decoding: data, as: UTF8.self))
}
