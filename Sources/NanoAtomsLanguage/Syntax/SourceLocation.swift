import NanoAtomsEngine

/// A position in a script: 1-based line and column.
public struct SourceLocation: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// Line, from 1.
    public let line: Int
    /// Column, from 1 (in characters).
    public let column: Int
    /// A location.
    public init(line: Int, column: Int) { self.line = line; self.column = column }
    /// `line:column`.
    public var description: String { "\(line):\(column)" }
    /// Earlier in the text: by line, then column.
    public static func < (a: SourceLocation, b: SourceLocation) -> Bool { (a.line, a.column) < (b.line, b.column) }
}

/// An error in a script or a command, with where it happened when that is known.
public struct LanguageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one line.
    public let message: String
    /// Where, if known.
    public let location: SourceLocation?
    /// The file the error is in, when it is not the one being run (an error inside `source`).
    public var file: String? = nil
    /// The text of the offending line, when `file` is set.
    public var lineText: String? = nil
    /// True when the input simply ended too early (an open bracket, quote or brace, or a
    /// trailing "|"): the shell then asks for more instead of reporting an error.
    public let incomplete: Bool

    /// An error at `location`. The message is kept to one line: a line break or another
    /// control character in it (from quoted input) is shown as an escape.
    public init(_ message: String, at location: SourceLocation? = nil, incomplete: Bool = false) {
        self.message = SourceText.oneLine(message)
        self.location = location
        self.incomplete = incomplete
    }

    /// `message`, prefixed with `line:column: ` when the location is known.
    public var description: String { location.map { "\($0): error: \(message)" } ?? "error: \(message)" }

    /// The full report: `FILE:LINE:COL: error: message`, the source line and a caret under the column.
    public func report(file: String, source: String) -> String {
        let file = self.file ?? file
        guard let loc = location else { return "\(file): error: \(message)" }
        var out = "\(file):\(loc.line):\(loc.column): error: \(message)"
        let lines = SourceText.lines(source)
        let text: String? = lineText ?? (loc.line - 1 < lines.count ? lines[loc.line - 1] : nil)
        if let text {
            out += "\n    " + SourceText.visible(text) + "\n    " + String(repeating: " ", count: max(0, loc.column - 1)) + "^"
        }
        return out
    }
}

/// How source text is read before lexing, and shown in errors.
public enum SourceText {
    /// The text as the lexer reads it: a leading byte-order mark dropped, and CRLF or a lone
    /// CR turned into LF, so a script saved on Windows or by a tool that writes a BOM runs as
    /// if written with LF. (Swift reads "\r\n" as one character, which no rule would match.)
    public static func normalized(_ source: String) -> String {
        var s = Substring(source)
        if s.first == "\u{FEFF}" { s = s.dropFirst() }
        guard s.contains("\r") || s.contains("\r\n") else { return String(s) }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            if c == "\r\n" || c == "\r" { out.append("\n") } else { out.append(c) }
        }
        return out
    }

    /// The lines of `source` after ``normalized(_:)``, as the lexer counts them.
    public static func lines(_ source: String) -> [String] {
        normalized(source).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// `text` on one line (``EngineError/oneLine(_:)``: the engine's errors and the
    /// language's escape alike).
    public static func oneLine(_ text: String) -> String { EngineError.oneLine(text) }

    /// A source line as quoted under an error: each invisible character shown as one `·`, so
    /// the caret below still lines up with the column.
    static func visible(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: isInvisible) else { return line }
        return String(line.map { c in c.unicodeScalars.contains(where: isInvisible) ? "·" : c })
    }

    /// `U+FEFF`: how an invisible character is named in a message.
    public static func describe(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Control characters, and format characters such as a zero-width space or a BOM.
    static func isInvisible(_ u: Unicode.Scalar) -> Bool { EngineError.isInvisible(u) }
}
