/// An error the engine reports to its caller: one line, naming the file when there is one.
public struct EngineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the error concerns, if any.
    public let file: String?
    /// What is wrong, in one line.
    public let message: String

    /// An error about `file` (or about no file when nil).
    public init(_ message: String, file: String? = nil) {
        self.file = file
        self.message = message
    }

    /// `file: message`, or just the message.
    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
