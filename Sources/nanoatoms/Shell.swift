import CReadline
import Foundation
import NanoAtomsEngine
import NanoAtomsLanguage

// The interactive shell: GNU readline editing, history kept between sessions, Ctrl-R search,
// tab completion, a continuation prompt for unfinished input; Ctrl-C abandons the line,
// Ctrl-D leaves, and no error ends the session.

/// State that readline's C callbacks reach (they cannot capture context).
nonisolated(unsafe) var shellInterpreter: Interpreter?
nonisolated(unsafe) var completionCandidates: [String] = []
nonisolated(unsafe) var completionIndex = 0
nonisolated(unsafe) var readingLine = false
nonisolated(unsafe) var lineAbandoned = false
/// Ctrl-C while a statement runs: the interpreter stops it at its next check.
let shellCancellation = Cancellation()

/// readline's generator: hands out the prepared candidates one by one.
func completionGenerator(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    if state == 0 { completionIndex = 0 }
    guard completionIndex < completionCandidates.count else { return nil }
    completionIndex += 1
    return strdup(completionCandidates[completionIndex - 1])
}

/// readline's completion hook: file names inside quotes, the language's candidates elsewhere.
func attemptCompletion(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    let line = nanoatoms_rl_line_buffer().map { Array(String(cString: $0).utf8) } ?? []
    let before = String(decoding: line.prefix(Int(start)), as: UTF8.self)
    if before.filter({ $0 == "\"" }).count % 2 == 1 {
        nanoatoms_rl_set_completion_over(0)          // inside a string: readline completes file names
        return nil
    }
    nanoatoms_rl_set_completion_over(1)
    guard let interpreter = shellInterpreter, let text else { return nil }
    completionCandidates = Completion.candidates(before: before, word: String(cString: text), interpreter: interpreter)
    let open = completionCandidates.count == 1 && (completionCandidates[0].hasSuffix("=") || completionCandidates[0].hasSuffix("."))
    nanoatoms_rl_set_append_character(open ? 0 : 32)
    return rl_completion_matches(text, completionGenerator)
}

/// The shell.
final class Shell {
    let interpreter = Interpreter(cancellation: shellCancellation)

    /// The history file: $XDG_STATE_HOME/nanoatoms/history, else $HOME/.local/state/nanoatoms/history.
    static var historyPath: String {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (home + "/.local/state")
        return state + "/nanoatoms/history"
    }
    static let historyLimit: Int32 = 2000

    func run() {
        shellInterpreter = interpreter
        nanoatoms_rl_set_name("nanoatoms")
        nanoatoms_rl_set_completer(attemptCompletion)
        nanoatoms_rl_set_word_breaks(" \t\n\"'=;|{}()[],")
        nanoatoms_rl_set_quote_characters("\"")
        nanoatoms_rl_set_catch_signals(0)
        signal(SIGINT) { _ in
            if readingLine { nanoatoms_rl_abandon_line(); lineAbandoned = true }
            else { shellCancellation.request() }
        }
        let history = Shell.historyPath
        try? FileManager.default.createDirectory(atPath: PathComponents.folder(of: history), withIntermediateDirectories: true)
        // append_history only appends to a file that exists. (If it cannot be made, the
        // session still runs; its lines are just not kept.)
        if !FileManager.default.fileExists(atPath: history) { _ = FileManager.default.createFile(atPath: history, contents: nil) }
        using_history()
        nanoatoms_history_keep_multiline_entries()
        read_history(history)

        print("nanoatoms: atomic models and per-atom statistics from nanoparticle maps.")
        print("'help' lists the commands, 'explain denoise' teaches a step, Tab completes, Ctrl-D leaves.")
        var pending = ""
        while true {
            readingLine = true
            lineAbandoned = false
            let raw = readline(pending.isEmpty ? "nano> " : "  ... ")
            readingLine = false
            guard let raw else { print(""); break }                    // Ctrl-D
            let line = String(cString: raw)
            free(raw)
            if lineAbandoned { pending = ""; lineAbandoned = false; if line.isEmpty { continue } }
            let text = pending.isEmpty ? line : pending + "\n" + line
            if text.trimmingCharacters(in: .whitespaces).isEmpty && pending.isEmpty { continue }
            do {
                _ = try Parser.parse(text, commands: interpreter.commandNamesInScope)
            } catch where error.incomplete {
                pending = text
                continue
            } catch {}
            pending = ""
            add_history(text)
            append_history(1, history)
            history_truncate_file(history, Shell.historyLimit)
            shellCancellation.reset()
            do {
                try interpreter.run(text, recordTranscript: true)
            } catch {
                print(error.report(file: "shell", source: text))
            }
            fflush(nil)
            if interpreter.quitRequested { break }
        }
    }
}
