/// What an SSH terminal session shows: lines that arrive are written above
/// the line being typed, which is then drawn again intact; the typed line
/// scrolls sideways when it is wider than the terminal, so a resize only
/// changes how much of it shows. Everything written goes through
/// `sanitized`: no byte from another user can drive this terminal.
struct TerminalScreen {
    /// Columns of the terminal (pty-req, window-change), kept to 20...1000.
    private(set) var width = 80
    var prompt = "> "
    /// The first column of the typed line that shows.
    private var scroll = 0
    /// Where the cursor was drawn last, in columns from the line's start.
    private var drawnCursor = 0

    static let clearLine = "\r\u{1B}[K"

    mutating func resize(columns: Int) {
        width = min(max(columns, 20), 1000)
    }

    /// After a resize: the typed line was drawn for the old width, and a
    /// narrower terminal rewrapped it over several rows. Go up to its first
    /// row, clear to the end of the screen, and draw it for the new width.
    mutating func redrawAfterResize(_ editor: LineEditor) -> String {
        let rowsAbove = drawnCursor / width
        return "\r" + (rowsAbove > 0 ? "\u{1B}[\(rowsAbove)A" : "") + "\u{1B}[J" + inputLine(editor)
    }

    /// The bytes that draw the prompt and `editor`'s line, cursor in place.
    mutating func inputLine(_ editor: LineEditor) -> String {
        let promptColumns = TerminalWidth.columns(prompt)
        let room = max(width - promptColumns - 1, 4)
        let columns = editor.buffer.map(TerminalWidth.columns)
        let cursorColumn = columns.prefix(editor.cursor).reduce(0, +)
        scroll = min(scroll, max(0, columns.reduce(0, +) - room))
        if cursorColumn < scroll { scroll = cursorColumn }
        if cursorColumn - scroll > room { scroll = cursorColumn - room }
        var shown = "", column = 0, used = 0
        for (character, w) in zip(editor.buffer, columns) {
            defer { column += w }
            guard column >= scroll else { continue }
            guard used + w <= room else { break }
            shown.append(character)
            used += w
        }
        let back = used - (cursorColumn - scroll)
        drawnCursor = promptColumns + cursorColumn - scroll
        return Self.clearLine + prompt + Self.sanitized(shown) + (back > 0 ? "\u{1B}[\(back)D" : "")
    }

    /// Writes `lines` above the typed line, then draws it again.
    mutating func show(_ lines: [String], editor: LineEditor) -> String {
        guard !lines.isEmpty else { return "" }
        var out = Self.clearLine
        for line in lines {
            out += Self.sanitized(line).replacing("\n", with: "\r\n") + "\r\n"
        }
        return out + inputLine(editor)
    }

    /// Clears the typed line before a submitted one is handled: the chat
    /// shows it back in the room's format, once.
    func submitted() -> String { Self.clearLine }

    /// Control characters out (newlines and SGR colour sequences, which
    /// Papo's own renderer makes, stay).
    static func sanitized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\u{1B}" {
                // Only `ESC [ digits;… m` passes whole; any other ESC is dropped alone.
                var end = index
                if end < scalars.count, scalars[end] == "[" {
                    end += 1
                    while end < scalars.count, end - index < 16, ("0"..."9").contains(scalars[end]) || scalars[end] == ";" {
                        end += 1
                    }
                    if end < scalars.count, scalars[end] == "m" {
                        out.append(contentsOf: scalars[(index - 1)...end])
                        index = end + 1
                    }
                }
                continue
            }
            let value = scalar.value
            if scalar == "\n" || (value >= 0x20 && value != 0x7F && !(0x80..<0xA0).contains(value)) {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
