import Foundation

/// Wall-clock timings of named steps, in the order they ran.
public struct StepTimings: Sendable {
    /// (step, seconds) pairs.
    public private(set) var steps: [(name: String, seconds: Double)] = []
    /// An empty record.
    public init() {}

    /// Runs `body`, records its duration under `name`, and returns its result.
    public mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        steps.append((name, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9))
        return r
    }

    /// Adds another record's steps after these.
    public mutating func append(_ other: StepTimings) { steps += other.steps }

    /// Seconds of step `name`, summed if it ran more than once.
    public func seconds(_ name: String) -> Double { steps.filter { $0.name == name }.map(\.seconds).reduce(0, +) }

    /// Total seconds.
    public var total: Double { steps.map(\.seconds).reduce(0, +) }
}
