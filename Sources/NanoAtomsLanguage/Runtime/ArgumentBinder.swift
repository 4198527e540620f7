/// Binds a call's arguments to its command's parameters: the one place that knows the rules,
/// used by the interpreter (with values) and by `nanoatoms check` (with what is known before
/// running: types, and the values of literals). Names, repeats, counts, types, ranges and
/// choices are all checked here, so a script that checks clean binds clean.
enum ArgumentBinder {
    /// What is known of one argument: its type, and its value when known (always when running;
    /// for literals and choice words when checking).
    struct Argument {
        /// Its type, `.any` when unknown.
        var type: ValueType
        /// Its value, when known.
        var value: Value?
        /// Where it is.
        var location: SourceLocation

        /// A value, known.
        init(_ value: Value, at location: SourceLocation) {
            type = value.type
            self.value = value
            self.location = location
        }
        /// Only the type, known.
        init(type: ValueType, at location: SourceLocation) {
            self.type = type
            self.location = location
        }
    }

    /// Binds `positional` and `keywords` (in the call's order) to `decl`'s parameters. Each
    /// problem goes to `report`, which may throw to stop at the first (the interpreter) or
    /// collect them all (the checker). Returns each bound parameter's argument; parameters not
    /// given are absent (their defaults are the caller's to fill).
    static func bind<E: Error>(_ call: CommandCall, to decl: CommandDeclaration, positional: [Argument],
                               keywords: [Argument], report: (LanguageError) throws(E) -> Void) throws(E) -> [String: Argument] {
        var bound: [String: Argument] = [:]
        for (k, a) in zip(call.keywords, keywords) {
            // A unique prefix names the option, ChimeraX style (thr=2.5 for threshold=2.5).
            let prefixed = decl.parameters.filter { $0.name.hasPrefix(k.name) }
            guard let p = decl.parameters.first(where: { $0.name == k.name }) ?? (prefixed.count == 1 ? prefixed[0] : nil) else {
                if prefixed.count > 1 {
                    try report(LanguageError("\(decl.name): '\(k.name)' is the start of several arguments (\(prefixed.map(\.name).joined(separator: ", "))): type more of it", at: k.location))
                    continue
                }
                try report(LanguageError("\(decl.name) has no argument '\(k.name)'\(suggestion(for: k.name, among: decl.parameters.map(\.name))); usage: \(decl.usage)", at: k.location))
                continue
            }
            guard bound[p.name] == nil else {
                try report(LanguageError("\(decl.name): '\(k.name)' is given twice", at: k.location))
                continue
            }
            if let problem = problem(a, p, decl) { try report(LanguageError(problem, at: a.location)) }
            bound[p.name] = a
        }
        var free = decl.parameters.filter { $0.positional && bound[$0.name] == nil }.makeIterator()
        var rest: (Parameter, [Value], SourceLocation)? = nil
        for a in positional {
            if rest != nil { rest!.1.append(a.value ?? .none); continue }
            guard let p = free.next() else {
                try report(LanguageError("\(decl.name) takes at most \(decl.parameters.filter(\.positional).count) positional argument(s); usage: \(decl.usage)", at: a.location))
                break
            }
            if p.variadic { rest = (p, [a.value ?? .none], a.location); continue }
            if let problem = problem(a, p, decl) { try report(LanguageError(problem, at: a.location)) }
            bound[p.name] = a
        }
        if let (p, items, at) = rest { bound[p.name] = Argument(.list(items), at: at) }
        for p in decl.parameters where bound[p.name] == nil && p.defaultValue == nil {
            try report(LanguageError("\(decl.name) needs '\(p.name)' (\(p.types.map(\.rawValue).joined(separator: " or "))); usage: \(decl.usage)", at: call.location))
        }
        return bound
    }

    /// Why `a` does not fit `p`: a wrong type, a number out of range, a string not among the
    /// choices; nil when it fits (or too little is known to tell).
    static func problem(_ a: Argument, _ p: Parameter, _ decl: CommandDeclaration) -> String? {
        let typeFits = a.type == .any || p.types.contains(.any) || p.types.contains(a.type) || (a.type == .table && p.types.contains(.atoms))
        if !typeFits {
            return "\(decl.name): '\(p.name)' must be \(p.types.map(\.phrase).joined(separator: " or ")), not \(a.type.phrase)"
        }
        if case .number(let x)? = a.value, let problem = p.problem(with: x) { return "\(decl.name): \(problem)" }
        if let choices = p.choices, case .string(let s)? = a.value, !choices.contains(s) {
            return "\(decl.name): '\(p.name)' must be one of \(choices.joined(separator: ", ")), not '\(s)'\(suggestion(for: s, among: choices))"
        }
        return nil
    }
}
