import Foundation
import NanoAtomsEngine
import NanoAtomsLanguage

// nanoatoms: the shell on a terminal, scripts, and one-shot commands. A thin layer over the
// language and the engine.

/// Runs `source` as a script named `name`: stops at the first error with
/// `NAME:LINE:COL: error: ...`, the source line and a caret, and exit status 1.
func runScript(_ source: String, name: String, arguments: [String]) -> Never {
    let interpreter = Interpreter(arguments: arguments)
    do {
        try interpreter.run(source)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data((error.report(file: name, source: source) + "\n").utf8))
        exit(1)
    }
}

/// The text of a script file, or an error exit naming it. A file holding many NUL bytes is
/// binary (a map given where a script was meant): one line says so, rather than a source line
/// of binary data under a caret. A stray NUL or two in a text file is the lexer's to point at.
func readText(_ path: String) -> String {
    /// NUL bytes from which a file is binary: an MRC header alone holds hundreds.
    let binaryNULs = 16
    let text: String
    do { text = try readInputText(path, limit: Limits.scriptBytes) } catch { fail("\(error)") }
    if text.utf8.lazy.filter({ $0 == 0 }).count >= binaryNULs {
        let lower = path.lowercased()
        let hint = lower.hasSuffix(".mrc") || lower.hasSuffix(".map") ? ": a map is read by a script (map = load \"\(path)\") or by 'nanoatoms run'" : ""
        fail("\(path): not a script: it holds binary data (NUL bytes)\(hint)")
    }
    return text
}

let arguments = Swift.CommandLine.arguments
if arguments.count == 1 {
    if isatty(0) != 0 {
        Shell().run()
        exit(0)
    }
    // Read at most the largest script allowed: `cat /dev/zero | nanoatoms` must end.
    var input = Data()
    while input.count <= Limits.scriptBytes {
        let piece = FileHandle.standardInput.readData(ofLength: 1 << 16)
        if piece.isEmpty { break }
        input.append(piece)
    }
    if input.count > Limits.scriptBytes { fail("<stdin>: a script of more than \(Limits.scriptBytes >> 20) MB: is this really a script?") }
    runScript(String(decoding: input, as: UTF8.self), name: "<stdin>", arguments: [])
}
switch arguments[1] {
case "-c":
    guard arguments.count >= 3 else { fail("-c needs the statements to run", code: 2) }
    runScript(arguments[2], name: "-c", arguments: Array(arguments.dropFirst(3)))
case let first where NanoAtomsCommand.names.contains(first) || first.hasPrefix("-"):
    // The one-shot commands, --help and --version; an unknown option is the parser's to name.
    NanoAtomsCommand.dispatch(Array(arguments.dropFirst()))
default:
    let path = arguments[1]
    runScript(readText(path), name: path, arguments: Array(arguments.dropFirst(2)))
}
