import Foundation
import Testing
@testable import NanoAtomsLanguage

/// The productions Grammar/nanoatoms.ebnf gained for analyses: operators, indexing, slices,
/// selections, if, def, return, bare paths; and what each evaluates to.
@Suite("Expressions, selections and control (Grammar/nanoatoms.ebnf)")
struct ExpressionParserTests {
    func parse(_ s: String) throws -> [Statement] { try Parser.parse(s, commands: Interpreter.commandNames) }
    func L(_ l: Int, _ c: Int) -> Loc { Loc(line: l, column: c) }
    func value(_ s: String) throws -> NanoAtomsLanguage.Expression {
        guard case .assignment(_, let e, _) = try parse("v = " + s)[0] else { throw LanguageError("not an assignment") }
        return e
    }

    @Test("precedence: or < and < not < comparison < + - < * / < unary minus < ^")
    func precedence() throws {
        // 1 + 2 * 3 ^ 2  is  1 + (2 * (3 ^ 2))
        guard case .binary(.add, .number(1, _), .binary(.multiply, .number(2, _), .binary(.power, .number(3, _), .number(2, _), _), _), _) = try value("1 + 2 * 3 ^ 2") else {
            Issue.record("wrong tree for 1 + 2 * 3 ^ 2"); return
        }
        // -2^2 is -(2^2); 2^3^2 is 2^(3^2)
        guard case .unary(.negate, .binary(.power, _, _, _), _) = try value("-x^2") else { Issue.record("-x^2"); return }
        guard case .binary(.power, .number(2, _), .binary(.power, _, _, _), _) = try value("2^3^2") else { Issue.record("2^3^2"); return }
        // a < 1 or not b and c  is  (a < 1) or ((not b) and c)
        guard case .binary(.or, .binary(.less, _, _, _), .binary(.and, .unary(.not, _, _), .variable("c", _), _), _) = try value("a < 1 or not b and c") else {
            Issue.record("wrong tree for or/and/not"); return
        }
        // a - b - c is (a - b) - c
        guard case .binary(.subtract, .binary(.subtract, .variable("a", _), .variable("b", _), _), .variable("c", _), _) = try value("a - b - c") else {
            Issue.record("left-associative -"); return
        }
        #expect(try value("-2.5") == .number(-2.5, L(1, 5)))
    }

    @Test("indexing, slices and members chain; '[' after a space is a new value")
    func postfix() throws {
        guard case .member(.index(.variable("tab", _), .number(12, _), _), "cn", _) = try value("tab[12].cn") else { Issue.record("tab[12].cn"); return }
        guard case .slice(.variable("a", _), .number(0, _), .number(10, _), _) = try value("a[0:10]") else { Issue.record("a[0:10]"); return }
        guard case .slice(_, nil, .number(-1, _), _) = try value("a[:-1]") else { Issue.record("a[:-1]"); return }
        guard case .slice(_, .number(2, _), nil, _) = try value("a[2:]") else { Issue.record("a[2:]"); return }
        guard case .expression(.call(let c)) = try parse("print x [0]")[0] else { Issue.record("not a call"); return }
        #expect(c.positional.count == 2)
    }

    @Test("'where' takes a condition; in arguments it belongs to the argument")
    func selection() throws {
        guard case .selection(.variable("tab", _), .binary(.and, _, _, _), _) = try value("tab where cn < 9 and radial_depth < fit.delta") else {
            Issue.record("not a selection"); return
        }
        guard case .expression(.call(let stats)) = try parse("stats atoms where cn < 9")[0],
              case .selection = stats.positional[0] else { Issue.record("the selection is not stats' argument"); return }
    }

    @Test("shell-style arguments: a -1 is two values, a - 1 and a-1 are one")
    func spacing() throws {
        func count(_ s: String) throws -> Int {
            guard case .expression(.call(let c)) = try parse(s)[0] else { return -1 }
            return c.positional.count
        }
        #expect(try count("print a -1") == 2)
        #expect(try count("print a - 1") == 1)
        #expect(try count("print a-1") == 1)
        #expect(try count("print tab.uiso * 8 * pi^2 \"B\"") == 2)
        #expect(try count("simulate truncoct offset=-3") == 1)
    }

    @Test("bare paths: a leading / ~/ ./ ../ or a file extension makes a word a path")
    func paths() throws {
        guard case .expression(.call(let c)) = try parse("load /data/np4_part1.mrc")[0] else { Issue.record("not a call"); return }
        #expect(c.positional == [.string("/data/np4_part1.mrc", L(1, 6))])
        guard case .expression(.call(let d)) = try parse("export tab results/np4.csv")[0] else { Issue.record("not a call"); return }
        #expect(d.positional[1] == .string("results/np4.csv", L(1, 12)))
        #expect(try value("a/b") != .string("a/b", L(1, 5)))          // no extension: division
        #expect(try value("tab.cn") == .member(.variable("tab", L(1, 5)), "cn", L(1, 8)))
    }

    @Test("if / else if / else, with else on the line of the brace")
    func conditional() throws {
        guard case .conditional(let branches, _) = try parse("if a { x = 1 } else if b { x = 2 } else { x = 3 }")[0] else {
            Issue.record("not an if"); return
        }
        #expect(branches.count == 3 && branches[2].condition == nil)
        #expect(throws: LanguageError.self) { try parse("if a { x = 1 }\nelse { x = 2 }") }
    }

    @Test("def: parameters, a body, its # comment lines as help; return only inside")
    func definition() throws {
        let s = try parse("x = 1\n# the mean Uiso\n# of the core\ndef core_u(t, c) {\n  return mean t.uiso\n}\ncore_u tab 3")
        guard case .definition(let d) = s[1] else { Issue.record("not a def"); return }
        #expect(d.name == "core_u" && d.parameters == ["t", "c"] && d.documentation == "the mean Uiso\nof the core")
        guard case .expression(.call(let c)) = s[2] else { Issue.record("the defined name does not call"); return }
        #expect(c.name == "core_u" && c.positional.count == 2)
        #expect(throws: LanguageError.self) { try parse("return 3") }
        #expect(throws: LanguageError.self) { try parse("def stats(a) { }") }
        #expect(throws: LanguageError.self) { try parse("for i in [1] { def f() { } }") }
    }

    @Test("unique prefixes call commands when an argument follows; ambiguous ones say which")
    func prefixes() throws {
        guard case .expression(.call(let c)) = try parse("den m")[0] else { Issue.record("not a call"); return }
        #expect(c.name == "denoise")
        do { _ = try parse("s m"); Issue.record("'s' is ambiguous") } catch let e as LanguageError {
            #expect(e.message.contains("start of several commands"))
        }
    }

    @Test("errors: chained comparisons, = for ==, a stray operator", arguments: [
        ("x = 1 < 2 < 3", "comparisons do not chain"),
        ("x = tab where cn = 3", "unexpected '=' after the statement (to compare, write ==)"),
        ("x = * 2", "expected a value before '*'"),
        ("x = a where", "expected a value"),
    ])
    func errors(source: String, message: String) {
        do { _ = try parse(source); Issue.record("\(source) parsed") } catch let e as LanguageError {
            #expect(e.message.hasPrefix(message), "\(e.message)")
        } catch { Issue.record("\(error)") }
    }
}

@Suite("Evaluating expressions and control")
struct ExpressionEvaluationTests {
    func printed(_ source: String) -> String {
        let s = Session()
        if let e = s.run(source) { return "error: \(e.message)" }
        return s.last
    }

    @Test("arithmetic by hand: precedence, unary minus, powers, IEEE division", arguments: [
        ("print 1 + 2 * 3 ^ 2 - -1", "20"),
        ("print -2^2 (2^3^2)", "-4 512"),
        ("print 7 / 2 (1 / 0) (0 / 0)", "3.5 inf nan"),
        ("print 2 * pi", "6.28319"),
        ("print \"a\" + \"b\"", "\"ab\""),
    ])
    func arithmetic(source: String, expected: String) {
        #expect(printed(source).replacingOccurrences(of: "\"", with: "") == expected.replacingOccurrences(of: "\"", with: ""))
    }

    @Test("element-wise on lists; comparisons give true/false per item; nan compares false")
    func elementWise() {
        #expect(printed("x = [1, 2, 3]\nprint x * 2 (x + x) (x > 1) (x == [1, 0, 3])") == "[2, 4, 6] [2, 4, 6] [false, true, true] [true, false, true]")
        #expect(printed("print [nan, 1] < 2") == "[false, true]")
        #expect(printed("print [1, 2] + [1]").hasPrefix("error: '+' needs lists of the same length, not 2 and 1"))
        #expect(printed("print [1] * \"a\"").hasPrefix("error: cannot multiply a number and a string"))
        // A list nested a thousand deep is refused, not a stack overflow.
        #expect(printed("y = [1]\nfor a in [1,2,3,4,5,6,7,8,9,10] { for b in [1,2,3,4,5,6,7,8,9,10] { for c in [1,2,3,4,5,6,7,8,9,10] { y = [y] } } }\nz = y * 2 - y")
                    .hasPrefix("error: lists nested more than 100 deep"))
    }

    @Test("and / or look at the right side only when they must")
    func shortCircuit() {
        #expect(printed("print (false and undefined_name) (true or undefined_name)") == "false true")
        #expect(printed("print true and undefined_name").hasPrefix("error: unknown variable"))
    }

    @Test("indexing: negative from the end, out of range named, a mask or a list of indices")
    func indexing() {
        #expect(printed("x = [10, 20, 30, 40]\nprint x[0] x[-1] x[1:3] x[:-2] x[5:] x[x > 15] x[[3, 0]]") == "10 40 [20, 30] [10, 20] [] [20, 30, 40] [40, 10]")
        #expect(printed("x = [1, 2]\nprint x[2]").hasPrefix("error: index 2 is out of range: 2 items, 0 to 1"))
        #expect(printed("x = [1, 2]\nprint x[0.5]").hasPrefix("error: an index must be a whole number"))
    }

    @Test("aggregates by hand; nan left out; true counts 1")
    func aggregates() {
        #expect(printed("x = [4, 1, nan, 3, 2]\nprint (count x) (mean x) (median x) (min x) (max x) (sum x) (sd [1, 2, 3, 4])") == "5 2.5 2.5 1 4 10 1.29099")
        #expect(printed("print (count ([1, 5, 7] > 2)) (sum ([1, 5, 7] > 2)) (mean [true, false])") == "2 2 0.5")
        #expect(printed("print (sort [3, nan, 1, 2]) (sort [\"b\", \"a\"]) (head [5, 6, 7] n=2)") == "[1, 2, 3, nan] [\"a\", \"b\"] [5, 6]")
        #expect(printed("print (mean [])") == "nan")
    }

    @Test("if / else if / else picks the first true branch; a non-boolean condition is an error")
    func conditional() {
        #expect(printed("x = 5\nif x > 10 { y = 1 } else if x > 3 { y = 2 } else { y = 3 }\nprint y") == "2")
        #expect(printed("if 3 { print 1 }").hasPrefix("error: 'if' needs true or false, not a number"))
    }

    @Test("def: arguments bound, the caller's variables read but not changed, help from comments")
    func definitions() {
        let s = Session()
        #expect(s.run("k = 10\n# add k to n\ndef addk(n) {\n  inner = n + k\n  return inner\n}\nprint (addk 5)") == nil)
        #expect(s.last == "15")
        #expect(s.interpreter.variables["inner"] == nil)
        #expect(s.run("help addk") == nil)
        #expect(s.last == "addk n\n  add k to n")
        #expect(s.run("addk 1 2")?.message.hasPrefix("addk takes 1 argument (n), not 2") == true)
        #expect(s.run("def f(n) { return f n }\nf 1")?.message.contains("64 deep") == true)
        // A recursive definition that ends.
        #expect(s.run("def fact(n) { if n <= 1 { return 1 }\nreturn n * (fact (n - 1)) }\nprint (fact 10)") == nil)
        #expect(s.last == "3628800")
        // Defined in an earlier entry, an error inside points into the definition.
        #expect(s.run("def broken(a) {\n  return a + \"x\"\n}") == nil)
        let e = s.run("broken 1")
        #expect(e?.file == "def broken" && e?.location == Loc(line: 2, column: 12) && e?.lineText == "  return a + \"x\"")
    }

    @Test("a bare word is text only where a choice is taken: a wrong word lists the choices, a mistyped variable is named")
    func bareWords() {
        let s = Session()
        #expect(s.run("set element Pt\ntab = stats (simulate natoms=55 seed=1).truth") == nil)
        #expect(s.run("f = fitdepth tab cnn")?.message.contains("must be one of cn, gcn") == true)
        #expect(s.run("f = fitdepth tabb cn")?.message == "unknown variable 'tabb' (did you mean 'tab'?)")
        #expect(s.run("p = plot tab kind=bin")?.message.contains("not 'bin' (did you mean 'bins'?)") == true)
    }

    @Test("quit stops a script after the statement; nothing after it runs")
    func quit() {
        let s = Session()
        #expect(s.run("x = 1\nquit\nx = 2") == nil)
        #expect(s.interpreter.quitRequested)
        guard case .number(1)? = s.interpreter.variables["x"] else { Issue.record("x changed after quit"); return }
    }

    @Test("the checker follows: column names inside where, def arity, no false alarms")
    func checker() {
        #expect(Checker.check("set element Pt\nm = simulate\ntab = stats (build m)\ns = tab where cn < 9 and uiso > 0.1\nprint (mean s.uiso) (count s)\ndef f(t) { return count t }\nprint (f s)\nif s.count > 3 { print 1 } else { print 2 }").isEmpty)
        let p = Checker.check("def f(a, b) { return a }\nf 1\nprint (undefined_thing + 1)")
        #expect(p.map(\.message) == ["f takes 2 arguments (a, b), not 1", "unknown variable 'undefined_thing'"])
    }
}
