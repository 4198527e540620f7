/// An error the engine reports to its caller: one line, naming the file when there is one.
public struct EngineError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the error concerns, if any.
    public let file: String?
    /// What is wrong, in one line.
    public let message: String

    /// An error about `file` (or about no file when nil).
    public init(_ message: String, file: String? = nil) {
        self.file = file.map(EngineError.oneLine)
        self.message = EngineError.oneLine(message)
    }

    /// Text with line breaks and other control characters escaped, so an error stays one line
    /// even when it quotes a file name or a file's content.
    static func oneLine(_ text: String) -> String {
        func invisible(_ u: Unicode.Scalar) -> Bool {
            [.control, .format, .lineSeparator, .paragraphSeparator].contains(u.properties.generalCategory)
        }
        guard text.unicodeScalars.contains(where: invisible) else { return text }
        return String(text.unicodeScalars.map { u -> String in
            switch u {
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            default: return invisible(u) ? "\\u{\(String(u.value, radix: 16))}" : String(u)
            }
        }.joined())
    }

    /// `file: message`, or just the message.
    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
