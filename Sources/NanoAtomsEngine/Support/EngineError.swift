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

    /// Text with line breaks and other control or invisible characters escaped (`\n`, `\t`,
    /// `\u{feff}`), so an error stays one line and shows what it quotes, even when it quotes a
    /// file name or a file's content. The language's errors use it too.
    public static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isInvisible) else { return text }
        return String(text.unicodeScalars.map { u -> String in
            switch u {
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            default: return isInvisible(u) ? "\\u{\(String(u.value, radix: 16))}" : String(u)
            }
        }.joined())
    }

    /// Control characters, and format characters such as a zero-width space or a BOM.
    public static func isInvisible(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse: return true
        default: return false
        }
    }

    /// `file: message`, or just the message.
    public var description: String { file.map { "\($0): \(message)" } ?? message }
}
