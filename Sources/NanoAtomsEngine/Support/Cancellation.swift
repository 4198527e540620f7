import Synchronization

/// A request to stop a long step: set from a signal handler (Ctrl-C in the shell), polled by
/// the engine between the stages of model building. A step that sees it throws
/// ``Interrupted``; its partial work is discarded, so nothing half-done escapes.
public final class Cancellation: Sendable {
    private let requested = Atomic<Bool>(false)

    /// A flag not yet set.
    public init() {}

    /// Asks the running step to stop. Lock-free, so a signal handler may call it.
    public func request() { requested.store(true, ordering: .relaxed) }
    /// Clears the request (before the next statement).
    public func reset() { requested.store(false, ordering: .relaxed) }
    /// Whether a stop was asked for.
    public var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Throws ``Interrupted`` when a stop was asked for.
    public func check() throws(Interrupted) {
        if isRequested { throw Interrupted() }
    }
}

/// A step stopped by a ``Cancellation`` request.
public struct Interrupted: Error, Sendable, CustomStringConvertible {
    /// An interruption.
    public init() {}
    /// What the shell says.
    public var description: String { "interrupted" }
}

extension StepTimings {
    /// Runs `body` as step `name`, as ``measure(_:_:)`` does, after checking `cancellation`.
    mutating func measure<T>(_ name: String, checking cancellation: Cancellation?, _ body: () -> T) throws(Interrupted) -> T {
        try cancellation?.check()
        return measure(name, body)
    }
}
