import ArgumentParser
import Foundation
import NanoAtomsEngine
import NanoAtomsLanguage

// A Jupyter kernel for the language. Jupyter's wire protocol (ZeroMQ, signed messages) is
// spoken by ipykernel in a small Python wrapper (the usual way to write a kernel for a
// language that is not Python); the wrapper starts `nanoatoms kernel serve` once per notebook
// and asks it, one JSON line at a time, to execute, complete, inspect or judge whether a cell
// is complete. One interpreter serves the whole notebook, so statements share one session.

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "A Jupyter kernel for the nanoatoms language: 'nanoatoms kernel install', then pick 'nanoatoms' in Jupyter.",
        subcommands: [KernelInstall.self, KernelServe.self])
}

/// `nanoatoms kernel install`: writes the kernel spec Jupyter finds.
struct KernelInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the kernel spec (kernel.json and its Python wrapper) where Jupyter looks.",
        discussion: """
            By default into the user's Jupyter data folder ($JUPYTER_DATA_DIR, else
            ~/.local/share/jupyter)/kernels/nanoatoms; --prefix P installs into
            P/share/jupyter/kernels/nanoatoms (a virtual environment's prefix, say). The kernel
            runs the Python given by --python, which needs ipykernel (pip install ipykernel),
            and this nanoatoms executable.
            """)
    @Option(help: "Install under PREFIX/share/jupyter/kernels instead of the user's folder.") var prefix: String?
    @Option(help: "The Python that runs the wrapper (it needs ipykernel).") var python = "python3"
    @Option(help: "The kernel's folder name (several builds can be installed side by side).") var name = "nanoatoms"

    func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ValidationError("--name may hold letters, digits, '-', '_' and '.', not '\(name)'")
        }
    }

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let root: String
        if let prefix { root = prefix + "/share/jupyter" }
        else if let d = env["JUPYTER_DATA_DIR"], !d.isEmpty { root = d }
        else { root = (env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.local/share/jupyter" }
        let folder = root + "/kernels/" + name
        guard let pythonPath = resolveExecutable(python) else {
            fail("kernel install: no Python '\(python)' on the PATH; give one with --python")
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: pythonPath)
        probe.arguments = ["-c", "import ipykernel"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run(); probe.waitUntilExit() } catch { fail("kernel install: cannot run \(pythonPath): \(error)") }
        guard probe.terminationStatus == 0 else {
            fail("kernel install: \(pythonPath) has no ipykernel, which the kernel needs: \(pythonPath) -m pip install ipykernel")
        }
        // This executable's own path (argv[0] may be a bare name found on the PATH).
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? resolveExecutable(CommandLine.arguments[0]).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let spec = JSONValue.object([
            ("argv", .array([.string(pythonPath), .string(folder + "/nanoatoms_kernel.py"), .string("-f"), .string("{connection_file}")])),
            ("display_name", .string(name == "nanoatoms" ? "nanoatoms" : "nanoatoms (\(name))")),
            ("language", .string("nanoatoms")),
            ("interrupt_mode", .string("signal")),
            ("env", .object([("NANOATOMS_EXECUTABLE", .string(me))])),
        ])
        do {
            try writeAtomically(files: [(folder + "/kernel.json", Array((spec.serialized() + "\n").utf8)),
                                        (folder + "/nanoatoms_kernel.py", Array(kernelWrapper.utf8))])
        } catch { fail("kernel install: \(error)") }
        print("installed the nanoatoms kernel in \(folder) (Python \(pythonPath), nanoatoms \(me))")
        print("start Jupyter (jupyter lab, or jupyter notebook) and choose the 'nanoatoms' kernel")
    }

    /// The absolute path of `program`: itself when it has a slash, else found on the PATH.
    func resolveExecutable(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// `nanoatoms kernel serve`: the wrapper's partner, one JSON request per line on standard input,
/// one JSON reply per line on standard output.
struct KernelServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the Jupyter wrapper (started by the kernel, not by hand).", shouldDisplay: false)

    func run() throws {
        // The replies get a descriptor of their own; anything else written to standard output
        // (a stray print) goes to standard error, so it cannot break the protocol.
        let replies = dup(1)
        dup2(2, 1)
        let server = KernelServer()
        signal(SIGINT) { _ in kernelCancellation.request() }
        while let line = readLine(strippingNewline: true) {
            guard !line.isEmpty else { continue }
            let reply = server.handle(line)
            let bytes = Array((reply.singleLine() + "\n").utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { write(replies, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                sent += n
            }
        }
    }
}

/// Ctrl-C in a notebook (Jupyter's interrupt) stops the running statement at its next check.
let kernelCancellation = Cancellation()

/// Answers the wrapper's requests with one interpreter for the whole notebook.
final class KernelServer {
    private var outputs: [JSONValue] = []
    let interpreter: Interpreter

    init() {
        interpreter = Interpreter(cancellation: kernelCancellation)
        interpreter.write = { [unowned self] text in outputs.append(.object([("kind", .string("text")), ("text", .string(text))])) }
        interpreter.showFigure = { [unowned self] svg, description in
            outputs.append(.object([("kind", .string("svg")), ("svg", .string(svg)), ("text", .string(description))]))
        }
    }

    /// The reply to one request line.
    func handle(_ line: String) -> JSONValue {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let op = object["op"] as? String else {
            return .object([("status", .string("error")), ("error", .string("not a request: \(line.prefix(80))"))])
        }
        let code = object["code"] as? String ?? ""
        let cursor = (object["cursor"] as? Int).map { max(0, min($0, code.unicodeScalars.count)) } ?? code.unicodeScalars.count
        switch op {
        case "execute": return execute(code)
        case "complete": return complete(code, cursor: cursor)
        case "inspect": return inspect(code, cursor: cursor)
        case "is_complete": return isComplete(code)
        default: return .object([("status", .string("error")), ("error", .string("unknown request '\(op)'"))])
        }
    }

    /// Runs a cell: its printed lines and figures, then ok or the error in the shell's words.
    func execute(_ code: String) -> JSONValue {
        outputs = []
        kernelCancellation.reset()
        var fields: [(String, JSONValue)] = []
        do {
            try interpreter.run(code, recordTranscript: true)
            fields.append(("status", .string("ok")))
        } catch {
            fields += [("status", .string("error")), ("error", .string(error.report(file: "cell", source: code)))]
        }
        return .object([("outputs", .array(outputs))] + fields)
    }

    /// Tab: the shell's candidates for the word before the cursor (file names inside quotes).
    func complete(_ code: String, cursor: Int) -> JSONValue {
        let scalars = Array(code.unicodeScalars)
        var start = cursor
        let quotes = scalars[..<cursor].filter { $0 == "\"" }.count
        let inString = quotes % 2 == 1
        // Inside a string the word is the path back to the opening quote.
        func isWordScalar(_ c: Unicode.Scalar) -> Bool {
            inString ? c != "\"" : (CharacterSet.alphanumerics.contains(c) || c == "_" || c == ".")
        }
        while start > 0, isWordScalar(scalars[start - 1]) { start -= 1 }
        let before = String(String.UnicodeScalarView(scalars[..<start]))
        let word = String(String.UnicodeScalarView(scalars[start..<cursor]))
        let matches = inString ? fileCandidates(word) : Completion.candidates(before: before, word: word, interpreter: interpreter)
        return .object([("matches", .array(matches.map { .string($0) })), ("cursor_start", .number(Double(start))),
                        ("cursor_end", .number(Double(cursor)))])
    }

    /// File and folder names that begin with `partial` (a path), folders ending in "/".
    func fileCandidates(_ partial: String) -> [String] {
        let folder = partial.contains("/") ? String(partial[...partial.lastIndex(of: "/")!]) : ""
        let stem = String(partial.dropFirst(folder.count))
        let listed = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return listed.filter { $0.hasPrefix(stem) && !$0.hasPrefix(".") }.sorted().map { name in
            var isFolder: ObjCBool = false
            let path = folder + name
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue ? path + "/" : path
        }
    }

    /// Shift-Tab: a command's help, or a variable's full view, for the word at the cursor.
    func inspect(_ code: String, cursor: Int) -> JSONValue {
        let scalars = Array(code.unicodeScalars)
        func isWord(_ c: Unicode.Scalar) -> Bool { CharacterSet.alphanumerics.contains(c) || c == "_" }
        var a = cursor, b = cursor
        while a > 0, isWord(scalars[a - 1]) { a -= 1 }
        while b < scalars.count, isWord(scalars[b]) { b += 1 }
        let word = String(String.UnicodeScalarView(scalars[a..<b]))
        var text: String? = nil
        if let value = interpreter.variables[word] { text = fullView(value) }
        else if let command = Interpreter.commands[word] { text = command.help + "\n\n" + command.teaching }
        return .object([("found", .bool(text != nil)), ("text", .string(text ?? ""))])
    }

    /// Whether a cell can run as it is: complete, incomplete (an open block or string: Jupyter's
    /// console then asks for another line) or invalid.
    func isComplete(_ code: String) -> JSONValue {
        do {
            _ = try Parser.parse(code, commands: interpreter.commandNamesInScope)
            return .object([("status", .string("complete"))])
        } catch where error.incomplete {
            return .object([("status", .string("incomplete")), ("indent", .string("    "))])
        } catch {
            return .object([("status", .string("invalid"))])
        }
    }
}
