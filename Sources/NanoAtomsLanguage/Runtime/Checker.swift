/// Checks a script without running it: every variable is bound before use, every command
/// exists and gets arguments it declares, in the right number, and of the right type where
/// the type is known (literals, and variables bound to a command's declared result); a
/// command defined with `def` gets as many arguments as it has parameters. Inside a `where`
/// condition, names not bound are taken as the atoms' columns (known only when running).
public enum Checker {
    /// All problems found in `source`, in order (a syntax error stops the check).
    public static func check(_ source: String, predefined: [String: ValueType] = ["args": .list]) -> [LanguageError] {
        let statements: [Statement]
        do { statements = try Parser.parse(source, commands: Interpreter.commandNames) } catch { return [error] }
        var known = predefined
        for c in Interpreter.constants.keys where known[c] == nil { known[c] = .number }
        var defined: [String: FunctionDefinition] = [:]
        var problems: [LanguageError] = []
        var inCondition = 0
        func type(of e: Expression) -> ValueType {
            switch e {
            case .number: return .number
            case .string: return .string
            case .bool: return .bool
            case .list(let items, _): items.forEach { _ = type(of: $0) }; return .list
            case .variable(let name, let at):
                if let t = known[name] { return t }
                if inCondition == 0 {
                    problems.append(LanguageError("unknown variable '\(name)'\(suggestion(for: name, among: Array(known.keys)))", at: at))
                }
                return .any
            case .member(let base, _, _):
                _ = type(of: base)
                return .any
            case .call(let call):
                return checkCall(call)
            case .unary(let op, let operand, _):
                let t = type(of: operand)
                return t == .list ? .list : (op == .not ? .bool : (t == .any ? .any : .number))
            case .binary(let op, let l, let r, _):
                let a = type(of: l), b = type(of: r)
                if a == .list || b == .list { return .list }
                if a == .any || b == .any { return .any }
                if op.isComparison || op == .and || op == .or { return .bool }
                return a == .string ? .string : .number
            case .index(let base, let i, _):
                _ = type(of: base); _ = type(of: i)
                return .any
            case .slice(let base, let from, let to, _):
                let t = type(of: base)
                from.map { _ = type(of: $0) }
                to.map { _ = type(of: $0) }
                return t == .list ? .list : (t == .any ? .any : .atoms)
            case .selection(let base, let condition, _):
                _ = type(of: base)
                inCondition += 1
                _ = type(of: condition)
                inCondition -= 1
                return .atoms
            }
        }
        /// What is known of an argument before running: a literal's value, a choice word as a
        /// string, otherwise the type.
        func argument(_ e: Expression, _ words: Set<String>, asText: Bool = false) -> ArgumentBinder.Argument {
            switch e {
            case .variable(let name, let at) where known[name] == nil && (words.contains(name) || asText):
                return ArgumentBinder.Argument(.string(name), at: at)
            case .number(let v, let at): return ArgumentBinder.Argument(.number(v), at: at)
            case .string(let s, let at): return ArgumentBinder.Argument(.string(s), at: at)
            case .bool(let b, let at): return ArgumentBinder.Argument(.bool(b), at: at)
            default: return ArgumentBinder.Argument(type: type(of: e), at: e.location)
            }
        }
        func checkCall(_ call: CommandCall) -> ValueType {
            if Interpreter.commands[call.name] == nil, let f = defined[call.name] {
                call.positional.forEach { _ = type(of: $0) }
                if !call.keywords.isEmpty {
                    problems.append(LanguageError("\(f.name) takes positional arguments only", at: call.keywords[0].location))
                } else if call.positional.count != f.parameters.count {
                    problems.append(LanguageError("\(f.name) takes \(f.parameters.count) argument\(f.parameters.count == 1 ? "" : "s") (\(f.parameters.joined(separator: ", "))), not \(call.positional.count)", at: call.location))
                }
                return .any
            }
            guard let decl = Interpreter.commands[call.name] else { return .any }
            let words = Interpreter.choiceWords(call.name)
            let positional = call.positional.enumerated().map { argument($1, words, asText: Interpreter.takesText(call, position: $0)) }
            let keywords = call.keywords.map { argument($0.value, words, asText: Interpreter.takesText(call.name, keyword: $0.name)) }
            _ = ArgumentBinder.bind(call, to: decl, positional: positional, keywords: keywords) { (e: LanguageError) in problems.append(e) }
            return decl.returns
        }
        func walk(_ s: Statement) {
            switch s {
            case .assignment(let name, let e, _): known[name] = type(of: e)
            case .expression(let e): _ = type(of: e)
            case .forLoop(let name, let e, let body, _):
                _ = type(of: e)
                known[name] = .any
                body.forEach(walk)
            case .set(let option, let e, let at):
                _ = type(of: e)
                if !SessionOptions.names.contains(option) {
                    problems.append(LanguageError("unknown option '\(option)'\(suggestion(for: option, among: SessionOptions.names))", at: at))
                }
            case .conditional(let branches, _):
                for (condition, body) in branches {
                    condition.map { _ = type(of: $0) }
                    body.forEach(walk)
                }
            case .definition(let f):
                defined[f.name] = f
                // The body sees the script's variables so far and its parameters; what it
                // binds stays inside it.
                let outside = known
                for p in f.parameters { known[p] = .any }
                f.body.forEach(walk)
                known = outside
            case .returnStatement(let e, _):
                e.map { _ = type(of: $0) }
            }
        }
        statements.forEach(walk)
        return problems
    }
}
