/// A recursive-descent parser for `Grammar/nanoatoms.ebnf`: one function per production.
package struct Parser {
    private let tokens: [Token]
    private var index = 0
    /// The names that start command calls: the declared commands, the user's, and those a
    /// `def` earlier in this text adds.
    private var commands: Set<String>
    /// The source's lines, for the `#` comments above a `def` (its help).
    private let lines: [String]
    /// How deeply the statement being parsed nests (brackets, blocks, calls as arguments,
    /// pipeline stages, operators): bounded, so that no later recursive walk of the tree
    /// (checker, interpreter) can overflow the stack.
    private var depth = 0
    /// Inside a command's arguments, shell style: `print a -1` is two arguments.
    private var inArguments = false
    /// How many `def` bodies enclose the statement being parsed.
    private var definitions = 0

    /// The deepest nesting a statement may have.
    package static let maximumNesting = 100

    /// Commands whose one argument is a bare word rather than a value.
    package static let wordCommands: Set<String> = ["help", "explain"]

    /// Parses `source`; `commands` are the names that start command calls.
    package static func parse(_ source: String, commands: Set<String>) throws(LanguageError) -> [Statement] {
        var p = Parser(tokens: try Lexer.tokens(source), commands: commands, lines: SourceText.lines(source))
        return try p.script(until: nil)
    }

    private init(tokens: [Token], commands: Set<String>, lines: [String]) {
        self.tokens = tokens
        self.commands = commands
        self.lines = lines
    }

    private var current: Token { tokens[index] }
    private var kind: Token.Kind { tokens[index].kind }
    private var next: Token { tokens[min(index + 1, tokens.count - 1)] }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }
    private func isSymbol(_ c: Character) -> Bool { kind == .symbol(c) }
    private func isKeyword(_ w: String) -> Bool { kind == .keyword(w) }
    private var atSeparator: Bool { kind == .newline || isSymbol(";") }

    private func describe(_ k: Token.Kind) -> String {
        switch k {
        case .identifier(let s): return "'\(s)'"
        case .number(let v): return "the number \(formatNumber(v))"
        case .string: return "a string"
        case .path(let p): return "the path \(p)"
        case .keyword(let s): return "'\(s)'"
        case .symbol(let c): return "'\(c)'"
        case .op(let o): return "'\(o)'"
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
            throw LanguageError("nesting deeper than \(Parser.maximumNesting) levels (brackets, blocks, calls as arguments, pipeline stages, operators); split it into statements with variables", at: current.location)
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
                if isSymbol("=") { throw error("unexpected '=' after the statement (to compare, write ==)") }
                throw error("unexpected \(describe(kind)) after the statement")
            }
        }
    }

    // statement = assignment | for loop | if statement | definition | return statement
    //           | set statement | expression
    private mutating func statement() throws(LanguageError) -> Statement {
        let here = current.location
        switch kind {
        case .keyword("for"): return try forLoop()
        case .keyword("set"): return try setStatement()
        case .keyword("if"): return try conditional()
        case .keyword("def"): return try definition()
        case .keyword("return"):
            // return statement = "return" , [ expression ]
            guard definitions > 0 else { throw error("'return' outside a def (it ends a command you defined)") }
            advance()
            if atSeparator || kind == .end || isSymbol("}") { return .returnStatement(nil, here) }
            return .returnStatement(try expression(), here)
        case .keyword("else"):
            throw error("'else' must follow the '}' of an if on the same line: if c { … } else { … }")
        case .identifier(let name) where next.kind == .symbol("="):
            // assignment = identifier , "=" , expression
            if commands.contains(name) { throw error("'\(name)' is a command and cannot be a variable's name") }
            advance(); advance()
            guard !atSeparator && kind != .end else { throw error("expected a value after '='") }
            return .assignment(name, try expression(), here)
        default:
            return .expression(try expression())
        }
    }

    // block = "{" , script , "}"
    private mutating func block(_ what: String) throws(LanguageError) -> [Statement] {
        try expect("{", "to open \(what)")
        try enter()
        let body = try script(until: "}")
        depth -= 1
        try expect("}", "to close \(what)")
        return body
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
        return .forLoop(name, sequence, try block("the loop's body"), here)
    }

    // if statement = "if" , expression , block , { "else" , "if" , expression , block } , [ "else" , block ]
    private mutating func conditional() throws(LanguageError) -> Statement {
        let here = current.location
        var branches: [(condition: Expression?, body: [Statement])] = []
        advance()
        guard !atSeparator && !isSymbol("{") else { throw error("expected a condition after 'if'") }
        let first = try expression()
        branches.append((first, try block("the if's body")))
        while isKeyword("else") {
            advance()
            if isKeyword("if") {
                advance()
                let c = try expression()
                branches.append((c, try block("the else-if's body")))
            } else {
                branches.append((nil, try block("the else's body")))
                break
            }
        }
        return .conditional(branches, here)
    }

    // definition = "def" , identifier , "(" , [ identifier , { "," , identifier } ] , ")" , block
    private mutating func definition() throws(LanguageError) -> Statement {
        let here = current.location
        guard definitions == 0 && depth == 0 else { throw error("'def' only at the top level of a script, not inside a block") }
        advance()
        guard case .identifier(let name) = kind else { throw error("expected the new command's name after 'def', found \(describe(kind))") }
        if Interpreter.commands[name] != nil { throw error("'\(name)' is a built-in command; choose another name") }
        advance()
        try expect("(", "after 'def \(name)' (its parameters, e.g. def \(name)(tab) { … })")
        var parameters: [String] = []
        skipNewlines()
        while !isSymbol(")") {
            guard case .identifier(let p) = kind else { throw error("expected a parameter name, found \(describe(kind))") }
            if commands.contains(p) && p != name { throw error("'\(p)' is a command and cannot be a parameter's name") }
            if parameters.contains(p) { throw error("the parameter '\(p)' is given twice") }
            parameters.append(p)
            advance()
            skipNewlines()
            if isSymbol(",") { advance(); skipNewlines() } else if !isSymbol(")") { throw error("expected ',' or ')' after the parameter '\(p)'") }
        }
        advance()
        commands.insert(name)        // the body and the rest of the text may call it
        definitions += 1
        let body = try block("the body of '\(name)'")
        definitions -= 1
        // The help: the '#' lines right above 'def', top to bottom.
        var doc: [String] = []
        var l = here.line - 1
        while l >= 1, l <= lines.count {
            let t = lines[l - 1].trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("#") else { break }
            doc.insert(String(t.dropFirst()).trimmingCharacters(in: .whitespaces), at: 0)
            l -= 1
        }
        return .definition(FunctionDefinition(name: name, parameters: parameters, body: body,
                                              documentation: doc.joined(separator: "\n"), location: here))
    }

    // set statement = "set" , identifier , ( word | value )
    private mutating func setStatement() throws(LanguageError) -> Statement {
        let here = current.location
        advance()
        guard case .identifier(let option) = kind else { throw error("expected an option name after 'set' (try 'help set')") }
        advance()
        guard !atSeparator && kind != .end else { throw error("expected a value for option '\(option)'") }
        // word = identifier not followed by "." : a bare word such as an element symbol
        if case .identifier(let word) = kind, next.kind != .symbol(".") {
            let at = current.location
            advance()
            return .set(option, .string(word, at), here)
        }
        return .set(option, try value(), here)
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
            guard case .identifier(let name) = kind, let command = commandName(name) else {
                throw error("expected a command after '|', found \(describe(kind))")
            }
            var call = try commandCall(as: command)
            call.positional.insert(value, at: 0)
            value = .call(call)
        }
        return value
    }

    /// Whether the current token can start an argument of a call (so a name before it can
    /// only be a command).
    private var startsArgument: Bool {
        guard current.spaced else { return false }
        switch kind {
        case .identifier, .number, .string, .path, .keyword("true"), .keyword("false"), .symbol("["): return true
        default: return false
        }
    }

    /// The command `name` calls: itself, or the one command it is a unique prefix of
    /// (ChimeraX style: `den map` is `denoise map`). nil when it is neither.
    private func commandName(_ name: String) -> String? {
        if commands.contains(name) { return name }
        guard name.count >= 2 else { return nil }
        let matches = commands.filter { $0.hasPrefix(name) }
        return matches.count == 1 ? matches.first : nil
    }

    // stage = value   (a command call is a primary)
    private mutating func stage() throws(LanguageError) -> Expression {
        if case .identifier(let name) = kind, !commands.contains(name), tokens[index + 1].kind != .symbol(".") {
            // A name followed by an argument can only be a command call.
            let saved = index
            advance()
            let argumentFollows = startsArgument
            index = saved
            if argumentFollows {
                if let command = commandName(name) { return .call(try commandCall(as: command)) }
                let prefixed = commands.filter { $0.hasPrefix(name) }.sorted()
                if prefixed.count > 1 {
                    throw LanguageError("'\(name)' is the start of several commands (\(prefixed.joined(separator: ", "))): type more of it", at: current.location)
                }
                let near = commands.map { ($0, editDistanceForParser(name, $0)) }.min { $0.1 < $1.1 }
                let hint = near.flatMap { $0.1 <= max(1, min(3, name.count / 3 + 1)) ? " (did you mean '\($0.0)'?)" : nil } ?? ""
                throw LanguageError("unknown command '\(name)'\(hint)", at: current.location)
            }
        }
        return try value()
    }

    private var atArgumentEnd: Bool {
        switch kind {
        case .newline, .end: return true
        case .symbol(let c): return ";|)],{}:".contains(c)
        default: return false
        }
    }

    // command call = command name , { argument }
    // argument = keyword argument | value
    private mutating func commandCall(as name: String) throws(LanguageError) -> CommandCall {
        var call = CommandCall(name: name, location: current.location, positional: [], keywords: [])
        advance()
        let outerArguments = inArguments
        inArguments = true
        defer { inArguments = outerArguments }
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
            if case .keyword(let w) = kind, ["where", "and", "or", "else", "in"].contains(w) {
                throw error("'\(w)' cannot start an argument")
            }
            if case .identifier(let key) = kind, next.kind == .symbol("=") {
                // keyword argument = identifier , "=" , value
                let at = current.location
                advance(); advance()
                guard !atArgumentEnd else { throw error("expected a value after '\(key)='") }
                call.keywords.append(KeywordArgument(name: key, value: try value(), location: at))
            } else {
                call.positional.append(try value())
            }
            if isSymbol("=") { throw error("unexpected '=' (to compare, write ==; a keyword argument is name=value)") }
        }
        return call
    }

    // value = selection ;  selection = disjunction , { "where" , disjunction }
    private mutating func value() throws(LanguageError) -> Expression {
        let outer = depth
        defer { depth = outer }
        var left = try disjunction()
        while isKeyword("where") {
            try enter()
            let at = current.location
            advance()
            skipNewlines()
            left = .selection(left, try disjunction(), at)
        }
        return left
    }

    // disjunction = conjunction , { "or" , conjunction }
    private mutating func disjunction() throws(LanguageError) -> Expression {
        try leftAssociative({ $0.isKeyword("or") ? .or : nil }) { (p: inout Parser) throws(LanguageError) in try p.conjunction() }
    }

    // conjunction = negation , { "and" , negation }
    private mutating func conjunction() throws(LanguageError) -> Expression {
        try leftAssociative({ $0.isKeyword("and") ? .and : nil }) { (p: inout Parser) throws(LanguageError) in try p.negation() }
    }

    // negation = "not" , negation | comparison
    private mutating func negation() throws(LanguageError) -> Expression {
        if isKeyword("not") {
            try enter()
            let at = current.location
            advance()
            return .unary(.not, try negation(), at)
        }
        return try comparison()
    }

    /// The binary operator at the current token among `allowed`, if it continues the value:
    /// in arguments, `+` or `-` with space before and none after starts the next argument.
    private func binaryOperator(_ allowed: Set<String>) -> BinaryOperator? {
        guard case .op(let o) = kind, allowed.contains(o) else { return nil }
        if inArguments && (o == "-" || o == "+") && current.spaced && !next.spaced { return nil }
        return BinaryOperator(rawValue: o)
    }

    // comparison = sum , [ ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) , sum ]
    private mutating func comparison() throws(LanguageError) -> Expression {
        let comparisons: Set<String> = ["<", "<=", ">", ">=", "==", "!="]
        let left = try sum()
        guard let op = binaryOperator(comparisons) else { return left }
        try enter()
        let at = current.location
        advance(); skipNewlines()
        let right = try sum()
        if binaryOperator(comparisons) != nil {
            throw error("comparisons do not chain: write a < b and b < c")
        }
        return .binary(op, left, right, at)
    }

    // sum = product , { ( "+" | "-" ) , product }
    private mutating func sum() throws(LanguageError) -> Expression {
        try leftAssociative({ $0.binaryOperator(["+", "-"]) }) { (p: inout Parser) throws(LanguageError) in try p.product() }
    }

    // product = unary , { ( "*" | "/" ) , unary }
    private mutating func product() throws(LanguageError) -> Expression {
        try leftAssociative({ $0.binaryOperator(["*", "/"]) }) { (p: inout Parser) throws(LanguageError) in try p.unary() }
    }

    /// operand , { operator , operand }, grouped to the left: a - b - c is (a - b) - c.
    /// `match` names the operator at the current token, nil where the value ends.
    private mutating func leftAssociative(_ match: (Parser) -> BinaryOperator?,
                                          _ operand: (inout Parser) throws(LanguageError) -> Expression) throws(LanguageError) -> Expression {
        var left = try operand(&self)
        while let op = match(self) {
            try enter()
            let at = current.location
            advance(); skipNewlines()
            left = .binary(op, left, try operand(&self), at)
        }
        return left
    }

    // unary = "-" , unary | power
    private mutating func unary() throws(LanguageError) -> Expression {
        if kind == .op("-") || kind == .op("+") {
            try enter()
            let at = current.location
            let negative = kind == .op("-")
            advance()
            let operand = try unary()
            // A literal's sign folds into it: -2 is the number -2.
            if negative, case .number(let v, _) = operand { return .number(-v, at) }
            return negative ? .unary(.negate, operand, at) : operand
        }
        return try power()
    }

    // power = postfix , [ "^" , unary ]   (right-associative: 2^3^2 = 2^9; -2^2 = -4)
    private mutating func power() throws(LanguageError) -> Expression {
        let base = try postfix()
        guard kind == .op("^") else { return base }
        try enter()
        let at = current.location
        advance(); skipNewlines()
        return .binary(.power, base, try unary(), at)
    }

    // postfix = primary , { "." , identifier | "[" , index , "]" }   ("[" right after, no space)
    // index = value | [ value ] , ":" , [ value ]
    private mutating func postfix() throws(LanguageError) -> Expression {
        var value = try primary()
        let outer = depth
        defer { depth = outer }
        while true {
            if isSymbol(".") {
                try enter()
                let at = current.location
                advance()
                guard case .identifier(let member) = kind else { throw error("expected a member name after '.'") }
                advance()
                value = .member(value, member, at)
            } else if isSymbol("["), !current.spaced {
                try enter()
                let at = current.location
                let outerArguments = inArguments
                inArguments = false
                defer { inArguments = outerArguments }
                advance()
                var from: Expression? = nil
                if !isSymbol(":") { from = try self.value() }
                if isSymbol(":") {
                    advance()
                    let to: Expression? = isSymbol("]") ? nil : try self.value()
                    try expect("]", "to close the slice opened at \(at)")
                    value = .slice(value, from, to, at)
                } else {
                    try expect("]", "to close the index opened at \(at)")
                    value = .index(value, from!, at)
                }
            } else {
                return value
            }
        }
    }

    // primary = number | string | path | boolean | list | command call | variable
    //         | "(" , expression , ")"
    private mutating func primary() throws(LanguageError) -> Expression {
        let here = current.location
        switch kind {
        case .number(let v): advance(); return .number(v, here)
        case .string(let s): advance(); return .string(s, here)
        case .path(let p): advance(); return .string(p, here)
        case .keyword("true"): advance(); return .bool(true, here)
        case .keyword("false"): advance(); return .bool(false, here)
        case .identifier(let name):
            if commands.contains(name) {
                // A command's name in value position starts a nested call taking the rest.
                try enter()
                defer { depth -= 1 }
                return .call(try commandCall(as: name))
            }
            advance()
            return .variable(name, here)
        case .symbol("("):
            try enter()
            defer { depth -= 1 }
            let outerArguments = inArguments
            inArguments = false
            defer { inArguments = outerArguments }
            advance()
            let e = try expression()
            try expect(")", "to close the '(' at \(here)")
            return e
        case .symbol("["):
            // list = "[" , [ expression , { "," , expression } ] , "]"
            try enter()
            defer { depth -= 1 }
            let outerArguments = inArguments
            inArguments = false
            defer { inArguments = outerArguments }
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
        case .keyword(let w) where ["where", "and", "or"].contains(w):
            throw error("expected a value before '\(w)'")
        case .op(let o):
            throw error("expected a value before '\(o)'")
        default:
            throw error("expected a value, found \(describe(kind))")
        }
    }
}
