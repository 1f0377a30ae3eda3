import CLibEdit
import ChatServer
import Foundation

/// `papo connect`: a terminal chat client. Lines typed go to the server;
/// what arrives is printed above the line being edited, which libedit then
/// redraws intact. libedit (Debian's libedit-dev, readline-compatible
/// callback API) gives line editing and up-arrow history; we keep only the
/// glue here.
public final class TerminalClient {
    private let host: String
    private let port: Int
    private var name: String?
    private let connection = ServerConnection()
    private var renderer: ClientRenderer
    private let interactive: Bool
    private var running = true
    private var leaving = false
    private var prompt = "> "
    private var currentRoom = ""
    /// Connect over TLS, trusting the system's roots or only this CA file.
    private let tls: Bool
    private let tlsCA: String?

    public init(host: String, port: Int, name: String?, tls: Bool = false, tlsCA: String? = nil) {
        self.host = host
        self.port = port
        self.name = name
        self.tls = tls || tlsCA != nil
        self.tlsCA = tlsCA
        self.interactive = isatty(STDIN_FILENO) == 1
        self.renderer = ClientRenderer(useColor: isatty(STDOUT_FILENO) == 1
                                       && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }

    /// Runs until the user leaves or the server goes away; returns the exit code.
    public func run() -> Int32 {
        setvbuf(stdout, nil, _IOLBF, 0)
        Self.useUTF8Locale()
        do {
            try connection.connect(host: host, port: port,
                                   tls: tls ? try TLS.clientContext(trusting: tlsCA) : nil)
        } catch {
            printLine("Não foi possível conectar a \(host):\(port): \(Self.reason(error)).")
            return 1
        }
        defer { connection.close() }
        guard let welcomeName = logIn() else { return leaving ? 0 : 1 }
        name = welcomeName
        return chat()
    }

    /// libedit edits multibyte text only under a UTF-8 locale; in the
    /// program's default "C" locale it drops every accented letter.
    private static func useUTF8Locale() {
        setlocale(LC_CTYPE, "")
        if String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") != "UTF8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    // MARK: Logging in

    /// Sends names until the server accepts one; nil if the user gave up or
    /// the link died. A registered name is sent again with its password,
    /// asked for without echo when the server says it needs one.
    private func logIn() -> String? {
        var candidate = name
        var password: String?
        while true {
            if candidate == nil {
                guard let typed = askName() else {
                    leaving = true
                    return nil
                }
                candidate = typed
            }
            var hello = ["name": candidate!]
            hello["password"] = password
            connection.send(type: "hello", fields: hello)
            let sentName = candidate!
            candidate = nil
            password = nil
            while true {
                let items = connection.inbox.wait(timeout: 10)
                if items.isEmpty {
                    printLine("O servidor não respondeu a tempo.")
                    return nil
                }
                var answered = false
                for item in items {
                    switch item {
                    case .closed:
                        printLine("A conexão com o servidor foi encerrada.")
                        return nil
                    case .line(let line):
                        let parsed = ClientRenderer.parse(line)
                        switch parsed {
                        case .welcome(let name, let room):
                            renderer.render(parsed).forEach(printLine)
                            updatePrompt(name: name, room: room)
                            return name
                        case .error("password_required", let message):
                            printLine(message)
                            guard let typed = askPassword() else {
                                leaving = true
                                return nil
                            }
                            candidate = sentName
                            password = typed
                            answered = true
                        case .error(_, let message):
                            printLine(renderer.paint(message, .red))
                            answered = true
                        default:
                            continue // the plain-text greeting, meant for nc users
                        }
                    }
                }
                if answered { break }
            }
        }
    }

    /// The password, read from the terminal with echo off (so it is never
    /// on screen nor in the line editor's history), or the next line of
    /// piped input.
    private func askPassword() -> String? {
        if interactive {
            return getpass("Senha: ").map { String(cString: $0) }
        }
        print("Senha: ", terminator: "")
        return Swift.readLine()
    }

    private func askName() -> String? {
        if interactive {
            guard let raw = readline("Seu nome: ") else { return nil }
            defer { free(raw) }
            return String(cString: raw).trimmingCharacters(in: .whitespaces)
        }
        print("Seu nome: ", terminator: "")
        return Swift.readLine()
    }

    // MARK: Chatting

    private func chat() -> Int32 {
        TerminalClient.current = self
        signal(SIGINT, onInterrupt)
        if interactive {
            installLineHandler()
        }
        var lost = false
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: connection.inbox.readFD, events: Int16(POLLIN), revents: 0)]
        var stdinOpen = true
        var pending = Data()
        while running {
            fds[0].fd = stdinOpen ? STDIN_FILENO : -1
            if poll(&fds, 2, -1) < 0 && errno != EINTR { break }
            if fds[1].revents != 0 {
                for item in connection.inbox.drain() {
                    switch item {
                    case .line(let line):
                        let parsed = ClientRenderer.parse(line)
                        track(parsed)
                        show(renderer.render(parsed))
                    case .closed:
                        lost = !leaving
                        running = false
                    }
                }
                if TerminalClient.interrupted { leave() }
            }
            if running, stdinOpen, fds[0].revents != 0 {
                if interactive {
                    rl_callback_read_char()
                } else {
                    stdinOpen = readPlain(into: &pending)
                    if !stdinOpen { leave() }
                }
            }
        }
        if interactive {
            rl_callback_handler_remove()
            fputs("\r\u{1B}[K", stdout) // clear the abandoned prompt line
        }
        TerminalClient.current = nil
        if lost {
            printLine("A conexão com o servidor foi perdida.")
            return 1
        }
        return 0
    }

    /// (Re)starts libedit's line editor. Reinstalled after each line: libedit
    /// otherwise keeps the finished line in its buffer and redraws it.
    fileprivate func installLineHandler() {
        rl_callback_handler_install(prompt, onLine)
    }

    /// Reads piped (non-terminal) input and sends whole lines; false at end of input.
    private func readPlain(into pending: inout Data) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(STDIN_FILENO, &chunk, chunk.count)
        guard count > 0 else { return false }
        pending.append(contentsOf: chunk[0..<count])
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
            pending.removeSubrange(pending.startIndex...newline)
            submit(line)
        }
        return true
    }

    fileprivate func submit(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return }
        if interactive {
            if let masked = SecretLine.masked(trimmed) {
                replaceEcho(of: line, with: masked)
            } else {
                add_history(trimmed)
            }
        }
        connection.send(type: "line", field: "text", value: trimmed)
        let command = trimmed.split(separator: " ").first.map { $0.lowercased() }
        if command == "/sair" || command == "/quit" { leaving = true }
    }

    /// Rewrites the line libedit just echoed (the prompt and `line`, on the
    /// rows above the cursor) as `shown`.
    private func replaceEcho(of line: String, with shown: String) {
        var size = winsize()
        let columns = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        let rows = Self.rows(prompt + line, columns: columns)
        fputs(String(repeating: "\u{1B}[1A", count: rows) + "\r\u{1B}[J" + prompt + shown + "\n", stdout)
        fflush(stdout)
    }

    /// Terminal columns `text` takes (wide characters take two), by the
    /// C library's tables for the UTF-8 locale set at start.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    /// Rows an echoed line and its Enter take on a terminal `columns` wide:
    /// a wide character that does not fit starts the next row, and a line
    /// that fills its last row exactly wraps before the newline.
    static func rows(_ text: String, columns: Int) -> Int {
        var rows = 1, column = 0
        for scalar in text.unicodeScalars {
            let width = width(of: scalar)
            if column + width > columns {
                rows += 1
                column = 0
            }
            column += width
        }
        return column >= columns ? rows + 1 : rows
    }

    private static func width(of scalar: Unicode.Scalar) -> Int {
        max(0, Int(papo_wcwidth(scalar.value)))
    }

    /// Ctrl-D or Ctrl-C: say goodbye; the loop ends when the server closes.
    fileprivate func leave() {
        if leaving { return }
        leaving = true
        connection.send(type: "line", field: "text", value: "/sair")
    }

    /// Prints lines above the line being edited, then redraws it intact.
    private func show(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        if interactive {
            fputs("\r\u{1B}[K", stdout)
        }
        for line in lines { fputs(line + "\n", stdout) }
        fflush(stdout)
        if interactive, running {
            rl_forced_update_display()
        }
    }

    /// Follows the user's own renames and room changes into the prompt.
    private func track(_ parsed: ClientRenderer.Parsed) {
        guard case .event(let event) = parsed else { return }
        // A server that says goodbye is not a lost connection.
        if event.kind == .shutdown { leaving = true }
        guard let me = name, event.sender == me else { return }
        var room = currentRoom
        switch event.kind {
        case .current: room = event.room ?? ""
        case .rename: name = event.target ?? me
        default: return
        }
        updatePrompt(name: name ?? me, room: room)
        if interactive { rl_set_prompt(prompt) }
    }

    private func updatePrompt(name: String, room: String) {
        currentRoom = room
        prompt = room.isEmpty ? "\(name)> " : "\(name)@#\(room)> "
    }

    private func printLine(_ line: String) {
        fputs(line + "\n", stdout)
        fflush(stdout)
    }

    private static func reason(_ error: Error) -> String {
        let text = "\(error)"
        if text.contains("refused") { return "conexão recusada (o servidor está rodando?)" }
        if text.contains("imeout") { return "tempo esgotado" }
        if text.contains("resolve") || text.contains("host") { return "endereço desconhecido" }
        return text
    }

    // MARK: C callbacks (libedit and signals call plain C functions)

    fileprivate nonisolated(unsafe) static var current: TerminalClient?
    fileprivate nonisolated(unsafe) static var interrupted = false
}

/// libedit calls this with each finished line, or NULL on Ctrl-D.
private func onLine(_ raw: UnsafeMutablePointer<CChar>?) {
    guard let client = TerminalClient.current else { return }
    guard let raw else {
        client.leave()
        return
    }
    let line = String(cString: raw)
    free(raw)
    client.submit(line)
    rl_callback_handler_remove()
    client.installLineHandler()
}

/// Ctrl-C: flag it and wake the loop (only async-signal-safe work here).
private func onInterrupt(_ signal: Int32) {
    TerminalClient.interrupted = true
    TerminalClient.current?.wakeFromSignal()
}

extension TerminalClient {
    fileprivate func wakeFromSignal() {
        connection.inbox.wake()
    }
}
