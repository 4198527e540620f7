import Foundation
import Testing
import NanoAtomsEngine
@testable import NanoAtomsLanguage

/// Step by step and `build` are the same engine stages, so they agree atom for atom: the same
/// positions, the same threshold curve, the same removals, the same statistics, on easy and
/// hard maps alike.
@Suite("step by step equals build")
struct StepByStepTests {
    /// Maps on which the steps could drift apart: clean, noisy at SNR 3 under low-frequency
    /// noise (the hard case), an irregular particle in a liquid slab, and one off centre on a
    /// gradient.
    static let maps = [
        "simulate cuboctahedron natoms=147 snr=8 seed=2",
        "simulate cuboctahedron natoms=309 snr=3 seed=4 lowfreq=0.03",
        "simulate irregular natoms=200 snr=5 seed=6 liquid=\"slab\" thickness=14 density=0.12",
        "simulate truncoct natoms=201 snr=5 seed=8 offset=6 gradient=0.3",
    ]

    @Test("the same atoms, threshold curve, removals and statistics", arguments: maps)
    func agreeAtomForAtom(_ simulate: String) throws {
        try compare(simulate: simulate, steps: "detect b | split | recover | validate", build: "build map refine=false")
    }

    @Test("the paper's method step by step equals build paper=true")
    func paperMethod() throws {
        try compare(simulate: Self.maps[1], steps: "detect b | split | validate rule=\"paper\" detached=false", build: "build map paper=true")
    }

    @Test("build refines by default: step by step with refine equals build", arguments: Array(maps.prefix(2)))
    func refined(_ simulate: String) throws {
        try compare(simulate: simulate, steps: "detect b | split | recover | validate | refine", build: "build map")
    }

    func compare(simulate: String, steps: String, build: String) throws {
        let s = Session()
        #expect(s.run("""
            set element Pt
            map = \(simulate)
            built = \(build)
            m = mask map
            d = denoise m
            b = binarize d
            stepped = \(steps)
            tb = stats built
            ts = stats stepped
            """) == nil, "\(s.last)")
        guard case .atoms(let built) = s.interpreter.variables["built"], case .atoms(let stepped) = s.interpreter.variables["stepped"],
              case .mask(let b) = s.interpreter.variables["b"],
              case .table(let tb) = s.interpreter.variables["tb"], case .table(let ts) = s.interpreter.variables["ts"],
              let model = built.validated else {
            Issue.record("missing variables"); return
        }
        #expect(built.atoms.count > 100)
        #expect(stepped.atoms.positions == built.atoms.positions, "\(stepped.atoms.count) atoms step by step, \(built.atoms.count) by build")
        #expect(b.search?.trials == model.search.trials)
        #expect(stepped.removals == built.removals)
        #expect(stepped.history == built.history)
        #expect(stepped.flags.map(\.code) == built.flags.map(\.code))
        #expect(ts.atoms.columnNames == tb.atoms.columnNames)
        for name in tb.atoms.columnNames {
            let x = ts.atoms[column: name]!, y = tb.atoms[column: name]!
            #expect(zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "column \(name) differs")
        }
        #expect(ts.summary.medianCN == tb.summary.medianCN && ts.depthFitCN?.delta == tb.depthFitCN?.delta)
    }
}
