import Foundation

/// A JSON document whose object keys keep the order they were written in, and whose
/// non-finite numbers are written as `null` (JSON has no NaN).
package indirect enum JSONValue: Sendable, Equatable {
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// true or false.
    case bool(Bool)
    /// null.
    case null
    /// An array.
    case array([JSONValue])
    /// An object, keys in order.
    case object([(String, JSONValue)])

    package static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

    /// A number, or null when it is not finite.
    package static func finite(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }

    /// The text of the document, indented by `indent` spaces per level.
    /// The document on one line: a protocol's message, data inside a page.
    package func singleLine() -> String { serialized(indent: -1) }

    /// The document as text, `indent` spaces per level.
    package func serialized(indent: Int = 1, level: Int = 0) -> String {
        var out = ""
        serialize(into: &out, indent: indent, level: level)
        return out
    }

    /// Appends the text of the document to `out` (one growing string, not one per value).
    package func serialize(into out: inout String, indent: Int = 1, level: Int = 0) {
        // A negative indent: the whole document on one line (``singleLine()``).
        func newline(_ level: Int) {
            guard indent >= 0 else { return }
            out += "\n"
            for _ in 0..<(indent * level) { out += " " }
        }
        switch self {
        case .number(let x):
            if !x.isFinite { out += "null" }
            else if x == x.rounded() && abs(x) < 1e15 { out += String(Int64(x)) }
            else { out += NumberFormatting.significant(x, 10) }
        case .string(let s): JSONValue.quote(s, into: &out)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            // Arrays of numbers stay on one line.
            let flat = a.allSatisfy { if case .number = $0 { return true }; if case .null = $0 { return true }; return false }
            out += "["
            for (n, v) in a.enumerated() {
                if flat {
                    if n > 0 { out += ", " }
                    v.serialize(into: &out)
                } else {
                    if n > 0 { out += "," }
                    newline(level + 1)
                    v.serialize(into: &out, indent: indent, level: level + 1)
                }
            }
            if !flat { newline(level) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            for (n, (key, v)) in o.enumerated() {
                if n > 0 { out += "," }
                newline(level + 1)
                JSONValue.quote(key, into: &out)
                out += ": "
                v.serialize(into: &out, indent: indent, level: level + 1)
            }
            newline(level)
            out += "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = ""
        quote(s, into: &out)
        return out
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        out += "\""
    }
}
