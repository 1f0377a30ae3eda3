import Foundation
@testable import ChatClient
import Testing

@Suite("Password lines in papo connect") struct SecretLineTests {
    static let rows: [(line: String, shown: String?)] = [
        ("/admin segredo", "/admin ********"),
        ("/ADMIN segredo", "/ADMIN ********"),
        ("/oper segredo", "/oper ********"),
        ("/admin   frase com espaços", "/admin ********"),
        ("/admin", nil),            // no password: the server answers with the usage
        ("/administrar algo", nil), // another word
        ("/privado ana /admin segredo", nil),
        ("olá /admin segredo", nil),
        ("/nome ana", nil),
        ("/registrar minha senha longa", "/registrar ********"),
        ("/register segredo1", "/register ********"),
        ("/identificar ana segredo1", "/identificar ana ********"),
        ("/LOGIN ana frase com espaços", "/LOGIN ana ********"),
        ("/identify ana", nil),     // no password yet: nothing to hide
        ("/senha velha-senha nova-senha", "/senha ********"),
        ("/password x", "/password ********"),
    ]

    @Test(arguments: rows) func masked(_ row: (line: String, shown: String?)) {
        #expect(SecretLine.masked(row.line) == row.shown)
    }
}

@Suite("Terminal width of a redrawn line") struct DisplayWidthTests {
    static let rows: [(text: String, columns: Int)] = [
        ("ana@#geral> /admin segredo", 26),
        ("ação", 4),        // accented letters take one column
        ("日本語", 6),       // wide characters take two
        ("a\u{200B}b", 2),  // a zero-width space takes none
    ]

    /// Measured under a UTF-8 locale, as `papo connect` sets at start; set
    /// for this thread only, so other tests keep theirs.
    @Test(arguments: rows) func columns(_ row: (text: String, columns: Int)) throws {
        let utf8 = try #require(newlocale(LC_CTYPE_MASK, "C.UTF-8", nil))
        let previous = uselocale(utf8)
        defer { uselocale(previous); freelocale(utf8) }
        #expect(TerminalClient.displayWidth(row.text) == row.columns)
    }

    static let wrapping: [(text: String, rows: Int)] = [
        (String(repeating: "a", count: 29), 1),
        (String(repeating: "a", count: 30), 2),  // a full row wraps before the newline
        (String(repeating: "a", count: 31), 2),
        (String(repeating: "a", count: 60), 3),
        (String(repeating: "日", count: 15), 2), // 30 columns exactly
        (String(repeating: "a", count: 29) + "日", 2), // the wide character starts row 2
    ]

    /// On a terminal 30 columns wide.
    @Test(arguments: wrapping) func rows(_ row: (text: String, rows: Int)) throws {
        let utf8 = try #require(newlocale(LC_CTYPE_MASK, "C.UTF-8", nil))
        let previous = uselocale(utf8)
        defer { uselocale(previous); freelocale(utf8) }
        #expect(TerminalClient.rows(row.text, columns: 30) == row.rows)
    }
}
