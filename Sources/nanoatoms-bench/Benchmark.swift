import Foundation
import NanoAtomsEngine

/// What the benchmark runs, from the command line.
struct BenchmarkOptions {
    var sizes = [128, 160, 256, 320]
    var threads = [1, 2]
    var runs = 5
    var atoms = 561
    /// Median atom peak over noise SD: 1/0.15, the baseline README's "noise 0.15".
    var snr = 1 / 0.15
    var baseline: String? = BenchmarkOptions.defaultBaseline()
    var baselineRuns = 3
    /// Where to keep the simulated maps (and outputs); a temporary folder, removed, when nil.
    var keep: String?
    /// With --study N: N maps as one study instead of the step timings.
    var study: Int?

    /// ../shared/peers/pypeer next to the repository, when it is there.
    static func defaultBaseline() -> String? {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = here.deletingLastPathComponent().appendingPathComponent("shared/peers/pypeer").path
        return FileManager.default.fileExists(atPath: path + "/pypeer.py") ? path : nil
    }

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func list(_ s: String) -> [Int] { s.split(separator: ",").compactMap { Int($0) } }
        while i < args.count {
            switch args[i] {
            case "--sizes": sizes = list(value())
            case "--threads": threads = list(value())
            case "--runs": runs = max(1, Int(value()) ?? 5)
            case "--atoms": atoms = Int(value()) ?? 561
            case "--snr": snr = Double(value()) ?? snr
            case "--baseline": baseline = value()
            case "--baseline-runs": baselineRuns = max(1, Int(value()) ?? 3)
            case "--no-baseline": baseline = nil
            case "--keep": keep = value()
            case "--study": study = max(1, min(64, Int(value()) ?? 8))
            case "-h", "--help":
                print("usage: nanoatoms-bench [--sizes 128,160,256,320] [--threads 1,2] [--runs 5] [--atoms 561] [--snr 6.7]\n" +
                      "                       [--baseline PYPEER_DIR | --no-baseline] [--baseline-runs 3] [--keep DIR]\n" +
                      "       nanoatoms-bench --study N [--atoms 561]   (N maps as one study: serial against one map per core)")
                exit(0)
            default: fail("unknown option '\(args[i])'")
            }
            i += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("nanoatoms-bench: \(message)\n".data(using: .utf8)!)
    exit(2)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Runs a program and returns its standard output, or nil if it failed.
func runProgram(_ executable: String, _ args: [String], environment: [String: String]? = nil) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    do { try p.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        FileHandle.standardError.write(errors)
        return nil
    }
    return String(decoding: data, as: UTF8.self)
}

/// The baseline's median total seconds on `map` (sum of its per-step timings), at 1 thread.
func baselineSeconds(pypeer: String, map: String, runs: Int, out: String) -> Double? {
    var totals: [Double] = []
    for _ in 0..<runs {
        guard let text = runProgram("/usr/bin/env", ["python3", pypeer + "/pypeer.py", map, "--element", "Pt", "--out", out, "--quiet", "--threads", "1"]),
              let line = text.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let steps = json["timings"] as? [String: Double] else { return nil }
        totals.append(steps.filter { $0.key != "total" }.values.reduce(0, +))
    }
    return median(totals)
}

func runBenchmark(_ args: [String]) {
    let o = BenchmarkOptions(args)
    if let n = o.study { runStudyBenchmark(maps: n, atoms: o.atoms); return }
    let folder = o.keep ?? NSTemporaryDirectory() + "nanoatoms-bench-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { if o.keep == nil { try? FileManager.default.removeItem(atPath: folder) } }
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    print("nanoatoms-bench: a \(o.atoms)-atom Pt cuboctahedron, SNR \(String(format: "%.1f", o.snr)), 0.358 Å voxels; median of \(o.runs) runs per column, each a fresh process, alternating with the baseline's; \(Parallel.availableCores) cores")

    var columns: [(title: String, steps: [String: Double], peak: Double, mapBytes: Double, atoms: Int)] = []
    var baseline: [Int: Double] = [:]
    var ours1: [Int: Double] = [:]
    for size in o.sizes {
        var spec = ParticleSpec(element: Element.named("Pt")!)
        spec.atomCount = o.atoms
        spec.snr = o.snr
        spec.expansion = 0.015
        spec.box = size
        spec.seed = 11
        let particle = TestParticle.make(spec)
        let path = "\(folder)/pt\(o.atoms)_box\(size).mrc"
        try! MRCFormat.write(particle.map, to: path)
        let mapBytes = Double(particle.map.count * 4)
        // Rounds alternate our runs (each a fresh process, as `nanoatoms run` is) with the
        // baseline's, so that a slow spell of a shared machine hits both alike.
        var ours: [Int: [[String: Double]]] = [:], peaks: [Int: Double] = [:], found: [Int: Int] = [:]
        var theirs: [Double] = []
        var baselineFailed = false
        for round in 0..<max(o.runs, o.baseline == nil ? 0 : o.baselineRuns) {
            if round < o.runs {
                for t in o.threads {
                    let out = "\(folder)/out_\(size)_\(t)"
                    try! FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                    guard let text = runProgram(me, ["--child", path, String(t), "1", out]),
                          let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                          let steps = json["steps"] as? [String: Double] else { fail("the run on \(size)³ at \(t) threads failed") }
                    ours[t, default: []].append(steps)
                    peaks[t] = max(peaks[t] ?? 0, json["peak_bytes"] as? Double ?? .nan)
                    found[t] = json["atoms"] as? Int ?? 0
                }
            }
            if let pypeer = o.baseline, round < o.baselineRuns, !baselineFailed {
                if let s = baselineSeconds(pypeer: pypeer, map: path, runs: 1, out: "\(folder)/pypeer_\(size)") {
                    theirs.append(s)
                } else {
                    baselineFailed = true
                    FileHandle.standardError.write("  baseline on \(size)³ failed (pip install -r \(pypeer)/requirements.txt?)\n".data(using: .utf8)!)
                }
            }
        }
        for t in o.threads {
            let runs = ours[t] ?? []
            var steps: [String: Double] = [:]
            for step in benchmarkSteps + ["total"] { steps[step] = median(runs.map { $0[step] ?? .nan }) }
            columns.append(("\(size)³ \(t)T", steps, peaks[t] ?? .nan, mapBytes, found[t] ?? 0))
            if t == 1 { ours1[size] = steps["total"] }
            FileHandle.standardError.write("  \(size)³ at \(t) thread(s): \(String(format: "%.3f", steps["total"] ?? .nan)) s\n".data(using: .utf8)!)
        }
        if !theirs.isEmpty, !baselineFailed {
            baseline[size] = median(theirs)
            FileHandle.standardError.write("  baseline on \(size)³: \(String(format: "%.3f", median(theirs))) s\n".data(using: .utf8)!)
        }
    }

    // The per-step table: seconds, median of the runs.
    let width = 12
    func pad(_ s: String, _ n: Int = width) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
    print("\n" + "step".padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad($0.title) }.joined())
    for step in benchmarkSteps {
        print(step.padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad(String(format: "%.4f", $0.steps[step] ?? 0)) }.joined())
    }
    print("total (s)".padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad(String(format: "%.4f", $0.steps["total"] ?? 0)) }.joined())
    print("atoms found".padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad(String($0.atoms)) }.joined())
    print("peak memory (MB)".padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad(String(format: "%.0f", $0.peak / 1e6)) }.joined())
    print("map size (MB)".padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad(String(format: "%.0f", $0.mapBytes / 1e6)) }.joined())
    print("peak / map".padding(toLength: 18, withPad: " ", startingAt: 0) + columns.map { pad(String(format: "%.1f×", $0.peak / $0.mapBytes)) }.joined())
    if !baseline.isEmpty {
        print("\nscipy baseline (pypeer, 1 thread, median of \(o.baselineRuns), sum of its step timings) against nanoatoms at 1 thread:")
        for size in o.sizes {
            guard let b = baseline[size], let ours = ours1[size] else { continue }
            print(String(format: "  %4d³: baseline %.3f s, nanoatoms %.4f s: %.1f× faster", size, b, ours, b / ours))
        }
    }
}
