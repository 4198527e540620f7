/// Checks a script without running it: every variable is bound before use, every command
/// exists and gets arguments it declares, in the right number, and of the right type where
/// the type is known (literals, and variables bound to a command's declared result).
public enum Checker {
    /// All problems found in `source`, in order (a syntax error stops the check).
    public static func check(_ source: String, predefined: [String: ValueType] = ["args": .list]) -> [LanguageError] {
        let statements: [Statement]
        do { statements = try Parser.parse(source, commands: Interpreter.commandNames) } catch { return [error] }
        var known = predefined
        var problems: [LanguageError] = []
        func type(of e: Expression) -> ValueType {
            switch e {
            case .number: return .number
            case .string: return .string
            case .bool: return .bool
            case .list(let items, _): items.forEach { _ = type(of: $0) }; return .list
            case .variable(let name, let at):
                if let t = known[name] { return t }
                problems.append(LanguageError("unknown variable '\(name)'\(suggestion(for: name, among: Array(known.keys)))", at: at))
                return .any
            case .member(let base, _, _):
                _ = type(of: base)
                return .any
            case .call(let call):
                return checkCall(call)
            }
        }
        func argumentType(_ e: Expression, _ words: Set<String>) -> ValueType {
            if case .variable(let name, _) = e, known[name] == nil, words.contains(name) { return .string }
            return type(of: e)
        }
        func checkCall(_ call: CommandCall) -> ValueType {
            guard let decl = Interpreter.commands[call.name] else { return .any }
            let words = Interpreter.choiceWords(call.name)
            var bound = Set<String>()
            for k in call.keywords {
                let t = argumentType(k.value, words)
                guard let p = decl.parameters.first(where: { $0.name == k.name }) else {
                    problems.append(LanguageError("\(decl.name) has no argument '\(k.name)'\(suggestion(for: k.name, among: decl.parameters.map(\.name))); usage: \(decl.usage)", at: k.location))
                    continue
                }
                bound.insert(p.name)
                compatible(t, p, decl, k.value.location)
                literal(k.value, p, decl)
            }
            var free = decl.parameters.filter { $0.positional && !bound.contains($0.name) }.makeIterator()
            var variadic = false
            for a in call.positional {
                let t = argumentType(a, words)
                if variadic { continue }
                guard let p = free.next() else {
                    problems.append(LanguageError("\(decl.name) takes at most \(decl.parameters.filter(\.positional).count) positional argument(s); usage: \(decl.usage)", at: a.location))
                    break
                }
                if p.variadic { variadic = true; continue }
                bound.insert(p.name)
                compatible(t, p, decl, a.location)
                literal(a, p, decl)
            }
            for p in decl.parameters where p.defaultValue == nil && !bound.contains(p.name) {
                problems.append(LanguageError("\(decl.name) needs '\(p.name)' (\(p.types.map(\.rawValue).joined(separator: " or "))); usage: \(decl.usage)", at: call.location))
            }
            return decl.returns
        }
        func literal(_ e: Expression, _ p: Parameter, _ decl: CommandDeclaration) {
            if case .number(let v, let at) = e, let problem = p.problem(with: v) {
                problems.append(LanguageError("\(decl.name): \(problem)", at: at))
            }
        }
        func compatible(_ t: ValueType, _ p: Parameter, _ decl: CommandDeclaration, _ at: SourceLocation) {
            if t == .any || p.types.contains(.any) || p.types.contains(t) || (t == .table && p.types.contains(.atoms)) { return }
            problems.append(LanguageError("\(decl.name): '\(p.name)' must be \(p.types.map(\.rawValue).joined(separator: " or ")), not \(t.rawValue)", at: at))
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
            }
        }
        statements.forEach(walk)
        return problems
    }
}
