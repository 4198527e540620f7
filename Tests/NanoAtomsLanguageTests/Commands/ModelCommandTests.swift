import Foundation
import Testing
import NanoAtomsEngine
@testable import NanoAtomsLanguage

/// Models from anywhere in the language: load reads them, stats takes them with or without a
/// map, render makes their map, and step by step agrees with build on validation's lattice.
@Suite("models from other programs: load, stats, render")
struct ModelCommandTests {
    /// An XYZ file of a 309-atom cuboctahedron's true atoms, written by the engine.
    func xyzModel() throws -> (path: String, atoms: AtomSet) {
        var spec = ParticleSpec(element: Element.named("Au")!)
        spec.atomCount = 309
        let p = TestParticle.make(spec)
        let atoms = AtomSet(element: spec.element, positions: p.positions)
        let path = NSTemporaryDirectory() + "nanoatoms-model-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).xyz"
        try XYZFormat.text(atoms, comment: "test").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, atoms)
    }

    @Test("stats on a loaded model: position statistics, no shape statistics, no flags for one crystal")
    func positionsOnly() throws {
        let (path, atoms) = try xyzModel()
        let s = Session()
        #expect(s.run("m = load \"\(path)\"\ntab = stats m\nshow tab") == nil)
        guard case .table(let t) = s.interpreter.variables["tab"] else { Issue.record("no table"); return }
        #expect(t.atoms.count == atoms.count && t.atoms.element.symbol == "Au")
        #expect(!t.hasShapeStatistics && t.atoms[column: "uiso"] == nil)
        #expect(t.lattice.method == .fccLeastSquares && t.flags.isEmpty)
        #expect(s.last.contains("shape statistics: none"))
        #expect(s.run("tab.lattice_method") == nil && s.last == "\"fcc_lsq\"")
    }

    @Test("render then build recovers the model; stats with map= measures the shape statistics")
    func renderBuildCompare() throws {
        let (path, atoms) = try xyzModel()
        let s = Session()
        #expect(s.run("""
            m = load "\(path)"
            map = render m snr=8 seed=3
            built = build map
            c = compare map.truth built
            tab = stats map.truth map=map
            """) == nil)
        guard case .comparison(let c) = s.interpreter.variables["c"], case .table(let t) = s.interpreter.variables["tab"] else {
            Issue.record("missing variables"); return
        }
        #expect(c.commonPercent >= 98)
        #expect(t.hasShapeStatistics)
        // The rendered truth is the loaded model, recentred in the box.
        #expect(c.firstCount == atoms.count)
        let uiso = t.atoms[column: "uiso"]!.filter(\.isFinite)
        #expect(uiso.count >= atoms.count * 9 / 10)
        #expect(uiso.filter { $0 > 0 && $0 < 0.5 }.count >= uiso.count * 95 / 100)
        #expect((0.02...0.3).contains(median(uiso)))
    }

    @Test("render on a map's grid, with the truth's motion, reproduces the map rendered in a box of its own")
    func renderOnGrid() throws {
        let (path, _) = try xyzModel()
        let s = Session()
        #expect(s.run("m = load \"\(path)\"\nmap = render m\nagain = render map.truth grid=map") == nil)
        guard case .volume(let a) = s.interpreter.variables["map"], case .volume(let b) = s.interpreter.variables["again"] else {
            Issue.record("missing volumes"); return
        }
        #expect(a.volume.dimensions == b.volume.dimensions && a.volume.origin == b.volume.origin)
        // Noise-free both times, the same atoms with the same motion: the same map.
        let diff = zip(a.volume.values, b.volume.values).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-3 * a.volume.values.max()!)
    }

    @Test("g(r) is a value and a plot; a table without a map has no shape columns to bin")
    func radialDistribution() throws {
        let (path, _) = try xyzModel()
        let s = Session()
        #expect(s.run("t = stats (load \"\(path)\")\ng = t.rdf_g\nr = t.rdf_r\nplot t kind=\"rdf\"") == nil)
        guard case .list(let g) = s.interpreter.variables["g"], case .list(let r) = s.interpreter.variables["r"] else {
            Issue.record("no lists"); return
        }
        #expect(g.count == r.count && g.count > 100)
        #expect(s.last.contains("first minimum"))
        #expect(s.run("plot t kind=\"bins\" column=\"uiso\"") != nil)   // no uiso column: a clear error, not a trap
    }
}
