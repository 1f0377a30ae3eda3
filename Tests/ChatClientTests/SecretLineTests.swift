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
    ]

    @Test(arguments: rows) func masked(_ row: (line: String, shown: String?)) {
        #expect(SecretLine.masked(row.line) == row.shown)
    }
}
