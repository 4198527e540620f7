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
        /// What is known of an argument before running: a literal's value, a choice word as a
        /// string, otherwise the type.
        func argument(_ e: Expression, _ words: Set<String>) -> ArgumentBinder.Argument {
            switch e {
            case .variable(let name, let at) where known[name] == nil && words.contains(name):
                return ArgumentBinder.Argument(.string(name), at: at)
            case .number(let v, let at): return ArgumentBinder.Argument(.number(v), at: at)
            case .string(let s, let at): return ArgumentBinder.Argument(.string(s), at: at)
            case .bool(let b, let at): return ArgumentBinder.Argument(.bool(b), at: at)
            default: return ArgumentBinder.Argument(type: type(of: e), at: e.location)
            }
        }
        func checkCall(_ call: CommandCall) -> ValueType {
            guard let decl = Interpreter.commands[call.name] else { return .any }
            let words = Interpreter.choiceWords(call.name)
            let positional = call.positional.map { argument($0, words) }
            let keywords = call.keywords.map { argument($0.value, words) }
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
            }
        }
        statements.forEach(walk)
        return problems
    }
}
