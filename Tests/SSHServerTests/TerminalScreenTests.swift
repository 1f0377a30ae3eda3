@testable import SSHServer
import Testing

/// Golden byte streams of the terminal session's screen.
@Suite("SSH terminal screen") struct TerminalScreenTests {
    static func editor(_ text: String, left: Int = 0) -> LineEditor {
        var editor = LineEditor(maxBytes: 4096)
        _ = editor.feed(Array(text.utf8) + Array(repeating: Array("\u{1B}[D".utf8), count: left).flatMap { $0 })
        return editor
    }

    @Test func anArrivingLineIsWrittenAboveTheHalfTypedOne() {
        var screen = TerminalScreen()
        screen.prompt = "[#geral] "
        let out = screen.show(["[10:00] #geral <bia> oi"], editor: Self.editor("hel"))
        #expect(out == "\r\u{1B}[K[10:00] #geral <bia> oi\r\n\r\u{1B}[K[#geral] hel")
    }

    @Test func theCursorGoesBackWhereItWas() {
        var screen = TerminalScreen()
        #expect(screen.inputLine(Self.editor("abcd", left: 2)) == "\r\u{1B}[K> abcd\u{1B}[2D")
    }

    @Test func wideCharactersCountTwoColumns() {
        var screen = TerminalScreen()
        #expect(screen.inputLine(Self.editor("日本x", left: 2)) == "\r\u{1B}[K> 日本x\u{1B}[3D")
    }

    @Test func aLongLineScrollsSidewaysToKeepTheCursorInView() {
        var screen = TerminalScreen()
        screen.resize(columns: 20) // 20 columns: prompt 2, room for 17
        let line = String(repeating: "a", count: 10) + String(repeating: "b", count: 20)
        let out = screen.inputLine(Self.editor(line))
        #expect(out == "\r\u{1B}[K> " + String(repeating: "b", count: 17))
        screen.resize(columns: 80)
        #expect(screen.inputLine(Self.editor(line)) == "\r\u{1B}[K> " + line, "a resize shows more again")
    }

    @Test func aResizeRedrawsFromTheFirstRowTheOldLineWrappedTo() {
        var screen = TerminalScreen()
        let editor = Self.editor(String(repeating: "x", count: 60))
        _ = screen.inputLine(editor) // drawn at 80 columns: cursor at column 62
        screen.resize(columns: 30)
        #expect(screen.redrawAfterResize(editor) == "\r\u{1B}[2A\u{1B}[J\r\u{1B}[K> " + String(repeating: "x", count: 27))
    }

    @Test func resizesAreKeptSane() {
        var screen = TerminalScreen()
        screen.resize(columns: 0)
        #expect(screen.width == 20)
        screen.resize(columns: 10000)
        #expect(screen.width == 1000)
    }

    @Test(arguments: [
        ("oi\u{1B}]0;título\u{07}", "oi]0;título"),
        ("\u{1B}[2Japagado", "[2Japagado"),
        ("\u{1B}[1;33mcor\u{1B}[0m", "\u{1B}[1;33mcor\u{1B}[0m"),
        ("a\u{9B}b\u{7F}c\rd", "abcd"),
        ("linha\num", "linha\num"),
    ])
    func onlyColoursAndNewlinesReachTheTerminal(_ text: String, _ shown: String) {
        #expect(TerminalScreen.sanitized(text) == shown)
    }

    @Test(arguments: [("a", 1), ("é", 1), ("e\u{301}", 1), ("日", 2), ("😀", 2), ("❤️", 2), ("\u{200B}", 0), ("한", 2)]
          as [(Character, Int)])
    func widths(_ character: Character, _ columns: Int) {
        #expect(TerminalWidth.columns(character) == columns)
    }
}
