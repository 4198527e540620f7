import Testing
/// The language's source location (Testing has a type of the same name).
typealias Loc = NanoAtomsLanguage.SourceLocation
import NanoAtomsLanguage

/// One test per production of Grammar/nanoatoms.ebnf, and the error positions.
@Suite("Parsing the language (Grammar/nanoatoms.ebnf)")
struct ParserTests {
    func parse(_ s: String) throws -> [Statement] { try Parser.parse(s, commands: Interpreter.commandNames) }
    func L(_ l: Int, _ c: Int) -> Loc { Loc(line: l, column: c) }

    /// The error parsing `s` gives.
    func failure(_ s: String) -> LanguageError? {
        do { _ = try parse(s); return nil } catch let e as LanguageError { return e } catch { return nil }
    }

    @Test("script: statements separated by new lines and semicolons, blank lines and comments skipped")
    func script() throws {
        let s = try parse("\n# a comment\nx = 1; y = 2\n\n  z = 3 # trailing\n;;")
        #expect(s.count == 3)
        #expect(s.map(\.location) == [L(3, 1), L(3, 8), L(5, 3)])
        #expect(try parse("").isEmpty)
    }

    @Test("assignment: name = expression")
    func assignment() throws {
        #expect(try parse("map = 3") == [.assignment("map", .number(3, L(1, 7)), L(1, 1))])
    }

    @Test("for loop: for name in expression { script }")
    func forLoop() throws {
        let s = try parse("for f in [1, 2] {\n  print f\n}")
        guard case .forLoop(let name, .list(let items, _), let body, _) = s[0] else { Issue.record("not a for loop"); return }
        #expect(name == "f" && items.count == 2 && body.count == 1)
    }

    @Test("set statement: set option value, a bare word taken as text")
    func setStatement() throws {
        #expect(try parse("set element Pt") == [.set("element", .string("Pt", L(1, 13)), L(1, 1))])
        #expect(try parse("set element e.symbol") == [.set("element", .member(.variable("e", L(1, 13)), "symbol", L(1, 14)), L(1, 1))])
        #expect(try parse("set threads 2") == [.set("threads", .number(2, L(1, 13)), L(1, 1))])
    }

    @Test("command call: positional and key=value arguments, shell style")
    func commandCall() throws {
        let s = try parse("simulate \"truncoct\" natoms=300 snr=4")
        guard case .expression(.call(let c)) = s[0] else { Issue.record("not a call"); return }
        #expect(c.name == "simulate")
        #expect(c.positional == [.string("truncoct", L(1, 10))])
        #expect(c.keywords.map(\.name) == ["natoms", "snr"])
        #expect(c.keywords[0].value == .number(300, L(1, 28)))
    }

    @Test("a command's name in argument position starts a nested call taking the rest")
    func nestedCall() throws {
        guard case .expression(.call(let show)) = try parse("show summary tab")[0],
              case .call(let summary) = show.positional[0] else { Issue.record("not nested"); return }
        #expect(show.name == "show" && summary.name == "summary")
        #expect(summary.positional == [.variable("tab", L(1, 14))])
    }

    @Test("pipeline: the left value becomes the right command's first argument; a line may end after |")
    func pipeline() throws {
        guard case .assignment(_, .call(let detect), _) = try parse("a = load \"m.mrc\" | denoise |\n  binarize | detect")[0] else {
            Issue.record("not a pipeline"); return
        }
        #expect(detect.name == "detect")
        guard case .call(let binarize) = detect.positional[0], case .call(let den) = binarize.positional[0],
              case .call(let load) = den.positional[0] else { Issue.record("wrong nesting"); return }
        #expect(binarize.name == "binarize" && den.name == "denoise" && load.name == "load")
    }

    @Test("literals: numbers (signs, exponents), strings with escapes, booleans, lists")
    func literals() throws {
        let s = try parse("x = [1, -2.5, 3e2, 1.5E-1, \"a\\\"b\\n\\t\\\\\", true, false, []]")
        guard case .assignment(_, .list(let items, _), _) = s[0] else { Issue.record("not a list"); return }
        #expect(items.count == 8)
        #expect(items[0] == .number(1, L(1, 6)) && items[1] == .number(-2.5, L(1, 9)))
        #expect(items[2] == .number(300, L(1, 15)) && items[3] == .number(0.15, L(1, 20)))
        #expect(items[4] == .string("a\"b\n\t\\", L(1, 28)))
        #expect(items[5] == .bool(true, L(1, 42)) && items[6] == .bool(false, L(1, 48)))
        #expect(items[7] == .list([], L(1, 55)))
    }

    @Test("member access and parentheses")
    func memberAndParentheses() throws {
        #expect(try parse("tab.median_cn") == [.expression(.member(.variable("tab", L(1, 1)), "median_cn", L(1, 4)))])
        guard case .expression(.member(.call(let c), "delta", _)) = try parse("(fitdepth tab).delta")[0] else {
            Issue.record("not a member of a call"); return
        }
        #expect(c.name == "fitdepth")
    }

    @Test("brackets continue over new lines; braces keep them as separators")
    func continuation() throws {
        let s = try parse("x = [1,\n  2,\n  3]\ny = (\n4)")
        #expect(s.count == 2)
    }

    @Test("help and explain take a bare word, even a keyword")
    func helpWords() throws {
        guard case .expression(.call(let c)) = try parse("help set")[0] else { Issue.record("not a call"); return }
        #expect(c.positional == [.string("set", L(1, 6))])
        guard case .expression(.call(let e)) = try parse("explain denoise")[0] else { Issue.record("not a call"); return }
        #expect(e.positional == [.string("denoise", L(1, 9))])
    }

    @Test("errors name the line and column", arguments: [
        ("x = ", 1, 5, "expected a value after '='"),
        ("x = [1, 2", 1, 10, "expected ']'"),
        ("a = 1\nb = (2 @", 2, 8, "unexpected character '@'"),
        ("x = \"open", 1, 5, "unterminated string"),
        ("denoize map", 1, 1, "unknown command 'denoize' (did you mean 'denoise'?)"),
        ("load = 3", 1, 1, "'load' is a command"),
        ("x = 3 4", 1, 7, "unexpected the number 4 after the statement"),
        ("for x [1] { }", 1, 7, "expected 'in'"),
        ("x = 1 | y", 1, 9, "expected a command after '|'"),
        ("x = \"a\\q\"", 1, 7, "unknown escape '\\q'"),
        ("x = 12ab", 1, 5, "a number cannot run into a name"),
        ("x = tab.", 1, 9, "expected a member name"),
    ])
    func errors(source: String, line: Int, column: Int, message: String) {
        let e = failure(source)
        #expect(e?.location == L(line, column), "\(String(describing: e))")
        #expect(e?.message.hasPrefix(message) == true, "\(String(describing: e?.message))")
    }

    @Test("input that ends too early is incomplete (the shell asks for more), other errors are not")
    func incomplete() {
        for s in ["x = [1,", "for f in [1] {", "x = \"abc", "a = load \"m\" |", "y = (1"] {
            #expect(failure(s)?.incomplete == true, "\(s)")
        }
        for s in ["x = ]", "x = 1 2", "denoize m"] { #expect(failure(s)?.incomplete == false, "\(s)") }
    }
}
