import Foundation
import NanoAtomsEngine
#if canImport(Glibc)
import Glibc
#endif

/// Help for what is not a command: statements and the language itself.
let helpTopics: [String: String] = [
    "set": """
        set OPTION VALUE
          change a session option: element (Pt, Au, Pd, Ag, Cu, Ni, Ir, Rh, Al), threads (≥ 1),
          echo (true/false: whether bare expressions print their value).
          example: set element Pt
        """,
    "for": """
        for NAME in LIST { STATEMENTS }
          run the statements once for every item of the list, with NAME bound to it.
          example: for f in glob "maps/*.mrc" { atoms = build (load f); print f atoms.count }
        """,
    "syntax": """
        name = expression      bind a value to a name (a failed statement changes nothing)
        command arg key=value  call a command; arguments are values, variables or other commands
        a | command args       pass a on as the command's first argument
        value.member           a member: tab.median_cn, fit.delta, atoms.count, tab.uiso
        x[0] x[-1] x[1:3]      an item, the last, a slice; tab[12] is one atom's row
        + - * / ^  < <= > >= == !=  and or not    arithmetic and comparisons, element-wise on
                               columns: tab.uiso * 8 * pi^2, tab.cn < 9 (pi, inf, nan are known)
        atoms where cond       the atoms (or a table's rows) where cond holds: tab where cn < 9
        if c { … } else { … }  run a block when c is true ('help if')
        def name(a, b) { … }   define a command ('help def'); return gives its value
        [1, 2, 3]  "text"  3.5  true   lists, strings (escapes \\n \\t \\" \\\\), numbers, booleans
        /data/np4.mrc  maps/*.mrc      a bare path needs no quotes
        # comment              ; or a new line ends a statement; open ( [ { " go on to the next line
        args                   the list of a script's command-line arguments
        den m  thr=2           unique prefixes of commands and options are enough
        """,
    "where": """
        VALUE where CONDITION
          the atoms of atoms or of a table for which CONDITION is true. Inside it, bare names
          are the atoms' columns (columns tab lists them; also x, y, z, index, element), other
          names the variables. The result is atoms with every column, in the map they came
          from, so stats, plot, export, compare and the aggregates work on it.
          example: core = tab where cn == 12 and radial_depth > fit.delta; mean core.uiso
        """,
    "if": """
        if CONDITION { STATEMENTS } else if CONDITION { STATEMENTS } else { STATEMENTS }
          run the first block whose condition is true. A condition is true or false (for a
          column use count or sum: if count (tab where cn < 3) > 0 { ... }). 'else' goes on
          the line of the '}' before it.
          example: if tab.delta_cn > 8 { print "delta looks too deep: check the mask" }
        """,
    "def": """
        # what it does (the # lines right above are its help)
        def NAME(PARAM, ...) { STATEMENTS; return VALUE }
          define a command of your own, called like any other: NAME arg1 arg2. Its body sees
          the session's variables; what it binds stays inside it. Without return it gives
          nothing. Defined at the top level of a script or the shell, it lasts the session.
          example: def core_u(t) { return mean (t where cn == 12).uiso }
        """,
]

let varsCommand = CommandDeclaration(
    name: "vars", parameters: [], returns: .none,
    summary: "list the variables and their values",
    teaching: "vars lists every variable of the session with its one-line summary, in alphabetical order: the quickest way to see what an analysis has produced so far, and which names Tab will complete.",
    example: "vars",
    run: { _, interp in
        let names = interp.variables.keys.sorted()
        interp.write(names.isEmpty ? "(no variables)" : names.map { "\($0.padding(toLength: 12, withPad: " ", startingAt: 0)) \(interp.variables[$0]!.summary)" }.joined(separator: "\n"))
        return .none
    })

let helpCommand = CommandDeclaration(
    name: "help",
    parameters: [.optional("topic", [.string], "a command, or set, for, if, def, where, syntax")],
    returns: .none,
    summary: "list the commands, or explain how to call one",
    teaching: "help lists the commands with a line each; help COMMAND gives its arguments, defaults and units and an example; help syntax recalls the language.",
    example: "help denoise",
    run: { args, interp in
        guard let topic = try args.string("topic") else {
            var lines = ["commands (help COMMAND for its arguments, explain COMMAND for what it does and why):"]
            for c in allCommands { lines.append("  \(c.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c.summary)") }
            lines.append("  set        change an option (element, threads, echo)")
            for f in interp.userCommands.values.sorted(by: { $0.name < $1.name }) {
                lines.append("  \(f.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(f.documentation.split(separator: "\n").first.map(String.init) ?? "(yours, defined with def)")")
            }
            lines.append("statements: name = value; for x in list { ... }; if c { ... } else { ... }; def name(a, b) { ... return x }; set option value. 'help syntax' for more.")
            interp.write(lines.joined(separator: "\n"))
            return .none
        }
        if let c = Interpreter.commands[topic] { interp.write(c.help); return .none }
        if let f = interp.userCommands[topic] {
            interp.write("\(([f.name] + f.parameters).joined(separator: " "))\n  " + (f.documentation.isEmpty ? "(defined with def; no # comment above it)" : f.documentation.replacingOccurrences(of: "\n", with: "\n  ")))
            return .none
        }
        if let t = helpTopics[topic] { interp.write(t); return .none }
        throw LanguageError("help: no command or topic '\(topic)'\(suggestion(for: topic, among: Array(Interpreter.commandNames) + Array(helpTopics.keys)))")
    })

let explainCommand = CommandDeclaration(
    name: "explain",
    parameters: [.required("command", [.string], "the command to explain")],
    returns: .none,
    summary: "what a step does, why, what the paper says and what to look at",
    teaching: "explain COMMAND teaches the step: what it computes, why the method needs it, what the paper says, and what to look at in its result.",
    example: "explain binarize",
    run: { args, interp in
        let topic = try args.string("command")!
        if let c = Interpreter.commands[topic] {
            interp.write("\(c.name): \(c.summary)\n\n\(c.teaching)\n\nexample: \(c.example)")
            return .none
        }
        if let t = helpTopics[topic] { interp.write(t); return .none }
        throw LanguageError("explain: no command '\(topic)'\(suggestion(for: topic, among: Array(Interpreter.commandNames)))")
    })

let sourceCommand = CommandDeclaration(
    name: "source",
    parameters: [.required("path", [.string], "a .nano script", path: true)],
    returns: .none,
    summary: "run another script in this session",
    teaching: "source runs the statements of another script with this session's variables and options, as if typed here; its variables stay afterwards. An error names the sourced file, line and column.",
    example: "source \"setup.nano\"",
    run: { args, interp in
        let path = try args.string("path")!
        guard interp.sourceDepth < 16 else { throw LanguageError("source: scripts nested more than 16 deep (does \(path) source itself?)") }
        let text = try readInputText(path, limit: Limits.scriptBytes)
        interp.sourceDepth += 1
        defer { interp.sourceDepth -= 1 }
        do {
            try interp.run(text)
        } catch let error as LanguageError {
            var e = error
            if e.file == nil {
                e.file = path
                if let l = e.location { e.lineText = SourceText.lines(text).dropFirst(l.line - 1).first }
            }
            throw e
        }
        return .none
    })

let globCommand = CommandDeclaration(
    name: "glob",
    parameters: [.required("pattern", [.string], "a file pattern with * ? [..], e.g. \"maps/*.mrc\"", path: true)],
    returns: .list,
    summary: "the files matching a pattern, sorted",
    teaching: "glob expands a shell file pattern (* any text, ? one character, [abc] one of) to the sorted list of matching paths, for looping over a time series or an ensemble of maps with for. No match gives an empty list.",
    example: "for f in glob \"series/*.mrc\" { print f }",
    run: { args, _ in
        let pattern = try args.string("pattern")!
        var g = glob_t()
        defer { globfree(&g) }
        var paths: [String] = []
        if glob(pattern, 0, nil, &g) == 0 {
            for i in 0..<Int(g.gl_pathc) { if let p = g.gl_pathv[i] { paths.append(String(cString: p)) } }
        }
        return .list(paths.sorted().map { .string($0) })
    })

let transcriptCommand = CommandDeclaration(
    name: "transcript",
    parameters: [.required("path", [.string], "the .nano file to write", path: true)],
    returns: .none,
    summary: "write the statements that succeeded in this session as a replayable script",
    teaching: "transcript writes every statement of this shell session that succeeded, in order, as a script: run it with 'nanoatoms FILE.nano' to replay the analysis on this map or, edited, on the next.",
    example: "transcript \"analysis.nano\"",
    run: { args, interp in
        let path = try args.string("path")!
        let header = "# nanoatoms transcript: the statements that succeeded, in order\n"
        try writeAtomically(header + interp.transcript.joined(separator: "\n") + "\n", to: path)
        return .none
    })

let pathCommand = CommandDeclaration(
    name: "path",
    parameters: [.rest("parts", "folder and file names")],
    returns: .string,
    summary: "join folder and file names into a path",
    teaching: "path joins its arguments with '/' into one path, so a script can write its results into a folder given on its command line: export tab (path out \"atoms.csv\"). Numbers are written without decimals, so path out \"np\" 4 gives out/np/4.",
    example: "export tab (path out \"atoms.csv\")",
    run: { args, _ in
        guard case .list(let parts) = args["parts"], !parts.isEmpty else { throw LanguageError("path: give at least one name") }
        let names = parts.map { v -> String in if case .string(let s) = v { return s }; return v.summary }
        return .string(names.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.drop { $0 == "/" }) }
            .reduce("") { $0.isEmpty ? $1 : ($0.hasSuffix("/") ? $0 + $1 : $0 + "/" + $1) })
    })

let textCommand = CommandDeclaration(
    name: "text",
    parameters: [.rest("parts", "values to join")],
    returns: .string,
    summary: "join values into one string, with nothing between them",
    teaching: "text joins its arguments into one string with nothing in between: strings as they are, numbers without needless decimals. Scripts use it to make file names and labels from numbers: text \"snr\" 8 \".mrc\" gives snr8.mrc.",
    example: "name = text \"np\" 4 \"_part1.mrc\"",
    run: { args, _ in
        guard case .list(let parts) = args["parts"] else { return .string("") }
        return .string(parts.map { v -> String in if case .string(let s) = v { return s }; return v.summary }.joined())
    })

let basenameCommand = CommandDeclaration(
    name: "basename",
    parameters: [.required("path", [.string], "a file path", path: true)],
    returns: .string,
    summary: "a file's name without its folder and extension",
    teaching: "basename gives the name of a file without the folders before it and the extension after it: basename \"series/np4_part1.mrc\" is np4_part1. Batch scripts use it to name each map's results after the map.",
    example: "export tab (path \"results\" (text (basename f) \".csv\"))",
    run: { args, _ in
        let p = try args.string("path")!
        return .string((PathComponents.last(of: p) as NSString).deletingPathExtension)
    })

let argCommand = CommandDeclaration(
    name: "arg",
    parameters: [.required("index", [.number], "which command-line argument of the script, from 1").within(1...1e6, whole: true),
                 .optional("default", [.any], "the value when the script was not given that argument")],
    returns: .any,
    summary: "a script's command-line argument, or a default",
    teaching: "arg N gives the script's N-th command-line argument (nanoatoms script.nano FIRST SECOND ...) as a string, or the default when there are fewer arguments; without a default a missing argument is an error that says so. All arguments are also in the list args.",
    example: "out = arg 1 \"results\"",
    run: { args, interp in
        let n = try args.count("index", minimum: 1)!
        guard case .list(let all) = interp.variables["args"] ?? .list([]) else { return .none }
        if n <= all.count { return all[n - 1] }
        if args.has("default") { return args["default"] }
        throw LanguageError("arg: the script was given \(all.count) argument(s), not \(n)")
    })

/// `quit` and `exit`: one declaration each, the same action.
private func quitDeclaration(_ name: String) -> CommandDeclaration {
    CommandDeclaration(
        name: name, parameters: [], returns: .none,
        summary: "leave the shell, or stop the script here (successfully)",
        teaching: "\(name) ends the shell session (as Ctrl-D does) or stops a script at this statement with success. The history is kept; write 'transcript FILE' first to keep the session as a script.",
        example: name,
        run: { _, interp in interp.requestQuit(); return .none })
}
let quitCommand = quitDeclaration("quit")
let exitCommand = quitDeclaration("exit")

let cdCommand = CommandDeclaration(
    name: "cd",
    parameters: [.optional("folder", [.string], "the folder (default: the home folder)", path: true)],
    returns: .none,
    summary: "change the working folder that relative paths start from",
    teaching: "cd changes the folder relative paths are read from and written to, as in a shell; cd alone goes home. pwd prints it and ls lists it.",
    example: "cd /data/series",
    run: { args, interp in
        var folder = try args.string("folder") ?? NSHomeDirectory()
        if folder == "~" || folder.hasPrefix("~/") { folder = NSHomeDirectory() + folder.dropFirst() }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw LanguageError("cd: \(folder): no such folder")
        }
        guard FileManager.default.changeCurrentDirectoryPath(folder) else { throw LanguageError("cd: \(folder): cannot enter it (permissions?)") }
        interp.write(FileManager.default.currentDirectoryPath)
        return .none
    })

let pwdCommand = CommandDeclaration(
    name: "pwd", parameters: [], returns: .string,
    summary: "the working folder",
    teaching: "pwd gives the folder that relative paths (load np4.mrc, export tab out.csv) start from, as a string; change it with cd and list it with ls.",
    example: "pwd",
    run: { _, _ in .string(FileManager.default.currentDirectoryPath) })

let lsCommand = CommandDeclaration(
    name: "ls",
    parameters: [.optional("folder", [.string], "the folder (default: the working folder)", path: true)],
    returns: .none,
    summary: "list the files of a folder",
    teaching: "ls prints the names in a folder (default: the working folder), sorted, folders with a trailing / and hidden files left out. For a list of files to loop over, use glob.",
    example: "ls maps",
    run: { args, interp in
        let folder = try args.string("folder") ?? "."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw LanguageError("ls: \(folder): no such folder, or it cannot be read")
        }
        let shown = names.filter { !$0.hasPrefix(".") }.sorted().map { n -> String in
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(n), isDirectory: &isFolder)
            return isFolder.boolValue ? n + "/" : n
        }
        interp.write(shown.isEmpty ? "(empty)" : shown.joined(separator: "\n"))
        return .none
    })

let sessionCommands = [varsCommand, helpCommand, explainCommand, sourceCommand, globCommand, transcriptCommand, pathCommand, textCommand,
                       basenameCommand, argCommand, cdCommand, pwdCommand, lsCommand, quitCommand, exitCommand]

/// Every command, in the order help lists them.
package let allCommands: [CommandDeclaration] = mapCommands + modelCommands + analysisCommands + studyCommands + dataCommands + outputCommands + plotCommands + sessionCommands
