import Foundation
import Testing
@testable import NanoAtomsEngine
@testable import NanoAtomsLanguage

/// The language's halfmaps: the engine's comparison, reached from loaded maps.
@Suite("The halfmaps command")
struct HalfMapsCommandTests {
    @Test("halfmaps on two saved halves gives each atom its difference, as the engine does; misuse is a one-line error")
    func halves() throws {
        let folder = NSTemporaryDirectory() + "nano-half-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Two halves of one particle: the same atoms, independent noise.
        var spec = ParticleSpec(element: Element.named("Pt")!)
        spec.atomCount = 147; spec.seed = 5
        let clean = TestParticle.make(spec).map
        var g = SeededGenerator(seed: 9)
        let peak = Double(clean.values.max()!)
        var a = clean, b = clean, full = clean
        for i in 0..<clean.count {
            a.values[i] += Float(peak / 4 * g.gaussian()); b.values[i] += Float(peak / 4 * g.gaussian())
            full.values[i] = (a.values[i] + b.values[i]) / 2
        }
        for (v, name) in [(a, "p1.mrc"), (b, "p2.mrc"), (full, "full.mrc")] { try MRCFormat.write(v, to: folder + "/" + name) }
        let s = Session()
        #expect(s.run("""
            set element Pt
            m = load "\(folder)/full.mrc"
            p1 = load "\(folder)/p1.mrc"
            p2 = load "\(folder)/p2.mrc"
            atoms = build m refine=true
            h = halfmaps atoms p1 p2
            print h.count
            """) == nil)
        // The engine on the same maps gives the same differences.
        var o = ModelBuildingOptions(element: Element.named("Pt")!)
        o.refine = true
        let engine = try compareHalfMaps(buildModel(from: try MRCFormat.read(path: folder + "/full.mrc"), options: o),
                                         halves: (try MRCFormat.read(path: folder + "/p1.mrc"), try MRCFormat.read(path: folder + "/p2.mrc")))
        #expect(s.last == "\(engine.atoms.count)")
        #expect(s.run("show h") == nil)
        let line = try #require(s.output.joined(separator: "\n").split(separator: "\n").first { $0.contains("half maps: median difference") })
        let shown = try #require(Double(line.split(separator: "difference ")[1].split(separator: " ")[0]))
        let expected = try #require(engine.refinement?.halfMaps?.medianDifference)
        #expect(abs(shown - expected) < 0.0005, "\(line) against \(expected)")
        // Misuse.
        #expect(s.run("plain = build m refine=false\nx = halfmaps plain p1 p2")?.message == "halfmaps: needs a refined model (atoms = refine atoms, or build map)")
        #expect(s.run("q = mask m\nx = halfmaps atoms q p2")?.message == "halfmaps: give the half maps as loaded, not masked or denoised")
        let small = Volume(nx: 20, ny: 20, nz: 20, voxelSize: clean.voxelSize)
        try MRCFormat.write(small, to: folder + "/small.mrc")
        let e = s.run("sm = load \"\(folder)/small.mrc\"\nx = halfmaps atoms sm p2")?.message ?? ""
        #expect(e.hasPrefix("halfmaps: ") && e.contains("small.mrc: a half map must cover the particle's analysis box"), "\(e)")
    }
}
