/// A recursive-descent parser for `Grammar/nanoatoms.ebnf`: one function per production.
package struct Parser {
    private let tokens: [Token]
    private var index = 0
    private let commands: Set<String>
    /// How deeply the statement being parsed nests (brackets, loop bodies, calls as
    /// arguments, pipeline stages, members): bounded, so that no later recursive walk of
    /// the tree (checker, interpreter) can overflow the stack.
    private var depth = 0

    /// The deepest nesting a statement may have.
    package static let maximumNesting = 100

    /// Commands whose one argument is a bare word rather than a value.
    package static let wordCommands: Set<String> = ["help", "explain"]

    /// Parses `source`; `commands` are the names that start command calls.
    package static func parse(_ source: String, commands: Set<String>) throws(LanguageError) -> [Statement] {
        var p = Parser(tokens: try Lexer.tokens(source), commands: commands)
        return try p.script(until: nil)
    }

    private init(tokens: [Token], commands: Set<String>) {
        self.tokens = tokens
        self.commands = commands
    }

    private var current: Token { tokens[index] }
    private var kind: Token.Kind { tokens[index].kind }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }
    private func isSymbol(_ c: Character) -> Bool { kind == .symbol(c) }
    private var atSeparator: Bool { kind == .newline || isSymbol(";") }

    private func describe(_ k: Token.Kind) -> String {
        switch k {
        case .identifier(let s): return "'\(s)'"
        case .number(let v): return "the number \(v)"
        case .string: return "a string"
        case .keyword(let s): return "'\(s)'"
        case .symbol(let c): return "'\(c)'"
        case .newline: return "the end of the line"
        case .end: return "the end of the input"
        }
    }

    private func error(_ message: String) -> LanguageError {
        LanguageError(message, at: current.location, incomplete: kind == .end)
    }

    private mutating func expect(_ c: Character, _ what: String) throws(LanguageError) {
        guard isSymbol(c) else { throw error("expected '\(c)' \(what), found \(describe(kind))") }
        advance()
    }

    private mutating func skipNewlines() { while kind == .newline { advance() } }

    /// One level deeper, or an error when that passes ``maximumNesting``.
    private mutating func enter() throws(LanguageError) {
        depth += 1
        guard depth <= Parser.maximumNesting else {
            throw LanguageError("nesting deeper than \(Parser.maximumNesting) levels (brackets, loops, calls as arguments, pipeline stages); split it into statements with variables", at: current.location)
        }
    }

    // script = { separator } , [ statement , { separator , { separator } , [ statement ] } ]
    private mutating func script(until closing: Character?) throws(LanguageError) -> [Statement] {
        var out: [Statement] = []
        while true {
            while atSeparator { advance() }
            if kind == .end {
                if let c = closing { throw LanguageError("expected '\(c)' before the end of the input", at: current.location, incomplete: true) }
                return out
            }
            if let c = closing, isSymbol(c) { return out }
            out.append(try statement())
            guard atSeparator || kind == .end || (closing.map { isSymbol($0) } ?? false) else {
                throw error("unexpected \(describe(kind)) after the statement")
            }
        }
    }

    // statement = assignment | for loop | set statement | expression
    private mutating func statement() throws(LanguageError) -> Statement {
        let here = current.location
        switch kind {
        case .keyword("for"): return try forLoop()
        case .keyword("set"): return try setStatement()
        case .identifier(let name) where tokens[index + 1].kind == .symbol("="):
            // assignment = identifier , "=" , expression
            if commands.contains(name) { throw error("'\(name)' is a command and cannot be a variable's name") }
            advance(); advance()
            guard !atSeparator && kind != .end else { throw error("expected a value after '='") }
            return .assignment(name, try expression(), here)
        default:
            return .expression(try expression())
        }
    }

    // for loop = "for" , identifier , "in" , expression , block
    private mutating func forLoop() throws(LanguageError) -> Statement {
        let here = current.location
        advance()
        guard case .identifier(let name) = kind else { throw error("expected a loop variable after 'for', found \(describe(kind))") }
        if commands.contains(name) { throw error("'\(name)' is a command and cannot be a variable's name") }
        advance()
        guard kind == .keyword("in") else { throw error("expected 'in' after 'for \(name)', found \(describe(kind))") }
        advance()
        let sequence = try expression()
        // block = "{" , script , "}"
        try expect("{", "to open the loop's body")
        try enter()
        let body = try script(until: "}")
        depth -= 1
        try expect("}", "to close the loop's body")
        return .forLoop(name, sequence, body, here)
    }

    // set statement = "set" , identifier , ( word | postfix )
    private mutating func setStatement() throws(LanguageError) -> Statement {
        let here = current.location
        advance()
        guard case .identifier(let option) = kind else { throw error("expected an option name after 'set' (try 'help set')") }
        advance()
        guard !atSeparator && kind != .end else { throw error("expected a value for option '\(option)'") }
        // word = identifier not followed by "." : a bare word such as an element symbol
        if case .identifier(let word) = kind, tokens[index + 1].kind != .symbol(".") {
            let at = current.location
            advance()
            return .set(option, .string(word, at), here)
        }
        return .set(option, try postfix(), here)
    }

    // expression = stage , { "|" , { newline } , command call }
    private mutating func expression() throws(LanguageError) -> Expression {
        var value = try stage()
        let outer = depth
        defer { depth = outer }
        while isSymbol("|") {
            try enter()
            advance()
            skipNewlines()
            guard case .identifier(let name) = kind, commands.contains(name) else {
                throw error("expected a command after '|', found \(describe(kind))")
            }
            var call = try commandCall()
            call.positional.insert(value, at: 0)
            value = .call(call)
        }
        return value
    }

    // stage = command call | postfix
    private mutating func stage() throws(LanguageError) -> Expression {
        if case .identifier(let name) = kind {
            if commands.contains(name) { return .call(try commandCall()) }
            // A name followed by an argument can only be a command call.
            switch tokens[index + 1].kind {
            case .identifier, .number, .string, .keyword("true"), .keyword("false"), .symbol("["):
                let near = commands.map { ($0, editDistanceForParser(name, $0)) }.min { $0.1 < $1.1 }
                let hint = near.flatMap { $0.1 <= max(1, min(3, name.count / 3 + 1)) ? " (did you mean '\($0.0)'?)" : nil } ?? ""
                throw LanguageError("unknown command '\(name)'\(hint)", at: current.location)
            default: break
            }
        }
        return try postfix()
    }

    private var atArgumentEnd: Bool {
        switch kind {
        case .newline, .end: return true
        case .symbol(let c): return ";|)],{}".contains(c)
        default: return false
        }
    }

    // command call = command name , { argument }
    // argument = keyword argument | command call | postfix
    private mutating func commandCall() throws(LanguageError) -> CommandCall {
        guard case .identifier(let name) = kind else { throw error("expected a command") }
        var call = CommandCall(name: name, location: current.location, positional: [], keywords: [])
        advance()
        if Parser.wordCommands.contains(name) {
            // help and explain take a bare word: a command, an option or a keyword.
            switch kind {
            case .identifier(let w), .keyword(let w):
                call.positional.append(.string(w, current.location))
                advance()
            default: break
            }
            guard atArgumentEnd else { throw error("\(name) takes one word, e.g. \(name) denoise") }
            return call
        }
        while !atArgumentEnd {
            if case .identifier(let key) = kind, tokens[index + 1].kind == .symbol("=") {
                // keyword argument = identifier , "=" , postfix
                let at = current.location
                advance(); advance()
                guard !atArgumentEnd else { throw error("expected a value after '\(key)='") }
                call.keywords.append(KeywordArgument(name: key, value: try postfix(), location: at))
            } else if case .identifier(let inner) = kind, commands.contains(inner) {
                try enter()
                call.positional.append(.call(try commandCall()))
                depth -= 1
            } else {
                call.positional.append(try postfix())
            }
        }
        return call
    }

    // postfix = primary , { "." , identifier }
    private mutating func postfix() throws(LanguageError) -> Expression {
        var value = try primary()
        let outer = depth
        defer { depth = outer }
        while isSymbol(".") {
            try enter()
            let at = current.location
            advance()
            guard case .identifier(let member) = kind else { throw error("expected a member name after '.'") }
            advance()
            value = .member(value, member, at)
        }
        return value
    }

    // primary = number | string | boolean | list | variable | "(" , expression , ")"
    private mutating func primary() throws(LanguageError) -> Expression {
        let here = current.location
        switch kind {
        case .number(let v): advance(); return .number(v, here)
        case .string(let s): advance(); return .string(s, here)
        case .keyword("true"): advance(); return .bool(true, here)
        case .keyword("false"): advance(); return .bool(false, here)
        case .identifier(let name):
            advance()
            return .variable(name, here)
        case .symbol("("):
            try enter()
            defer { depth -= 1 }
            advance()
            let e = try expression()
            try expect(")", "to close the '(' at \(here)")
            return e
        case .symbol("["):
            // list = "[" , [ expression , { "," , expression } ] , "]"
            try enter()
            defer { depth -= 1 }
            advance()
            var items: [Expression] = []
            if !isSymbol("]") {
                items.append(try expression())
                while isSymbol(",") {
                    advance()
                    items.append(try expression())
                }
            }
            try expect("]", "to close the list opened at \(here)")
            return .list(items, here)
        default:
            throw error("expected a value, found \(describe(kind))")
        }
    }
}
