import Foundation
import NanoAtomsEngine

/// Options that `set` changes for the rest of a session or script.
public struct SessionOptions: Sendable {
    /// The element of the particle, for commands that need one and get none from their input.
    public var element: Element? = nil
    /// Threads for the large steps.
    public var threads = Parallel.availableCores
    /// Whether bare expressions print their value.
    public var echo = true
    /// The option names `set` accepts.
    public static let names = ["element", "threads", "echo"]
}

/// Runs statements of the language: holds the variables, the options and the session's
/// transcript. Commands call the engine; nothing scientific is computed here.
public final class Interpreter: @unchecked Sendable {
    /// The declared commands by name.
    package static let commands: [String: CommandDeclaration] = {
        var table: [String: CommandDeclaration] = [:]
        for c in allCommands { table[c.name] = c }
        return table
    }()
    /// The command names, for the parser.
    public static let commandNames: Set<String> = Set(commands.keys)

    /// The commands defined with `def` in this session, by name.
    package private(set) var userCommands: [String: FunctionDefinition] = [:]
    /// Each user command's source lines, for errors inside its body.
    private var userCommandLines: [String: [String]] = [:]
    /// The names that call commands here: the built-in ones and the user's.
    public var commandNamesInScope: Set<String> { Interpreter.commandNames.union(userCommands.keys) }

    /// What stops the statements being run: a `return` with its value, or `quit`.
    enum Unwinding { case returning(Value), quitting }
    /// Set by `return` and `quit`; loops and blocks stop while it is set.
    var unwinding: Unwinding? = nil
    /// Whether `quit` or `exit` ran: the shell leaves, a script stops (successfully).
    public var quitRequested: Bool { if case .quitting = unwinding { return true }; return false }
    /// How deeply user commands are calling each other now.
    private var callDepth = 0
    /// The deepest user commands may call each other (a command that calls itself forever
    /// stops here, with an error, long before the stack runs out).
    public static let maximumCallDepth = 64
    /// How deeply ``evaluate(_:)`` is nested now.
    private var evaluationDepth = 0
    /// The deepest it may nest (each level takes a few kB of stack; the main thread has 8 MB).
    static let maximumEvaluationDepth = 1500
    /// Inside `where` conditions: the atoms whose columns bare names mean, innermost last.
    private var columnScopes: [AtomSet] = []
    /// Names with a fixed value, used when no variable of that name exists.
    static let constants: [String: Double] = ["pi": Double.pi, "inf": Double.infinity, "nan": Double.nan]
    /// Statements the transcript leaves out: they only look, and change nothing.
    static let unrecordedCommands: Set<String> = ["help", "explain", "vars", "transcript", "ls", "pwd"]

    /// Variables by name.
    public private(set) var variables: [String: Value] = [:]
    /// Session options.
    public var options = SessionOptions()
    /// Where printed output goes.
    public var write: (String) -> Void
    /// Where figures go when the front end can show them (a notebook shows SVG inline); nil
    /// for a terminal, where `plot` without a file draws its quick text view instead.
    public var showFigure: ((_ svg: String, _ description: String) -> Void)? = nil
    /// The source text of every statement that succeeded at the top level, in order.
    public private(set) var transcript: [String] = []
    /// Nesting depth of `source`.
    var sourceDepth = 0
    /// Statements, loop passes and command calls run since the outermost `run` began.
    var steps = 0
    /// The most steps one top-level `run` may take: loops nested deep over long lists (or a
    /// script that sources itself in a loop) would otherwise run for longer than the universe.
    /// No real analysis comes near: each step that does work takes milliseconds.
    public static let maximumSteps = 1_000_000
    /// Set by Ctrl-C in the shell: the running statement stops at its next check (each
    /// command, each loop pass, each stage of `build`) and changes nothing.
    public let cancellation: Cancellation

    /// An interpreter whose output goes to `write`, with `arguments` visible as the list `args`.
    public init(arguments: [String] = [], cancellation: Cancellation = Cancellation(), write: @escaping (String) -> Void = { print($0) }) {
        self.write = write
        self.cancellation = cancellation
        variables["args"] = .list(arguments.map { .string($0) })
    }

    /// Parses `source` and runs its statements in order, stopping at the first error, which
    /// carries the location. A failed statement leaves every variable as it was. With
    /// `recordTranscript`, each successful statement's text joins the transcript.
    public func run(_ source: String, recordTranscript: Bool = false) throws(LanguageError) {
        if sourceDepth == 0 { steps = 0 }
        let statements = try Parser.parse(source, commands: commandNamesInScope)
        let lines = SourceText.lines(source)
        for (n, statement) in statements.enumerated() {
            if case .definition(let d) = statement { userCommandLines[d.name] = lines }
            try execute(statement)
            if recordTranscript && !Interpreter.onlyLooks(statement) {
                var text = Interpreter.text(of: statement, next: n + 1 < statements.count ? statements[n + 1].location : nil, lines: lines)
                // A definition keeps its help: the # lines above it.
                if case .definition(let d) = statement, !d.documentation.isEmpty {
                    text = d.documentation.split(separator: "\n", omittingEmptySubsequences: false).map { "# " + $0 }.joined(separator: "\n") + "\n" + text
                }
                transcript.append(text)
            }
            if quitRequested { return }
        }
    }

    /// Whether a statement only looks (help, explain, vars, ...): the transcript leaves it out.
    static func onlyLooks(_ statement: Statement) -> Bool {
        if case .expression(.call(let c)) = statement { return unrecordedCommands.contains(c.name) }
        return false
    }

    /// The source text of a statement: from its start to the next statement's start (or the end).
    static func text(of statement: Statement, next: SourceLocation?, lines: [String]) -> String {
        let start = statement.location
        let endLine = next?.line ?? lines.count
        var parts: [String] = []
        for l in start.line...max(start.line, min(endLine, lines.count)) {
            var line = Array(lines[l - 1])
            if l == endLine, let n = next, n.line == l { line = Array(line.prefix(n.column - 1)) }
            if l == start.line { line = Array(line.dropFirst(start.column - 1)) }
            parts.append(String(line))
        }
        // Comment lines between this statement and the next belong to the next (a def's help).
        while parts.count > 1, let last = parts.last?.trimmingCharacters(in: .whitespaces), last.isEmpty || last.hasPrefix("#") {
            parts.removeLast()
        }
        var text = parts.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text.removeLast(); text = text.trimmingCharacters(in: .whitespaces) }
        return text
    }

    /// Runs one statement; on error every variable is restored.
    package func execute(_ statement: Statement) throws(LanguageError) {
        let saved = variables, savedCommands = userCommands
        do {
            try perform(statement)
        } catch {
            variables = saved
            userCommands = savedCommands
            unwinding = nil
            callDepth = 0
            evaluationDepth = 0
            columnScopes = []
            throw error
        }
    }

    private func perform(_ statement: Statement) throws(LanguageError) {
        switch statement {
        case .assignment(let name, let e, _):
            variables[name] = try evaluate(e)
        case .expression(let e):
            let v = try evaluate(e)
            if case .none = v { return }
            if options.echo && callDepth == 0 { write(v.summary) }
        case .forLoop(let name, let e, let body, let at):
            guard case .list(let items) = try evaluate(e) else {
                throw LanguageError("'for' needs a list to loop over (e.g. glob \"*.mrc\")", at: at)
            }
            for item in items {
                try checkCancellation(at: at)
                try countStep(at: at)
                variables[name] = item
                try perform(body)
                if unwinding != nil { return }
            }
        case .set(let option, let e, let at):
            try setOption(option, try evaluate(e), at: at)
        case .conditional(let branches, _):
            for (condition, body) in branches {
                if let condition {
                    let v = try evaluate(condition)
                    guard case .bool(let b) = v else {
                        throw LanguageError("'if' needs true or false, not \(Operators.article(v))\(v.type == .list ? " (a list: use count, or 'and' over it with a comparison per item)" : "")", at: condition.errorLocation)
                    }
                    guard b else { continue }
                }
                try perform(body)
                return
            }
        case .definition(let d):
            userCommands[d.name] = d
        case .returnStatement(let e, _):
            unwinding = .returning(try e.map { e throws(LanguageError) in try evaluate(e) } ?? .none)
        }
    }

    /// Runs statements in order until one sets ``unwinding``.
    private func perform(_ body: [Statement]) throws(LanguageError) {
        for s in body {
            try perform(s)
            if unwinding != nil { return }
        }
    }

    /// Stops the session or script after the running statement (`quit`, `exit`).
    func requestQuit() { unwinding = .quitting }

    /// Runs a command defined with `def`: its parameters bound to `values`, the caller's
    /// variables visible but not changed; the value of its `return`, else nothing.
    private func call(_ f: FunctionDefinition, _ call: CommandCall, values: [Value]) throws(LanguageError) -> Value {
        guard call.keywords.isEmpty else {
            throw LanguageError("\(f.name) takes positional arguments only: \(f.name) \(f.parameters.joined(separator: " "))", at: call.keywords[0].location)
        }
        guard values.count == f.parameters.count else {
            throw LanguageError("\(f.name) takes \(f.parameters.count) argument\(f.parameters.count == 1 ? "" : "s") (\(f.parameters.joined(separator: ", "))), not \(values.count)", at: call.location)
        }
        guard callDepth < Interpreter.maximumCallDepth else {
            throw LanguageError("\(f.name): commands calling each other \(Interpreter.maximumCallDepth) deep: does '\(f.name)' call itself without end?", at: call.location)
        }
        try countStep(at: call.location)
        let caller = variables, scopes = columnScopes
        for (p, v) in zip(f.parameters, values) { variables[p] = v }
        columnScopes = []
        callDepth += 1
        defer { callDepth -= 1; variables = caller; columnScopes = scopes }
        do {
            try perform(f.body)
        } catch {
            // Point into the definition, which may have been typed in an earlier entry.
            let prefix = "in \(f.name): "
            var e = LanguageError(error.message.hasPrefix(prefix) ? error.message : prefix + error.message, at: error.location)
            e.file = error.file ?? "def \(f.name)"
            e.lineText = error.lineText ?? error.location.flatMap { l in userCommandLines[f.name].flatMap { l.line - 1 < $0.count ? $0[l.line - 1] : nil } }
            throw e
        }
        if case .returning(let v) = unwinding { unwinding = nil; return v }
        return .none
    }

    /// Changes a session option.
    func setOption(_ option: String, _ value: Value, at: SourceLocation) throws(LanguageError) {
        switch (option, value) {
        case ("element", .string(let s)):
            guard let e = Element.named(s) else {
                throw LanguageError("unknown element '\(s)' (known: \(Element.all.map(\.symbol).joined(separator: ", ")))", at: at)
            }
            options.element = e
        case ("element", _):
            throw LanguageError("'set element' takes an element symbol, e.g. set element Pt", at: at)
        case ("threads", .number(let n)) where n == n.rounded() && Double(Limits.threads.lowerBound)...Double(Limits.threads.upperBound) ~= n:
            options.threads = Int(n)
        case ("threads", _):
            throw LanguageError("'set threads' takes a whole number from \(Limits.threads.lowerBound) to \(Limits.threads.upperBound)", at: at)
        case ("echo", .bool(let b)):
            options.echo = b
        case ("echo", _):
            throw LanguageError("'set echo' takes true or false", at: at)
        default:
            throw LanguageError("unknown option '\(option)'\(suggestion(for: option, among: SessionOptions.names)); options: \(SessionOptions.names.joined(separator: ", "))", at: at)
        }
    }

    /// The element for a step: the input's, else the session's, else an error saying how to set it.
    func element(from candidates: Element?..., at: SourceLocation, command: String) throws(LanguageError) -> Element {
        for c in candidates { if let c { return c } }
        if let e = options.element { return e }
        throw LanguageError("\(command): which element? Say 'set element Pt' (or Au, Pd, ...) first", at: at)
    }

    /// Evaluates an expression.
    package func evaluate(_ e: Expression) throws(LanguageError) -> Value {
        // Commands of the user's calling each other, each with deeply nested expressions,
        // could nest deeper than the stack holds: stop with an error well before.
        evaluationDepth += 1
        defer { evaluationDepth -= 1 }
        guard evaluationDepth <= Interpreter.maximumEvaluationDepth else {
            throw LanguageError("expressions and commands nested more than \(Interpreter.maximumEvaluationDepth) deep: a command calling itself through deep expressions?", at: e.location)
        }
        switch e {
        case .number(let v, _): return .number(v)
        case .string(let s, _): return .string(s)
        case .bool(let b, _): return .bool(b)
        case .list(let items, _):
            var out: [Value] = []
            for i in items { out.append(try evaluate(i)) }
            return .list(out)
        case .variable(let name, let at):
            if let atoms = columnScopes.last, let column = Selection.column(name, of: atoms) { return column }
            if let v = variables[name] { return v }
            if let c = Interpreter.constants[name] { return .number(c) }
            if let atoms = columnScopes.last {
                throw LanguageError("the atoms have no column '\(name)'\(suggestion(for: name, among: Selection.columnNames(of: atoms)))", at: at)
            }
            throw LanguageError("unknown variable '\(name)'\(suggestion(for: name, among: Array(variables.keys) + Array(commandNamesInScope)))", at: at)
        case .member(let base, let name, let at):
            let v = try evaluate(base)
            if let m = v.member(name) { return m }
            let names = v.memberNames
            if names.isEmpty { throw LanguageError("a \(v.type.rawValue) has no members", at: at) }
            throw LanguageError("a \(v.type.rawValue) has no member '\(name)'\(suggestion(for: name, among: names))", at: at)
        case .call(let call):
            return try invoke(call)
        case .unary(let op, let operand, let at):
            return try Operators.apply(op, try evaluate(operand), at: at)
        case .binary(let op, let l, let r, let at):
            let left = try evaluate(l)
            // and / or on single values look at the right side only when they must.
            if op == .and || op == .or, case .bool(let b) = left {
                if op == .and && !b { return .bool(false) }
                if op == .or && b { return .bool(true) }
                let right = try evaluate(r)
                guard case .bool = right else { return try Operators.apply(op, left, right, at: at) }
                return right
            }
            return try Operators.apply(op, left, try evaluate(r), at: at)
        case .index(let base, let i, let at):
            return try Selection.index(try evaluate(base), by: try evaluate(i), at: at)
        case .slice(let base, let from, let to, let at):
            let b = try evaluate(base)
            let f = try from.map { e throws(LanguageError) in try evaluate(e) }
            let t = try to.map { e throws(LanguageError) in try evaluate(e) }
            return try Selection.slice(b, from: f, to: t, at: at)
        case .selection(let base, let condition, let at):
            let b = try evaluate(base)
            guard let atoms = Selection.atoms(of: b) else {
                throw LanguageError("'where' selects atoms or a table's rows, not \(Operators.article(b))\(b.type == .list ? " (to filter a list, index it with a condition: list[list > 0])" : "")", at: at)
            }
            columnScopes.append(atoms)
            defer { columnScopes.removeLast() }
            let keep = try evaluate(condition)
            return try Selection.select(b, where: keep, at: condition.errorLocation)
        }
    }

    /// Binds a call's arguments to the command's parameters (``ArgumentBinder``), stopping at
    /// the first problem, and fills in the defaults.
    func bind(_ call: CommandCall, _ values: [Value], _ keywordValues: [Value]) throws(LanguageError) -> Arguments {
        guard let decl = Interpreter.commands[call.name] else {
            throw LanguageError("unknown command '\(call.name)'\(suggestion(for: call.name, among: Array(Interpreter.commandNames)))", at: call.location)
        }
        let positional = zip(call.positional, values).map { ArgumentBinder.Argument($1, at: $0.location) }
        let keywords = zip(call.keywords, keywordValues).map { ArgumentBinder.Argument($1, at: $0.value.location) }
        let bound = try ArgumentBinder.bind(call, to: decl, positional: positional, keywords: keywords) { (e: LanguageError) throws(LanguageError) in throw e }
        var values: [String: Value] = [:]
        for p in decl.parameters { values[p.name] = bound[p.name]?.value ?? p.defaultValue }
        return Arguments(values: values, command: decl.name, location: call.location)
    }

    /// Evaluates the arguments of a call and runs its command.
    func invoke(_ call: CommandCall) throws(LanguageError) -> Value {
        if Interpreter.commands[call.name] == nil, let f = userCommands[call.name] {
            var values: [Value] = []
            for a in call.positional { values.append(try evaluate(a)) }
            return try self.call(f, call, values: values)
        }
        var values: [Value] = [], keywordValues: [Value] = []
        let words = Interpreter.choiceWords(call.name)
        for (k, a) in call.positional.enumerated() {
            values.append(try evaluateArgument(a, words: words, asText: Interpreter.takesText(call, position: k)))
        }
        for k in call.keywords {
            keywordValues.append(try evaluateArgument(k.value, words: words, asText: Interpreter.takesText(call.name, keyword: k.name)))
        }
        let args = try bind(call, values, keywordValues)
        let decl = Interpreter.commands[call.name]!
        try checkCancellation(at: call.location)
        try countStep(at: call.location)
        do {
            let result = try decl.run(args, self)
            // A result that finished after Ctrl-C is dropped too: the statement is undone whole.
            try checkCancellation(at: call.location)
            return result
        } catch is Interrupted {
            throw Interpreter.interruption(at: call.location)
        } catch let e as LanguageError {
            if e.location == nil {
                let message = e.message.hasPrefix(call.name + ":") ? e.message : "\(call.name): \(e.message)"
                var l = LanguageError(message, at: call.location)
                l.file = e.file
                return try rethrow(l)
            }
            throw e
        } catch let e as EngineError {
            throw LanguageError("\(call.name): \(e.description)", at: call.location)
        } catch {
            throw LanguageError("\(call.name): \(error)", at: call.location)
        }
    }

    /// The words a command accepts bare (its parameters' choices), e.g. `simulate cuboctahedron`.
    static func choiceWords(_ command: String) -> Set<String> {
        Set(commands[command]?.parameters.compactMap(\.choices).flatMap { $0 } ?? [])
    }

    /// Whether the keyword argument `keyword` of `command` takes text (a column's name,
    /// a choice): a bare word there that is no variable is the text itself (`by=uiso`).
    static func takesText(_ command: String, keyword: String) -> Bool {
        guard let decl = commands[command] else { return false }
        let named = decl.parameters.first { $0.name == keyword } ?? {
            let p = decl.parameters.filter { $0.name.hasPrefix(keyword) }
            return p.count == 1 ? p[0] : nil
        }()
        return named.map { $0.types.contains(.string) && !$0.isPath } ?? false
    }

    /// Whether the `k`-th positional argument of `call` binds to a parameter that takes a
    /// choice of words (`fitdepth tab cnn` then says which words are allowed, while
    /// `fitdepth tabb cn` is still an unknown variable).
    static func takesText(_ call: CommandCall, position k: Int) -> Bool {
        guard let decl = commands[call.name] else { return false }
        let given = Set(call.keywords.map(\.name))
        let free = decl.parameters.filter { $0.positional && !given.contains($0.name) }
        guard let p = k < free.count ? free[k] : free.last.flatMap({ $0.variadic ? $0 : nil }) else { return false }
        return p.choices != nil
    }

    /// An argument's value: a bare word that is one of the command's choices, or stands
    /// where text is taken (`asText`), and is no variable is taken as text; a wrong one is
    /// then the binder's to name with the allowed values.
    private func evaluateArgument(_ e: Expression, words: Set<String>, asText: Bool = false) throws(LanguageError) -> Value {
        if case .variable(let name, _) = e, variables[name] == nil, Interpreter.constants[name] == nil, columnScopes.isEmpty,
           words.contains(name) || asText {
            return .string(name)
        }
        return try evaluate(e)
    }

    private func rethrow(_ e: LanguageError) throws(LanguageError) -> Value { throw e }

    /// The error of a statement stopped by Ctrl-C.
    static func interruption(at location: SourceLocation) -> LanguageError {
        LanguageError("interrupted: the statement was stopped and changed nothing", at: location)
    }

    /// Counts one step; throws once a run has taken ``maximumSteps``.
    func countStep(at location: SourceLocation) throws(LanguageError) {
        steps += 1
        guard steps <= Interpreter.maximumSteps else {
            throw LanguageError("this script has run \(Interpreter.maximumSteps) steps (loop passes and commands): loops nested too deep, or a script that sources itself in a loop?", at: location)
        }
    }

    /// Throws the interruption error when Ctrl-C was pressed.
    func checkCancellation(at location: SourceLocation) throws(LanguageError) {
        if cancellation.isRequested { throw Interpreter.interruption(at: location) }
    }
}
