import Foundation

/// Wall-clock timings of named steps, in the order they first ran: a step that runs again
/// (validation around the lattice fit, a lattice fit in model building and one in the
/// statistics) adds to its first record, so each name appears once.
public struct StepTimings: Sendable {
    /// (step, seconds) pairs, one per name.
    public private(set) var steps: [(name: String, seconds: Double)] = []
    /// An empty record.
    public init() {}

    /// Runs `body`, records its duration under `name`, and returns its result.
    public mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        add(name, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        return r
    }

    /// Records `seconds` under `name`, for a step timed by its caller.
    public mutating func record(_ name: String, seconds: Double) { add(name, seconds) }

    /// Adds another record's steps after these (to the same names where both have them).
    public mutating func append(_ other: StepTimings) { for step in other.steps { add(step.name, step.seconds) } }

    /// Seconds of step `name` (0 when it did not run).
    public func seconds(_ name: String) -> Double { steps.first { $0.name == name }?.seconds ?? 0 }

    private mutating func add(_ name: String, _ seconds: Double) {
        if let i = steps.firstIndex(where: { $0.name == name }) { steps[i].seconds += seconds }
        else { steps.append((name, seconds)) }
    }

    /// Total seconds.
    public var total: Double { steps.map(\.seconds).reduce(0, +) }
}
