@testable import SSHServer
import Testing

/// Bytes typed in → the line, the cursor and the events out.
@Suite("SSH line editor") struct LineEditorTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var chunks: [[UInt8]]
        var line: String
        var cursor: Int
        var events: [LineEditor.Event] = []
        var testDescription: String { name }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let rows: [Row] = [
        Row(name: "plain text", chunks: [bytes("oi")], line: "oi", cursor: 2),
        Row(name: "UTF-8 split across reads", chunks: [[0x63, 0x61, 0x66, 0xC3], [0xA9]], line: "café", cursor: 4),
        Row(name: "a 4-byte emoji split in three", chunks: [[0xF0, 0x9F], [0x98], [0x80]], line: "😀", cursor: 1),
        Row(name: "CR is Enter", chunks: [bytes("oi\r")], line: "", cursor: 0, events: [.submit("oi")]),
        Row(name: "LF is Enter", chunks: [bytes("oi\n")], line: "", cursor: 0, events: [.submit("oi")]),
        Row(name: "CRLF is one Enter", chunks: [bytes("oi\r"), bytes("\ntchau\r\n")], line: "", cursor: 0,
            events: [.submit("oi"), .submit("tchau")]),
        Row(name: "backspace over a wide character", chunks: [bytes("日本"), [0x7F]], line: "日", cursor: 1),
        Row(name: "backspace over an emoji with a modifier", chunks: [bytes("a👍🏽"), [0x08]], line: "a", cursor: 1),
        Row(name: "a combining accent joins its letter", chunks: [bytes("e\u{301}"), [0x7F]], line: "", cursor: 0),
        Row(name: "backspace on nothing rings", chunks: [[0x7F]], line: "", cursor: 0, events: [.bell]),
        Row(name: "left arrow, then insert", chunks: [bytes("ac\u{1B}[Db")], line: "abc", cursor: 2),
        Row(name: "SS3 arrows (application mode)", chunks: [bytes("ac\u{1B}ODb")], line: "abc", cursor: 2),
        Row(name: "Home and End, CSI and ~ forms", chunks: [bytes("bc\u{1B}[Ha\u{1B}[Fd\u{1B}[1~0\u{1B}[4~e")],
            line: "0abcde", cursor: 6),
        Row(name: "Delete under the cursor", chunks: [bytes("abc\u{1B}[D\u{1B}[D\u{1B}[3~")], line: "ac", cursor: 1),
        Row(name: "^A ^E ^B ^F", chunks: [bytes("bc"), [0x01], bytes("a"), [0x05], bytes("d"), [0x02, 0x02], [0x06]],
            line: "abcd", cursor: 3),
        Row(name: "^U kills to the start", chunks: [bytes("abc\u{1B}[D"), [0x15]], line: "c", cursor: 0),
        Row(name: "^K kills to the end", chunks: [bytes("abc\u{1B}[D\u{1B}[D"), [0x0B]], line: "a", cursor: 1),
        Row(name: "^W deletes a word", chunks: [bytes("bom dia  "), [0x17]], line: "bom ", cursor: 4),
        Row(name: "^C clears the line", chunks: [bytes("abc"), [0x03]], line: "", cursor: 0),
        Row(name: "^D on an empty line quits", chunks: [[0x04]], line: "", cursor: 0, events: [.quit]),
        Row(name: "^D on text deletes under the cursor", chunks: [bytes("ab\u{1B}[D"), [0x04]], line: "a", cursor: 1),
        Row(name: "^L clears the screen", chunks: [[0x0C]], line: "", cursor: 0, events: [.clearScreen]),
        Row(name: "Tab asks for completion", chunks: [bytes("/aj\t")], line: "/aj", cursor: 3, events: [.complete]),
        Row(name: "unknown CSI swallowed", chunks: [bytes("a\u{1B}[1;5Cb\u{1B}[?25hc")], line: "abc", cursor: 3),
        Row(name: "Alt+key swallowed", chunks: [bytes("a\u{1B}xb")], line: "ab", cursor: 2),
        Row(name: "other control characters dropped", chunks: [[0x61, 0x00, 0x07, 0x1F, 0x62]], line: "ab", cursor: 2),
        Row(name: "C1 and line separators dropped", chunks: [bytes("a\u{85}\u{2028}b")], line: "ab", cursor: 2),
        Row(name: "invalid UTF-8 dropped", chunks: [[0x61, 0xC3, 0x28, 0xFF, 0x62]], line: "a(b", cursor: 3),
        Row(name: "bracketed paste is one line", chunks: [bytes("\u{1B}[200~um\r\ndois\rtrês\u{1B}[201~")],
            line: "um dois três", cursor: 12),
        Row(name: "bracketed paste split across reads", chunks: [bytes("\u{1B}[20"), bytes("0~a\nb\u{1B}[2"), bytes("01~\r")],
            line: "", cursor: 0, events: [.submit("a b")]),
        Row(name: "a full line rings and keeps what it had", chunks: [Array(repeating: 0x61, count: 20)],
            line: String(repeating: "a", count: 16), cursor: 16, events: [.bell, .bell, .bell, .bell]),
        Row(name: "an endless escape sequence is swallowed to its end", chunks: [bytes("\u{1B}[" + String(repeating: "1", count: 400) + "xa")],
            line: "a", cursor: 1),
    ]

    @Test(arguments: rows)
    func keys(_ row: Row) {
        var editor = LineEditor(maxBytes: 16)
        var events: [LineEditor.Event] = []
        for chunk in row.chunks { events += editor.feed(chunk) }
        #expect(editor.line == row.line)
        #expect(editor.cursor == row.cursor)
        #expect(events == row.events)
    }

    @Test func upAndDownWalkTheHistoryAndKeepTheDraft() {
        var editor = LineEditor(maxBytes: 100)
        editor.remember("primeira")
        editor.remember("segunda")
        _ = editor.feed(Self.bytes("rascunho\u{1B}[A"))
        #expect(editor.line == "segunda")
        _ = editor.feed(Self.bytes("\u{1B}[A\u{1B}[A"))
        #expect(editor.line == "primeira")
        _ = editor.feed(Self.bytes("\u{1B}[B\u{1B}[B"))
        #expect(editor.line == "rascunho")
    }

    @Test func completionReplacesTheWordBeforeTheCursor() {
        var editor = LineEditor(maxBytes: 100)
        _ = editor.feed(Self.bytes("/privado bi"))
        #expect(editor.wordBeforeCursor == "bi" && !editor.completingFirstWord)
        editor.replaceWordBeforeCursor(with: "bia ")
        #expect(editor.line == "/privado bia " && editor.cursor == 13)
    }
}
