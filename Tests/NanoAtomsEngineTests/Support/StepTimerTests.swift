import Testing
import NanoAtomsEngine

@Suite("Step timings")
struct StepTimerTests {
    @Test("a step that runs again adds to its first record, in first-run order, also across records")
    func repeatedSteps() {
        var a = StepTimings()
        a.measure("validate") { for _ in 0..<10_000 { _ = 1 } }
        a.measure("lattice_fit") {}
        let first = a.seconds("validate")
        a.measure("validate") { for _ in 0..<10_000 { _ = 1 } }
        #expect(a.steps.map(\.name) == ["validate", "lattice_fit"])
        #expect(a.seconds("validate") >= first)
        var b = StepTimings()
        b.measure("lattice_fit") {}
        b.measure("position_stats") {}
        let before = a.seconds("lattice_fit")
        a.append(b)
        #expect(a.steps.map(\.name) == ["validate", "lattice_fit", "position_stats"])
        #expect(a.seconds("lattice_fit") == before + b.seconds("lattice_fit"))
        #expect(a.seconds("missing") == 0)
        #expect(abs(a.total - a.steps.map(\.seconds).reduce(0, +)) < 1e-15)
    }
}
