@testable import AssayRules
import Testing

/// A source snippet with the names it must define and the names it must not.
struct DefinitionCase: Sendable, CustomTestStringConvertible {
    let label: String
    let source: String
    let defined: [String]
    let notDefined: [String]

    init(_ label: String, _ source: String, defined: [String], notDefined: [String] = []) {
        self.label = label
        self.source = source
        self.defined = defined
        self.notDefined = notDefined
    }

    var testDescription: String { label }

    func check(_ language: SourceLanguage) {
        let defs = SymbolDefinitions.definitions(in: source, language: language)
        for name in defined {
            #expect(defs.contains(name), "\(label): `\(name)` should be defined; got \(defs.sorted())")
        }
        for name in notDefined {
            #expect(!defs.contains(name), "\(label): `\(name)` should not be defined; got \(defs.sorted())")
        }
    }
}

@Suite struct SymbolDefinitionsTests {
    // MARK: Languages

    @Test(arguments: [
        ("Sources/AssayRules/PathSyntax.swift", SourceLanguage.swift), ("src/main.rs", .rust), ("a/b.ts", .typescript),
        ("App.tsx", .typescript), ("x.mts", .typescript), ("x.cts", .typescript), ("types.d.ts", .typescript),
        ("index.js", .javascript), ("App.JSX", .javascript), ("x.mjs", .javascript), ("x.cjs", .javascript),
        ("tool.py", .python), ("stubs.pyi", .python), ("cmd/main.go", .go),
    ] as [(String, SourceLanguage)])
    func languageByExtension(_ path: String, _ language: SourceLanguage) {
        #expect(SymbolDefinitions.language(forPath: path) == language)
    }

    @Test(arguments: ["README.md", "Makefile", "a.json", ".swift", "dir.rs/file", "x.tsx.bak", "src/", ""])
    func otherFilesHaveNoLanguage(_ path: String) {
        #expect(SymbolDefinitions.language(forPath: path) == nil)
    }

    // MARK: Swift

    static let swiftCases: [DefinitionCase] = [
        DefinitionCase("types with modifiers, attributes and generics", """
            public final class Ledger: Store {}
            @MainActor struct ViewModel<T: Sendable> where T: Equatable {}
            indirect enum Tree { case leaf }
            protocol Verifier: AnyObject {}
            distributed actor Cache {}
            public typealias Row = [String]
            """, defined: ["Ledger", "ViewModel", "Tree", "leaf", "Verifier", "Cache", "Row"],
            notDefined: ["Store", "T", "Sendable", "Equatable", "MainActor", "AnyObject", "String"]),
        DefinitionCase("members: properties and methods count, locals and init do not", """
            struct Box {
                private(set) var count = 0
                static let shared = Box()
                let a = 1, b: Int = 2
                var tuple: Dictionary<String, Int> = [:], after = 0
                @Published var published: Bool = false
                var computed: Int { let local = 3; return local }
                static func make() -> Box { let temp = Box(); return temp }
                override func viewDidLoad() { var scratch = 1 }
                init(count: Int) { self.count = count }
                class func factory() {}
                lazy var closure: () -> Void = { let captured = 1 }
            }
            """, defined: ["Box", "count", "shared", "a", "b", "tuple", "after", "published", "computed", "make",
                           "viewDidLoad", "factory", "closure"],
            notDefined: ["local", "temp", "scratch", "init", "self", "Int", "captured", "Dictionary", "Published"]),
        DefinitionCase("extension NAME does not define NAME", """
            extension ContextDoc: Codable {
                func encode() {}
                var isEmpty: Bool { true }
            }
            """, defined: ["encode", "isEmpty"], notDefined: ["ContextDoc", "Codable"]),
        DefinitionCase("enum cases on one line and with payloads", """
            enum Verdict: String {
                case verified, contradicted = "c", abstain
                indirect case node(Verdict, left: Int)
                case pair(a: Int, b: Int); case last
                func describe() -> String {
                    switch self {
                    case .verified: return "v"
                    case let .node(inner, _): return "n"
                    default: return ""
                    }
                }
            }
            """, defined: ["Verdict", "verified", "contradicted", "abstain", "node", "pair", "last", "describe"],
            notDefined: ["left", "a", "b", "inner", "String", "default"]),
        DefinitionCase("definitions in comments and strings do not count", #"""
            // class Fake {}
            /* struct Hidden { /* nested */ func alsoHidden() {} } */
            /// func docExample()
            let message = "func inString() { \(value) }"
            let multi = """
                class InMulti {}
                \(value) struct Interp
                """
            let raw = #"enum RawEnum { "quoted" }"#
            func real() {}
            """#, defined: ["message", "multi", "raw", "real"],
            notDefined: ["Fake", "Hidden", "alsoHidden", "docExample", "inString", "InMulti", "Interp", "RawEnum",
                         "quoted", "value"]),
        DefinitionCase("calls, imports, annotations and pattern bindings do not define", """
            import Foundation
            import struct Collections.Deque
            func run() {
                let result = parseManifest(data)
                Ledger.record(result)
                var counter = 0
                if let value = optional { print(value) }
                for item in items { counter += item }
            }
            guard let config = load() else { fatalError() }
            if case let .some(wrapped) = maybe {}
            let x: ContextDoc = makeDoc()
            """, defined: ["run", "x"],
            notDefined: ["Foundation", "Collections", "Deque", "parseManifest", "Ledger", "record", "result", "counter",
                         "value", "item", "config", "wrapped", "ContextDoc", "makeDoc", "load"]),
        DefinitionCase("associatedtype, macro and backticked names", """
            protocol Container { associatedtype Element; func `default`() -> Element }
            @freestanding(expression) public macro stringify<T>(_ v: T) = #externalMacro(module: "M", type: "S")
            let (first, second) = pair
            """, defined: ["Container", "Element", "default", "stringify", "first", "second"],
            notDefined: ["T", "externalMacro", "freestanding", "pair", "v"]),
        DefinitionCase("nested types", """
            enum Outer {
                struct Inner { var field: Int }
                case one
            }
            """, defined: ["Outer", "Inner", "field", "one"], notDefined: ["Int"]),
    ]

    @Test(arguments: swiftCases) func swift(_ c: DefinitionCase) { c.check(.swift) }

    // MARK: Rust

    static let rustCases: [DefinitionCase] = [
        DefinitionCase("items with visibility, async, unsafe, extern, const fn prefixes", """
            pub fn parse_manifest(path: &Path) -> Result<Manifest> { let local = 1; todo!() }
            pub(crate) async fn fetch() {}
            const fn compute() -> u8 { 1 }
            pub unsafe extern "C" fn ffi_entry() {}
            pub struct Store<T: Clone> { inner: T }
            pub trait Verifier: Send {}
            type Alias = Vec<u8>;
            pub const MAX_SIZE: usize = 10;
            static mut COUNTER: u32 = 0;
            pub(super) mod store;
            pub union Bits { a: u32 }
            macro_rules! my_macro { ($name:ident) => { fn $name() {} }; }
            """, defined: ["parse_manifest", "fetch", "compute", "ffi_entry", "Store", "Verifier", "Alias", "MAX_SIZE",
                           "COUNTER", "store", "Bits", "my_macro"],
            notDefined: ["local", "Path", "Manifest", "T", "Clone", "inner", "$name", "name", "Result", "Send", "todo"]),
        DefinitionCase("enum variants", """
            #[derive(Debug, Default)]
            pub enum Shape<T> where T: Copy {
                Circle(f64),
                Rect { w: f64, h: f64 },
                #[default]
                Empty,
                Tagged = 4,
            }
            enum Unit { A, B(u8), C { x: i32 } }
            """, defined: ["Shape", "Circle", "Rect", "Empty", "Tagged", "Unit", "A", "B", "C"],
            notDefined: ["w", "h", "x", "default", "Debug", "Default", "Copy", "T"]),
        DefinitionCase("impl X does not define X; impl Trait for X defines its fns", """
            impl Store {
                pub fn open() -> Self { Self {} }
            }
            impl fmt::Display for Store {
                type Output = ();
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { Ok(()) }
            }
            """, defined: ["open", "fmt", "Output"], notDefined: ["Store", "Display", "Formatter", "f", "Self"]),
        DefinitionCase("use declarations and calls do not define", """
            use crate::Foo;
            use std::collections::{HashMap, HashSet as Set};
            extern crate serde;
            fn main() { let x = Foo::new(); bar(x); let handler = |y| y + 1; }
            """, defined: ["main"], notDefined: ["Foo", "HashMap", "HashSet", "Set", "serde", "new", "bar", "x", "handler"]),
        DefinitionCase("comments, strings, raw strings, char literals, lifetimes", #"""
            // fn commented() {}
            /* outer /* inner */ fn still_comment() {} */
            /// fn doc_example() {}
            const S: &str = "fn in_string() {}";
            const R: &str = r#"struct InRaw { "x" }"#;
            const C: char = '"';
            const B: &[u8] = br"fn in_bytes()";
            fn after<'a>(x: &'a str) -> &'static str { x }
            """#, defined: ["S", "R", "C", "B", "after"],
            notDefined: ["commented", "still_comment", "doc_example", "in_string", "InRaw", "in_bytes", "x", "a", "static"]),
        DefinitionCase("generics, const generics and raw pointers", """
            fn f<T: Clone, const N: usize>(x: [T; N]) where T: Default {}
            fn g(p: *const u8, q: *mut u8) {}
            struct Wrapper<'a, T: 'static>(&'a T);
            """, defined: ["f", "g", "Wrapper"], notDefined: ["T", "N", "u8", "p", "q", "Default"]),
        DefinitionCase("nested items, lifetimes and char literals in real code", """
            impl Display for Value {
                fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    struct WriterFormatter<'a, 'b: 'a> {
                        inner: &'a mut fmt::Formatter<'b>,
                    }
                    impl<'a, 'b> io::Write for WriterFormatter<'a, 'b> {
                        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                            let s = unsafe { str::from_utf8_unchecked(buf) };
                            Ok(buf.len())
                        }
                    }
                    let alternate = f.alternate();
                    Ok(())
                }
            }
            fn parse_index(s: &str) -> Option<usize> {
                if s.starts_with('+') || (s.starts_with('{') && s.len() != 1) { return None; }
                s.parse().ok()
            }
            pub static NAMES: [&str; 2] = ["a", "b"];
            """, defined: ["fmt", "WriterFormatter", "write", "parse_index", "NAMES"],
            notDefined: ["Value", "Display", "inner", "alternate", "s", "buf", "Write", "parse"]),
    ]

    @Test(arguments: rustCases) func rust(_ c: DefinitionCase) { c.check(.rust) }

    // MARK: TypeScript / JavaScript

    static let scriptCases: [DefinitionCase] = [
        DefinitionCase("declarations", """
            export function parseManifest(path: string): Manifest { const local = 1; return local }
            function* gen() {}
            export async function load() {}
            export default function main() {}
            export class ContextDoc<T> extends Base<T> implements Doc {}
            export interface Options { verbose: boolean }
            export type Handler = (e: Event) => void
            type Pair<A, B> = [A, B]
            export enum Color { Red, Green }
            export const MAX_SIZE = 10, MIN_SIZE = 1
            let counter = 0
            var legacy
            declare const injected: number
            export const enum Flags { One = 1 }
            export const handler = async (req) => { const inner = req.body }
            """, defined: ["parseManifest", "gen", "load", "main", "ContextDoc", "Options", "Handler", "Pair", "Color",
                           "MAX_SIZE", "MIN_SIZE", "counter", "legacy", "injected", "Flags", "handler"],
            notDefined: ["local", "Manifest", "Base", "Doc", "T", "verbose", "Event", "A", "B", "path", "inner", "req",
                         "enum"]),
        DefinitionCase("destructuring", """
            const { a, b: renamed, c = 3, ...rest } = obj
            const [x, , y = 2, ...others] = arr
            const { nested: { deep }, list: [firstItem] } = obj
            let {
              multi,
              line = {},
            } = source
            """, defined: ["a", "renamed", "c", "rest", "x", "y", "others", "deep", "firstItem", "multi", "line"],
            notDefined: ["b", "obj", "arr", "nested", "list", "source"]),
        DefinitionCase("imports and re-exports do not define", """
            import { Foo } from "./foo"
            import Bar, * as Baz from "bar"
            import type { Qux } from "./qux"
            import { type Quux, Corge as Grault } from "./q"
            export { Foo as Exported } from "./foo"
            export type { Qux as QuxType }
            const { readFile } = require("fs")
            const path = require("path")
            const lazy = await import("./lazy")
            useFoo(Foo)
            """, defined: [],
            notDefined: ["Foo", "Bar", "Baz", "Qux", "Quux", "Corge", "Grault", "Exported", "QuxType", "readFile", "path",
                         "lazy", "useFoo"]),
        DefinitionCase("export default class with decorated fields, methods, accessors", """
            @Component({ selector: "app" })
            export default class Service extends Base {
              @Input() name: string;
              private readonly cache = new Map<string, number>();
              static count = 0
              #secret = 1
              optional?: string
              constructor(private dep: Dep) { super(); }
              async fetchAll(): Promise<void> {
                if (this.ready) { this.run() }
                const temp = 1
                for (const x of xs) {}
              }
              get size() { return 1 }
              static *items() {}
              handler = (e) => {
                this.other(e)
              }
              chained = source
                .filter(Boolean)
              abstract render(): void;
            }
            """, defined: ["Service", "name", "cache", "count", "secret", "optional", "fetchAll", "size", "items",
                           "handler", "chained", "render"],
            notDefined: ["constructor", "Base", "Input", "Component", "selector", "dep", "Dep", "temp", "x", "run",
                         "ready", "other", "if", "super", "filter", "get", "static", "e"]),
        DefinitionCase("object-literal keys are not definitions", """
            export const config = {
              port: 8080,
              start() { return 1 },
              handler: function () {},
            }
            const routes = { list: () => [] }
            module.exports = { routes, helper: 1 }
            """, defined: ["config", "routes"], notDefined: ["port", "start", "handler", "list", "exports", "helper", "module"]),
        DefinitionCase("comments, strings, templates and regex literals", """
            // function commented() {}
            /* class Hidden {} */
            const s = "function inString() {}"
            const q = 'class InSingle {}'
            const t = `class InTemplate ${ "x" + `function nested() {}` } ${value}`
            const re = /function inRegex\\(\\) { '/g
            const div = a / b / c
            function real() {}
            """, defined: ["s", "q", "t", "re", "div", "real"],
            notDefined: ["commented", "Hidden", "inString", "InSingle", "InTemplate", "nested", "inRegex"]),
        DefinitionCase("JSX text with apostrophes and closing tags", """
            export function App() {
              return <div className="x">Don't {items.map(i => <Item key={i} />)}</div>
            }
            export const Footer = () => <p>It's done</p>
            class Widget {}
            """, defined: ["App", "Footer", "Widget"], notDefined: ["Item", "i", "items", "div"]),
        DefinitionCase("locals inside functions and blocks are not module definitions", """
            function outer() {
              const inner = 1
              let other = 2
              function nestedFn() {}
            }
            if (ready) { const blockScoped = 1 }
            for (let i = 0; i < 3; i++) {}
            """, defined: ["outer", "nestedFn"], notDefined: ["inner", "other", "blockScoped", "i", "ready"]),
        DefinitionCase("namespaces and generic annotations", """
            export namespace Utils {
              export const helper = 1
              export function go() {}
            }
            const cache: Map<string, number> = new Map<string, number>(), next = 1
            """, defined: ["Utils", "helper", "go", "cache", "next"], notDefined: ["number", "string", "Map"]),
    ]

    @Test(arguments: scriptCases) func typescript(_ c: DefinitionCase) { c.check(.typescript) }
    @Test(arguments: scriptCases) func javascript(_ c: DefinitionCase) { c.check(.javascript) }

    // MARK: Python

    static let pythonCases: [DefinitionCase] = [
        DefinitionCase("module-level assignments, annotations, tuples", """
            import os
            from x import Foo
            from .y import Bar as Baz

            MAX_SIZE = 10
            name: str = "x"
            A, B = 1, 2
            (C, D) = 3, 4
            count: int
            os.environ["X"] = "1"
            obj.attr = 2
            items[0] = 1
            x == 3
            total += 1
            walrus_expr = (y := 5)
            print("def fake():")
            """, defined: ["MAX_SIZE", "name", "A", "B", "C", "D", "count", "walrus_expr"],
            notDefined: ["os", "Foo", "Bar", "Baz", "environ", "attr", "obj", "items", "x", "total", "y", "print", "fake",
                         "str", "int"]),
        DefinitionCase("functions, classes and class-level attributes", #"""
            def parse_manifest(path):
                local = 1
                def inner():
                    pass
                return local

            async def fetch():
                pass

            class ContextDoc(Base):
                """class Docstring: pass
                kind = 'fake'
                """
                kind = "doc"
                title: str
                def render(self):
                    self.cache = {}
                    tmp = 2

                @property
                def size(self):
                    return 1
            after_class = True
            """#, defined: ["parse_manifest", "inner", "fetch", "ContextDoc", "kind", "title", "render", "size",
                            "after_class"],
            notDefined: ["local", "cache", "tmp", "Docstring", "Base", "property", "self", "path"]),
        DefinitionCase("comments, strings, conditional module blocks, type aliases", #"""
            # def commented(): pass
            if TYPE_CHECKING:
                Alias = int
            after = """
            def in_string():
            class InString:
            """
            s = 'class Quoted'  # class Trailing
            type Vector = list[float]
            try:
                import json
            except ImportError:
                json = None
            """#, defined: ["Alias", "after", "s", "Vector", "json"],
            notDefined: ["commented", "in_string", "InString", "Quoted", "Trailing", "TYPE_CHECKING", "float"]),
        DefinitionCase("dataclass fields and decorators", """
            @dataclass(frozen=True)
            class Point:
                x: int
                y: int = 0

                def dist(self) -> float:
                    total: float = 0
                    return total
            """, defined: ["Point", "x", "y", "dist"], notDefined: ["dataclass", "frozen", "total", "float"]),
        DefinitionCase("multi-line calls and literals at module level", """
            result = compute(
                a=1,
                b=2,
            )
            config = {
                "k": v,
                other: 1,
            }
            long_value = 1 + \\
                2
            (
                FIRST,
                SECOND,
            ) = range(2)
            """, defined: ["result", "config", "long_value", "FIRST", "SECOND"], notDefined: ["a", "b", "k", "v", "other", "compute"]),
    ]

    @Test(arguments: pythonCases) func python(_ c: DefinitionCase) { c.check(.python) }

    // MARK: Go

    static let goCases: [DefinitionCase] = [
        DefinitionCase("funcs, methods, types, grouped const/var/type", """
            package store

            import (
            \t"fmt"
            \tstr "strings"
            )

            const MaxSize = 10

            const (
            \tModeFast Mode = iota
            \tModeSlow
            \tA, B = 1, 2
            )

            var (
            \tcache = map[string]int{
            \t\t"x": 1,
            \t}
            \tcounter int
            )

            var x, y = 1, 2

            type Store struct {
            \tPath string
            }

            type (
            \tMode    int
            \tHandler func(int) error
            )

            type List[T any] struct{ items []T }

            func Open(path string) (*Store, error) {
            \tlocal := 1
            \tvar inner = 2
            \tconst limit = 3
            \tfmt.Println(local, inner)
            \tf := func(a int) int { return a }
            \treturn nil, nil
            }

            func (s *Store) Close() error { return nil }
            func (l *List[T]) Push(v T) {}
            func Map[T, U any](xs []T, f func(T) U) []U { return nil }
            """, defined: ["MaxSize", "ModeFast", "ModeSlow", "A", "B", "cache", "counter", "x", "y", "Store", "Mode",
                           "Handler", "List", "Open", "Close", "Push", "Map"],
            notDefined: ["fmt", "str", "strings", "Path", "local", "inner", "limit", "f", "T", "U", "items", "Println",
                         "store", "a", "s", "l"]),
        DefinitionCase("comments and strings", """
            // func Commented() {}
            /* type Hidden struct{} */
            var s = "func InString() {}"
            var r = `
            type InRaw struct{}
            `
            var c = '"'
            func Real() {}
            """, defined: ["s", "r", "c", "Real"], notDefined: ["Commented", "Hidden", "InString", "InRaw"]),
    ]

    @Test(arguments: goCases) func go(_ c: DefinitionCase) { c.check(.go) }

    // MARK: Robustness

    static let robustnessSources: [String] = [
        #"struct A { let s = "unterminated \(x "  /* open"#,
        "fn f<'a>(x: &'a str) { let c = '\\u{1F600}'; r#\"raw\"# } /* /* nested */",
        "const t = `a ${ `b ${ \"c\" } ` /re[/]x/ '",
        "def f():\n    s = '''open\nclass X: \\\n",
        "func (r *T) M() { s := `raw",
        "enum E { case a(, let (x, = { [ } ] ) ]",
    ]

    /// Every prefix of a tricky source parses without trapping, in every language.
    @Test func truncatedSourcesDoNotTrap() {
        for source in Self.robustnessSources {
            let chars = Array(source)
            for end in 0...chars.count {
                let prefix = String(chars[0..<end])
                for language in SourceLanguage.allCases {
                    _ = SymbolDefinitions.definitions(in: prefix, language: language)
                }
            }
        }
    }

    @Test func largeFilesScan() {
        var source = ""
        for i in 0..<3_000 {
            source += "export function f\(i)(x: number): number { return x /* c */ + \"s\" .length } // \(i)\n"
        }
        let defs = SymbolDefinitions.definitions(in: source, language: .typescript)
        #expect(defs.count == 3_000)
        #expect(defs.contains("f2999"))
    }

    // MARK: Symbol syntax

    @Test(arguments: [
        "ContextDoc", "Ledger.record", "parse_manifest", "store::open()", "MAX_SIZE", "parseManifest()",
        "crate::store::open", "Self::new", "std::fs::read_to_string", "_private", "useState", "Foo2", "$state",
        "SymbolDefinitions.lookupNames", "  ContextDoc  ", "HTTPClient", "io_uring", "App",
    ])
    func symbolsAreRecognised(_ token: String) {
        #expect(SymbolDefinitions.looksLikeSymbol(token), "\(token)")
    }

    @Test(arguments: [
        "src/a.ts", "true", "--flag", "KEY=value", "LOG_LEVEL=debug", "https://x", "a b", "42", "is", "npm test", "",
        "nil", "null", "self", "let", "fn", "async", "undefined", "None", "README.md", "index.ts", "e.g.", "x.y",
        "$HOME", "foo(x)", "Box<T>", "1.0", "v1.2.3", "::", ".foo", "foo.", "a", "@scope/pkg", "#123", "foo bar()",
        "string", "u8", "a::", "()", "café", "x-y", "a,b",
    ])
    func nonSymbolsAreNot(_ token: String) {
        #expect(!SymbolDefinitions.looksLikeSymbol(token), "\(token)")
    }

    @Test(arguments: [
        ("Ledger.record", ["record", "Ledger"]),
        ("store::open()", ["open", "store"]),
        ("ContextDoc", ["ContextDoc"]),
        ("parse_manifest()", ["parse_manifest"]),
        ("self.cache", ["cache"]),
        ("crate::store::open", ["open", "store"]),
        ("Self::new", ["new"]),
        ("a.b.c", ["c", "b", "a"]),
        ("Foo.Foo", ["Foo"]),
        ("src/a.ts", []),
        ("a b", []),
        ("", []),
    ] as [(String, [String])])
    func lookupNames(_ token: String, _ expected: [String]) {
        #expect(SymbolDefinitions.lookupNames(for: token) == expected)
    }

    /// The pieces work together: a claim's token resolves to a name the code defines.
    @Test func claimTokensResolveAgainstDefinitions() {
        let defs = SymbolDefinitions.definitions(in: """
            public struct Ledger {
                public func record(_ row: Row) {}
            }
            """, language: .swift)
        let token = "Ledger.record()"
        #expect(SymbolDefinitions.looksLikeSymbol(token))
        #expect(SymbolDefinitions.lookupNames(for: token).first.map(defs.contains) == true)
    }
}

