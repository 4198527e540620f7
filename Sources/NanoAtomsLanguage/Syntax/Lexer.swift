/// Splits source text into tokens (see `Grammar/nanoatoms.ebnf`, "Tokens").
///
/// Spaces, tabs and comments are skipped; a line feed is a token except inside "(" ")" and
/// "[" "]", where expressions may span lines. Each token records whether space came before it
/// (``Token/spaced``). A word that starts with `/`, `~/`, `./` or `../`, or ends with a known
/// file extension, is a bare path: `load /data/np4.mrc` needs no quotes.
package struct Lexer {
    private let chars: [Character]
    private var index = 0
    private var line = 1, column = 1
    private var depth = 0

    /// A lexer over `source` (read as ``SourceText/normalized(_:)`` gives it).
    package init(_ source: String) { chars = Array(SourceText.normalized(source)) }

    /// All tokens, ending with `.end`.
    package static func tokens(_ source: String) throws(LanguageError) -> [Token] {
        var lexer = Lexer(source)
        var out: [Token] = []
        while true {
            let t = try lexer.next()
            out.append(t)
            if t.kind == .end { return out }
        }
    }

    private var current: Character? { index < chars.count ? chars[index] : nil }
    private func peek(_ k: Int = 1) -> Character? { index + k < chars.count ? chars[index + k] : nil }

    private mutating func advance() {
        if chars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    /// File extensions that make a bare word a path (`np4.mrc`, `run1/atoms.csv`).
    package static let pathExtensions: Set<String> = ["mrc", "map", "ccp4", "mrcs", "rec", "pdb", "ent", "cif", "mmcif", "csv",
                                                     "xyz", "nano", "cxc", "svg", "png", "html", "json", "txt", "tsv"]

    /// Characters a bare path may hold.
    private static func isPathCharacter(_ c: Character) -> Bool {
        c.isLetter || (c.isASCII && c.isNumber) || "_.-/~*?+".contains(c)
    }

    /// The bare path starting here, if the run of path characters is one: it starts with
    /// `/`, `~/`, `./` or `../`, or ends with a known file extension (`np4.mrc`,
    /// `runs/np4.mrc`, `*.mrc`). Only at the start of a spaced word: `a/b` divides.
    private func barePath() -> String? {
        var end = index
        while end < chars.count, Lexer.isPathCharacter(chars[end]) { end += 1 }
        guard end > index else { return nil }
        let run = String(chars[index..<end])
        if run.hasPrefix("/") && run.count > 1 { return run }
        if run == "~" || run.hasPrefix("~/") || run.hasPrefix("./") || run.hasPrefix("../") || run == "." || run == ".." { return run }
        guard let dot = run.lastIndex(of: "."), run.first.map({ $0.isLetter || $0 == "_" || $0 == "*" || $0.isNumber }) == true else { return nil }
        let ext = run[run.index(after: dot)...].lowercased()
        return Lexer.pathExtensions.contains(ext) ? run : nil
    }

    /// The next token.
    package mutating func next() throws(LanguageError) -> Token {
        var spaced = index == 0 || chars[index - 1] == "\n"
        while let c = current {
            if c == " " || c == "\t" || c == "\r" { advance(); spaced = true; continue }
            if c == "#" { while let d = current, d != "\n" { advance() }; spaced = true; continue }
            if c == "\n" && depth > 0 { advance(); spaced = true; continue }
            break
        }
        var token = try unspacedNext()
        token.spaced = spaced
        return token
    }

    private mutating func unspacedNext() throws(LanguageError) -> Token {
        let here = SourceLocation(line: line, column: column)
        guard let c = current else { return Token(kind: .end, location: here) }
        if c == "\n" { advance(); return Token(kind: .newline, location: here) }
        let startsWord = index == 0 || " \t\n([{,=;|".contains(chars[index - 1])
        if startsWord, "/~.*".contains(c) || c.isLetter || c.isNumber || c == "_", let path = barePath() {
            for _ in 0..<path.count { advance() }
            return Token(kind: .path(path), location: here)
        }
        if c.isLetter || c == "_" {
            var s = ""
            while let d = current, d.isLetter || d.isNumber || d == "_" { s.append(d); advance() }
            return Token(kind: reservedWords.contains(s) ? .keyword(s) : .identifier(s), location: here)
        }
        if c.isASCII && c.isNumber {
            return Token(kind: .number(try number(at: here)), location: here)
        }
        if c == "\"" { return Token(kind: .string(try string(at: here)), location: here) }
        if let two = peek().map({ String([c, $0]) }), ["<=", ">=", "==", "!="].contains(two) {
            advance(); advance()
            return Token(kind: .op(two), location: here)
        }
        if "+-*/^<>".contains(c) {
            advance()
            return Token(kind: .op(String(c)), location: here)
        }
        if c == "!" {
            throw LanguageError("unexpected character '!' (for 'not equal' write !=, for negation 'not')", at: here)
        }
        if "=|.,;:()[]{}".contains(c) {
            if c == "(" || c == "[" { depth += 1 }
            if (c == ")" || c == "]") && depth > 0 { depth -= 1 }
            advance()
            return Token(kind: .symbol(c), location: here)
        }
        if c.unicodeScalars.contains(where: SourceText.isInvisible) {
            let names = c.unicodeScalars.map(SourceText.describe).joined(separator: " ")
            throw LanguageError("unexpected invisible character \(names) (delete it: it may have come with copied text)", at: here)
        }
        throw LanguageError("unexpected character '\(c)'", at: here)
    }

    private mutating func number(at here: SourceLocation) throws(LanguageError) -> Double {
        var s = ""
        while let d = current, d.isASCII && d.isNumber { s.append(d); advance() }
        if current == ".", let n = peek(), n.isASCII && n.isNumber {
            s.append("."); advance()
            while let d = current, d.isASCII && d.isNumber { s.append(d); advance() }
        }
        if let e = current, e == "e" || e == "E" {
            let sign = peek(), afterSign = peek(2)
            if let d = sign, d.isASCII && d.isNumber {
                s.append("e"); advance()
            } else if let sg = sign, sg == "+" || sg == "-", let d = afterSign, d.isASCII && d.isNumber {
                s.append("e"); advance(); s.append(sg); advance()
            }
            while let d = current, d.isASCII && d.isNumber, s.contains("e") { s.append(d); advance() }
        }
        if let d = current, d.isLetter || d == "_" {
            throw LanguageError("a number cannot run into a name ('\(s)\(d)...')", at: here)
        }
        guard let v = Double(s) else { throw LanguageError("malformed number '\(s)'", at: here) }
        guard v.isFinite else { throw LanguageError("the number \(s) is too large (at most about 1.8e308)", at: here) }
        return v
    }

    private mutating func string(at here: SourceLocation) throws(LanguageError) -> String {
        advance()                                   // opening quote
        var s = ""
        while true {
            guard let c = current else { throw LanguageError("unterminated string", at: here, incomplete: true) }
            if c == "\n" { throw LanguageError("a string cannot span lines; close it with \"", at: here) }
            advance()
            if c == "\"" { return s }
            if c == "\\" {
                let escapeAt = SourceLocation(line: line, column: column - 1)
                guard let e = current else { throw LanguageError("unterminated string", at: here, incomplete: true) }
                if e == "\n" { throw LanguageError("a string cannot span lines (a backslash ends this line); close it with \"", at: here) }
                advance()
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "\"": s.append("\"")
                case "\\": s.append("\\")
                default: throw LanguageError("unknown escape '\\\(e)' (use \\n, \\t, \\\" or \\\\)", at: escapeAt)
                }
            } else {
                s.append(c)
            }
        }
    }
}
