/// A value in a study file: the small part of TOML a study needs.
public enum StudyFileValue: Sendable, Equatable {
    /// A quoted string ("…" with \" \\ \n \t escapes, or '…' taken as written).
    case string(String)
    /// A number (integer or decimal, with an optional exponent).
    case number(Double)
    /// true or false.
    case bool(Bool)
    /// [a, b, …], which may span lines.
    case array([StudyFileValue])

    /// What the value is, for an error: "a string", "a number", …
    var kind: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .array: "a list"
        }
    }
}

/// One `key = value` line, with where it stands.
public struct StudyFileEntry: Sendable {
    /// The key.
    public let key: String
    /// The value.
    public let value: StudyFileValue
    /// Line and column of the key (1-based).
    public let line: Int, column: Int
}

/// A table of a study file: the keys before the first header, or one `[[particle]]` or
/// `[[series]]` with the keys under it.
public struct StudyFileTable: Sendable {
    /// `""` for the top, else the header's name (`particle`, `series`).
    public let header: String
    /// Line of the header (1 for the top).
    public let line: Int
    /// Its entries in file order.
    public var entries: [StudyFileEntry]
}

/// A study file read into tables: a subset of TOML (keys, strings, numbers, booleans, lists,
/// `[[name]]` headers and `#` comments). Errors name the file, line and column.
public enum StudyFile {
    /// The largest study file read: a study of thousands of maps is a few hundred kilobytes.
    static let maximumBytes = 4 << 20
    /// Deepest nesting of lists: a study's lists hold strings.
    static let maximumListDepth = 4

    /// The tables of `text`, read from the file `name`.
    public static func parse(_ text: String, name: String) throws -> [StudyFileTable] {
        var tables = [StudyFileTable(header: "", line: 1, entries: [])]
        var reader = Reader(bytes: Array(text.utf8), name: name)
        while true {
            reader.skipBlankAndComments()
            guard let c = reader.peek() else { break }
            let line = reader.line, column = reader.column
            if c == UInt8(ascii: "[") {
                guard reader.peek(1) == UInt8(ascii: "[") else {
                    throw reader.error("a header is [[particle]] or [[series]]; a plain [table] is not used in a study file")
                }
                reader.advance(2)
                reader.skipSpaces()
                let header = try reader.bareKey(what: "a header name")
                reader.skipSpaces()
                guard reader.peek() == UInt8(ascii: "]"), reader.peek(1) == UInt8(ascii: "]") else { throw reader.error("expected ]] to close the header") }
                reader.advance(2)
                try reader.endOfLine()
                tables.append(StudyFileTable(header: header, line: line, entries: []))
                continue
            }
            let key = try reader.bareKey(what: "a key (letters, digits, _ and -)")
            reader.skipSpaces()
            guard reader.peek() == UInt8(ascii: "=") else { throw reader.error("expected = after '\(key)'") }
            reader.advance(1)
            reader.skipSpaces()
            let value = try reader.value(depth: 0)
            try reader.endOfLine()
            if let earlier = tables[tables.count - 1].entries.first(where: { $0.key == key }) {
                throw EngineError("\(line):\(column): '\(key)' is given twice (first on line \(earlier.line))", file: name)
            }
            tables[tables.count - 1].entries.append(StudyFileEntry(key: key, value: value, line: line, column: column))
        }
        return tables
    }

    /// A cursor over the file's bytes that knows its line and column.
    struct Reader {
        let bytes: [UInt8]
        let name: String
        var offset = 0, line = 1, column = 1

        init(bytes: [UInt8], name: String) {
            self.bytes = bytes
            self.name = name
            // A byte-order mark is not text.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
        }

        func peek(_ ahead: Int = 0) -> UInt8? { offset + ahead < bytes.count ? bytes[offset + ahead] : nil }

        mutating func advance(_ n: Int) {
            for _ in 0..<n where offset < bytes.count {
                if bytes[offset] == 10 { line += 1; column = 1 }
                // Columns count characters: continuation bytes of UTF-8 do not move it.
                else if bytes[offset] & 0xC0 != 0x80 { column += 1 }
                offset += 1
            }
        }

        func error(_ message: String) -> EngineError { EngineError("\(line):\(column): \(message)", file: name) }

        mutating func skipSpaces() { while let c = peek(), c == 32 || c == 9 { advance(1) } }

        mutating func skipComment() { if peek() == UInt8(ascii: "#") { while let c = peek(), c != 10 { advance(1) } } }

        /// Blank lines, comments, and in lists line breaks too.
        mutating func skipBlankAndComments() {
            while true {
                skipSpaces()
                skipComment()
                if peek() == 10 || peek() == 13 { advance(1) } else { return }
            }
        }

        /// Spaces and a comment, then the end of the line or of the file.
        mutating func endOfLine() throws {
            skipSpaces()
            skipComment()
            if peek() == 13 { advance(1) }
            guard peek() == nil || peek() == 10 else {
                throw error("unexpected '\(String(decoding: [peek()!], as: UTF8.self))' after the value (one key = value per line)")
            }
        }

        static func isKeyByte(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45
        }

        mutating func bareKey(what: String) throws -> String {
            let start = offset
            while let c = peek(), Reader.isKeyByte(c) { advance(1) }
            guard offset > start else { throw error("expected \(what)") }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        mutating func value(depth: Int) throws -> StudyFileValue {
            guard let c = peek(), c != 10, c != 13 else { throw error("expected a value after =") }
            switch c {
            case UInt8(ascii: "\""): return .string(try basicString())
            case UInt8(ascii: "'"): return .string(try literalString())
            case UInt8(ascii: "["):
                guard depth < StudyFile.maximumListDepth else { throw error("lists nested more than \(StudyFile.maximumListDepth) deep") }
                advance(1)
                var items: [StudyFileValue] = []
                while true {
                    skipBlankAndComments()
                    if peek() == UInt8(ascii: "]") { advance(1); return .array(items) }
                    guard peek() != nil else { throw error("the list is not closed with ]") }
                    items.append(try value(depth: depth + 1))
                    skipBlankAndComments()
                    if peek() == UInt8(ascii: ",") { advance(1); continue }
                    if peek() == UInt8(ascii: "]") { advance(1); return .array(items) }
                    throw error("expected , or ] in the list")
                }
            default:
                let start = offset, startColumn = column
                while let b = peek(), b != 10, b != 13, b != 32, b != 9, b != UInt8(ascii: ","), b != UInt8(ascii: "]"),
                      b != UInt8(ascii: "#") { advance(1) }
                let word = String(decoding: bytes[start..<offset], as: UTF8.self)
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                let digits = word.replacingOccurrences(of: "_", with: "")
                if let x = Double(digits), x.isFinite, digits.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                    return .number(x)
                }
                throw EngineError("\(line):\(startColumn): '\(word)' is not a value: a string is quoted (\"np1.mrc\"), a number is written 1.5, or true/false", file: name)
            }
        }

        mutating func basicString() throws -> String {
            advance(1)
            var out: [UInt8] = []
            while true {
                guard let c = peek(), c != 10, c != 13 else { throw error("the string is not closed with \" on its line") }
                advance(1)
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") {
                    guard let e = peek() else { throw error("the string is not closed with \"") }
                    switch e {
                    case UInt8(ascii: "\""): out.append(e)
                    case UInt8(ascii: "\\"): out.append(e)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "t"): out.append(9)
                    default: throw error("unknown escape \\\(String(decoding: [e], as: UTF8.self)) (allowed: \\\" \\\\ \\n \\t; or write the string in 'single quotes')")
                    }
                    advance(1)
                } else {
                    out.append(c)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func literalString() throws -> String {
            advance(1)
            let start = offset
            while let c = peek(), c != UInt8(ascii: "'") {
                guard c != 10, c != 13 else { throw error("the string is not closed with ' on its line") }
                advance(1)
            }
            guard peek() != nil else { throw error("the string is not closed with '") }
            let s = String(decoding: bytes[start..<offset], as: UTF8.self)
            advance(1)
            return s
        }
    }
}
