import Foundation
import PropertyBased

/// How many inputs each property tries: a few hundred in `swift test` (and
/// so in CI); set `PAPO_FUZZ_COUNT` for a longer run by hand.
enum Fuzz {
    static let count = Int(ProcessInfo.processInfo.environment["PAPO_FUZZ_COUNT"] ?? "") ?? 300

    /// Bytes built from pieces that matter to a line-based protocol, so
    /// newlines, carriage returns, long runs and broken UTF-8 all come up
    /// often (uniform random bytes would almost never hold a newline).
    static let bytePieces: [[UInt8]] = [
        Array("\n".utf8), Array("\r\n".utf8), Array("\r".utf8), Array("a".utf8), Array("olá ".utf8),
        Array("/ping".utf8), Array(String(repeating: "x", count: 70).utf8), Array("{\"type\":\"say\"}".utf8),
        [0x00], [0xff], [0xc3], [0xe2, 0x80, 0xae], [0xf0, 0x9f, 0x98], Array(" ".utf8),
    ]

    /// Text pieces for JSON requests.
    static let jsonPieces: [String] = [
        "{", "}", "[", "]", ",", ":", "\"type\"", "\"hello\"", "\"line\"", "\"say\"", "\"text\"", "\"name\"",
        "\"id\"", "\"ana\"", "1", "-1", "1e999", "99999999999999999999", "null", "true", "\"\\u0000\"",
        "\"\\ud800\"", "\"a\\\"b\"", "\"/ping\"", " ", "\"\u{202E}\"", "\"olá\"", String(repeating: "[", count: 40),
    ]

    /// Pieces of chat lines: commands (real, aliased, unknown), arguments,
    /// names, rooms, numbers, Unicode and control characters.
    static let linePieces: [String] = [
        "/", "//", "/ping", "/ajuda", "/help", "/usuarios", "/nome", "/privado", "/msg", "/historico", "/hora",
        "/stats", "/salas", "/entrar", "/join", "/expulsar", "/kick", "/banir", "/ban", "/desbanir", "/admin",
        "/reload", "/bots", "/dado", "/moeda", "/sorteio", "/enquete", "/votar", "/lembrete", "/naoexiste",
        "/registrar", "/register", "/identificar", "/login", "/senha", "/conta", "apagar", "/moderador", "/op",
        "/desmoderador", "/deop", "senha-longa", "/sair", "/sairsala", "/part", "/sala", "/em", "/topico", "-",
        "/bots log", "moeda.lua",
        " ", "  ", "\t", "ana", "bia", "caio", "papo", "geral", "jogos", "0", "-5", "3d6", "999999999999",
        "10m", "olá", "é", "🙂", "\u{200D}", "\u{202E}", "\u{0007}", "\u{0085}", "\u{2028}", "x",
        String(repeating: "y", count: 300), "segredo", "|", "\"", "\\", "%s", "nil", "{",
    ]

    static func bytes() -> Generator<[UInt8], some Sequence> {
        Gen.element(of: bytePieces).array(of: 0...60).map { pieces in pieces.compactMap { $0 }.flatMap { $0 } }
    }

    static func json() -> Generator<String, some Sequence> {
        Gen.element(of: jsonPieces).array(of: 0...24).map { pieces in pieces.compactMap { $0 }.joined() }
    }

    static func line() -> Generator<String, some Sequence> {
        Gen.element(of: linePieces).array(of: 0...8).map { pieces in pieces.compactMap { $0 }.joined() }
    }
}
