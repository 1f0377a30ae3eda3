/// The line editor of an SSH terminal session, a pure state machine: bytes
/// typed in, the line being edited and events out (the screen draws it).
/// UTF-8 may be split across reads; CR, LF and CRLF are Enter; arrows,
/// Home/End (CSI and SS3 forms), ^A ^E ^B ^F ^U ^K ^W ^L ^C ^D, up/down
/// history and bracketed paste are understood; any other escape sequence
/// is swallowed. Written for Papo (no line editor library reads an NIO
/// byte stream); the design follows golang.org/x/term's.
struct LineEditor {
    enum Event: Equatable {
        /// Enter on a line (maybe empty).
        case submit(String)
        /// ^D on an empty line.
        case quit
        /// ^L: clear the screen, then draw the line again.
        case clearScreen
        /// Tab: complete the word before the cursor.
        case complete
        /// The key did nothing (a full line, nothing to delete).
        case bell
    }

    /// The most a line may hold (a paste included), in UTF-8 bytes.
    let maxBytes: Int
    /// Lines kept for up-arrow.
    static let historyLimit = 100
    /// The longest escape sequence read before it is dropped.
    static let maxEscape = 32

    private(set) var buffer: [Character] = []
    /// Position in `buffer`, 0...buffer.count.
    private(set) var cursor = 0
    private(set) var history: [String] = []
    /// Index into `history` while browsing it; nil: editing a new line.
    private var browsing: Int?
    private var draft: [Character] = []

    private var utf8: [UInt8] = []
    private var escape: [UInt8]?
    private var pasting = false
    private var lastWasCR = false

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    var line: String { String(buffer) }
    var isEmpty: Bool { buffer.isEmpty }

    /// Feeds what the client sent; returns what it asked for, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if let event = take(byte) { events.append(event) }
        }
        return events
    }

    private mutating func take(_ byte: UInt8) -> Event? {
        if escape != nil { return continueEscape(byte) }
        let wasCR = lastWasCR
        lastWasCR = byte == 0x0D
        if !utf8.isEmpty || byte >= 0x80 { return decode(byte) }
        if pasting {
            if byte == 0x1B { escape = [] ; return nil }
            // A paste is one message: its line breaks and tabs become spaces.
            if byte == 0x0D || byte == 0x0A || byte == 0x09 {
                if byte == 0x0A && wasCR { return nil }
                return insert(" ")
            }
            return byte >= 0x20 && byte != 0x7F ? insert(Character(Unicode.Scalar(byte))) : nil
        }
        switch byte {
        case 0x0D: return submit()
        case 0x0A: return wasCR ? nil : submit()
        case 0x1B: escape = []; return nil
        case 0x7F, 0x08: return backspace()
        case 0x01: cursor = 0
        case 0x05: cursor = buffer.count
        case 0x02: cursor = max(0, cursor - 1)
        case 0x06: cursor = min(buffer.count, cursor + 1)
        case 0x15: buffer.removeSubrange(0..<cursor); cursor = 0
        case 0x0B: buffer.removeSubrange(cursor...)
        case 0x17: deleteWord()
        case 0x0C: return .clearScreen
        case 0x03: buffer = []; cursor = 0; browsing = nil
        case 0x04:
            if buffer.isEmpty { return .quit }
            if cursor < buffer.count { buffer.remove(at: cursor) }
        case 0x09: return .complete
        case 0x20...0x7E: return insert(Character(Unicode.Scalar(byte)))
        default: return nil
        }
        return nil
    }

    private mutating func decode(_ byte: UInt8) -> Event? {
        utf8.append(byte)
        let needed: Int
        switch utf8[0] {
        case 0xC2...0xDF: needed = 2
        case 0xE0...0xEF: needed = 3
        case 0xF0...0xF4: needed = 4
        default: utf8 = []; return nil // a stray continuation byte or an invalid lead
        }
        if utf8.count > 1, byte & 0xC0 != 0x80 {
            // Not a continuation: drop the broken sequence, keep this byte.
            utf8 = []
            return byte < 0x80 ? take(byte) : decode(byte)
        }
        guard utf8.count == needed else { return nil }
        defer { utf8 = [] }
        guard let text = String(validating: utf8, as: UTF8.self), let scalar = text.unicodeScalars.first,
              scalar.value >= 0xA0, !(0x2028...0x2029).contains(scalar.value) else { return nil }
        return insert(Character(scalar))
    }

    private mutating func continueEscape(_ byte: UInt8) -> Event? {
        // Past its cap a sequence is no longer kept, only swallowed to its end.
        if escape!.count < Self.maxEscape { escape!.append(byte) } else if (0x40...0x7E).contains(byte) {
            escape = nil
            return nil
        } else {
            return nil
        }
        let sequence = escape!
        switch sequence[0] {
        case UInt8(ascii: "["):
            guard sequence.count > 1, (0x40...0x7E).contains(byte) else { return nil }
            escape = nil
            return csi(String(decoding: sequence.dropFirst().dropLast(), as: UTF8.self), final: byte)
        case UInt8(ascii: "O"):
            guard sequence.count == 2 else { return nil }
            escape = nil
            return csi("", final: byte)
        default:
            escape = nil // Alt+key and the like
            return nil
        }
    }

    private mutating func csi(_ parameters: String, final: UInt8) -> Event? {
        if pasting {
            if final == UInt8(ascii: "~"), parameters == "201" { pasting = false }
            return nil
        }
        switch (final, parameters) {
        case (UInt8(ascii: "A"), _): historyStep(-1)
        case (UInt8(ascii: "B"), _): historyStep(1)
        case (UInt8(ascii: "C"), _): cursor = min(buffer.count, cursor + 1)
        case (UInt8(ascii: "D"), _): cursor = max(0, cursor - 1)
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): cursor = 0
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): cursor = buffer.count
        case (UInt8(ascii: "~"), "3"):
            if cursor < buffer.count { buffer.remove(at: cursor) }
        case (UInt8(ascii: "~"), "200"): pasting = true
        default: break
        }
        return nil
    }

    private mutating func insert(_ character: Character) -> Event? {
        if line.utf8.count + String(character).utf8.count > maxBytes { return .bell }
        // A combining mark joins the character before it.
        if cursor > 0, String([buffer[cursor - 1], character]).count == 1 {
            buffer[cursor - 1] = Character(String([buffer[cursor - 1], character]))
            return nil
        }
        buffer.insert(character, at: cursor)
        cursor += 1
        return nil
    }

    private mutating func backspace() -> Event? {
        guard cursor > 0 else { return .bell }
        buffer.remove(at: cursor - 1)
        cursor -= 1
        return nil
    }

    private mutating func deleteWord() {
        var start = cursor
        while start > 0, buffer[start - 1] == " " { start -= 1 }
        while start > 0, buffer[start - 1] != " " { start -= 1 }
        buffer.removeSubrange(start..<cursor)
        cursor = start
    }

    private mutating func submit() -> Event {
        let text = line
        buffer = []
        cursor = 0
        browsing = nil
        return .submit(text)
    }

    /// Keeps `line` for up-arrow (the session leaves out password lines).
    mutating func remember(_ line: String) {
        guard !line.isEmpty, history.last != line else { return }
        history.append(line)
        if history.count > Self.historyLimit { history.removeFirst() }
    }

    private mutating func historyStep(_ step: Int) {
        guard !history.isEmpty else { return }
        let current = browsing ?? history.count
        let next = min(max(current + step, 0), history.count)
        guard next != current else { return }
        if browsing == nil { draft = buffer }
        browsing = next == history.count ? nil : next
        buffer = next == history.count ? draft : Array(history[next])
        cursor = buffer.count
    }

    /// Replaces the word before the cursor with `word` (Tab completion).
    mutating func replaceWordBeforeCursor(with word: String) {
        var start = cursor
        while start > 0, buffer[start - 1] != " " { start -= 1 }
        buffer.replaceSubrange(start..<cursor, with: Array(word))
        cursor = start + word.count
    }

    /// The word before the cursor (what Tab completes).
    var wordBeforeCursor: String {
        var start = cursor
        while start > 0, buffer[start - 1] != " " { start -= 1 }
        return String(buffer[start..<cursor])
    }

    /// Whether the word before the cursor is the line's first.
    var completingFirstWord: Bool {
        !buffer[..<cursor].contains(" ")
    }
}
