import NanoAtomsEngine

/// What the shell offers on Tab: command names at the start of a statement; the current
/// command's `option=` names, variables and commands after it; an option's allowed values
/// after `option=`; the atoms' columns inside a `where` condition; members after
/// `variable.`; option names and values after `set`. File paths inside quotes are left to readline.
package enum Completion {
    /// The candidates for `word`, the partial word under the cursor, given the text of the
    /// line before it.
    package static func candidates(before: String, word: String, interpreter: Interpreter) -> [String] {
        // The current statement: after the last ; { } or |, without a leading "name =".
        var segment = before
        if let cut = segment.lastIndex(where: { ";{}|(".contains($0) }) { segment = String(segment[segment.index(after: cut)...]) }
        var words = segment.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.count >= 2, words[1] == "=" { words.removeFirst(2) }
        else if let first = words.first, first.hasSuffix("="), !first.dropLast().contains("=") { words.removeFirst() }
        let variables = interpreter.variables.keys.sorted()
        let commands = interpreter.commandNamesInScope.sorted()
        var options: [String]
        let command = words.first.flatMap { Interpreter.commands[$0] }
        if let command, before.hasSuffix("="), let key = before.dropLast().split(whereSeparator: { " \t".contains($0) }).last,
           let p = command.parameters.first(where: { $0.name == key }) {
            // An option's value: its allowed set, else true/false for a flag.
            options = p.choices ?? (p.types == [.bool] ? ["true", "false"] : variables)
        } else if let w = words.lastIndex(of: "where"), w > 0, let base = interpreter.variables[words[w - 1].split(separator: "(").last.map(String.init) ?? ""],
                  let atoms = Selection.atoms(of: base) {
            // Inside a where condition: the atoms' columns.
            options = Selection.columnNames(of: atoms) + ["and", "or", "not"] + variables
        } else if let dot = word.lastIndex(of: ".") {
            let base = String(word[..<dot])
            let members = interpreter.variables[base]?.memberNames ?? []
            options = members.map { base + "." + $0 }
        } else if words.isEmpty {
            options = commands + variables + ["for", "set", "if", "def"]
        } else if words[0] == "set" {
            options = words.count == 1 ? SessionOptions.names : (words[1] == "element" ? Element.all.map(\.symbol) : ["true", "false"])
        } else if words[0] == "help" || words[0] == "explain" {
            options = commands + ["set", "for", "syntax"]
        } else if words[0] == "for" {
            options = words.count >= 2 && words.last != "in" && words.count == 2 ? ["in"] : commands + variables
        } else if let decl = Interpreter.commands[words[0]] {
            let given = Set(words.dropFirst().compactMap { $0.split(separator: "=").first.map(String.init) })
            let choices = decl.parameters.compactMap(\.choices).flatMap { $0 }
            options = decl.parameters.filter { !$0.positional && !given.contains($0.name) }.map { $0.name + "=" } + variables + choices + commands
        } else {
            options = variables + commands
        }
        return options.filter { $0.hasPrefix(word) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
}
