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

    /// An error at `location`.
    public init(_ message: String, at location: SourceLocation? = nil, incomplete: Bool = false) {
        self.message = message
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
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let text: String? = lineText ?? (loc.line - 1 < lines.count ? String(lines[loc.line - 1]) : nil)
        if let text {
            out += "\n    " + text + "\n    " + String(repeating: " ", count: max(0, loc.column - 1)) + "^"
        }
        return out
    }
}
