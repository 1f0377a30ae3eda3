import BotEngine
import ChatCore
import NIOCore

/// Registration: CAP negotiation, PASS, NICK and USER, then admission by
/// the engine as a Papo user in no room, and the welcome burst (001-005
/// and 422). Anything else before it is answered 451.
extension IRCSession {
    func register(_ message: IRCMessage) {
        switch message.command {
        case "CAP":
            capability(message)
        case "AUTHENTICATE":
            authenticate(message)
        case "PASS":
            guard let password = message.params.first, !password.isEmpty else {
                client.send([client.numeric("461", "PASS", "Faltam parâmetros")])
                return
            }
            givenPassword = password
        case "NICK":
            guard let nick = message.params.first, !nick.isEmpty else {
                client.send([client.numeric("431", "Nenhum apelido informado")])
                return
            }
            if case .failure(let error) = NameRules.userName(nick) {
                client.send([client.numeric(error == .nameEmpty ? "431" : "432", nick, error.message)])
                return
            }
            requestedNick = nick
            tryToFinish()
        case "USER":
            guard message.params.count >= 4, !message.params[0].isEmpty, !message.params[3].isEmpty else {
                client.send([client.numeric("461", "USER", "Faltam parâmetros")])
                return
            }
            // Shown to others in WHO and WHOIS: only printable text, never a control character.
            let user = String(message.params[0].unicodeScalars.filter { !NameRules.isControl($0) && $0 != " " }.prefix(16))
            userName = user.isEmpty ? "user" : user
            realName = String(String.UnicodeScalarView(message.params[3].unicodeScalars.filter { !NameRules.isControl($0) }).prefix(100))
            client.identity = IRCIdentity(userName: userName, realName: realName)
            tryToFinish()
        case "PING":
            client.send([IRCMessage(source: config.serverName, command: "PONG",
                                    params: [config.serverName, message.params.first ?? ""])])
        case "PONG":
            break
        case "QUIT":
            close(saying: "Até logo")
        default:
            client.send([client.numeric("451", "Você ainda não se registrou")])
        }
    }

    /// CAP LS, LIST, REQ, END, before or after registration.
    func capability(_ message: IRCMessage) {
        let sub = message.params.first?.uppercased() ?? ""
        let nick = client.nick
        func reply(_ params: String...) {
            client.send([IRCMessage(source: config.serverName, command: "CAP", params: [nick] + params)])
        }
        switch sub {
        case "LS":
            if case .registering = state { negotiatingCaps = true }
            let version302 = message.params.count > 1 && (Int(message.params[1]) ?? 0) >= 302
            reply("LS", IRCCapability.allCases.map { version302 ? $0.listed : $0.rawValue }.joined(separator: " "))
        case "LIST":
            reply("LIST", client.caps.map(\.rawValue).sorted().joined(separator: " "))
        case "REQ":
            if case .registering = state { negotiatingCaps = true }
            let asked = message.params.dropFirst().first ?? ""
            var caps = client.caps
            for word in asked.split(separator: " ") {
                let removing = word.hasPrefix("-")
                guard let cap = IRCCapability(rawValue: String(removing ? word.dropFirst() : word)) else {
                    reply("NAK", asked)
                    return
                }
                if removing { caps.remove(cap) } else { caps.insert(cap) }
            }
            client.caps = caps
            reply("ACK", asked)
        case "END":
            guard case .registering = state else { return }
            negotiatingCaps = false
            tryToFinish()
        default:
            client.send([client.numeric("410", sub, "Subcomando CAP inválido")])
        }
    }

    /// Admits the user once NICK and USER are in and CAP is settled.
    func tryToFinish() {
        guard case .registering = state, !negotiatingCaps, !sasl.inFlight, let nick = requestedNick, userName != nil
        else { return }
        if let welcome = sasl.welcome {
            // Already admitted by SASL, under the account's name.
            state = .admitting
            admitted(.success(welcome))
            return
        }
        if let serverPassword = config.password, givenPassword != serverPassword {
            logger.info("closing an IRC connection with a wrong server password")
            client.send([client.numeric("464", "Senha do servidor incorreta")])
            close(saying: "Senha do servidor incorreta")
            return
        }
        state = .admitting
        // Lines sent meanwhile (a JOIN right after USER) wait for the answer.
        holdInput()
        let client = self.client!, address = self.address
        // Without a server password, PASS is the password of a registered nick.
        let accountPassword = config.password == nil ? givenPassword : nil
        let loop = client.connection.eventLoop
        let session = NIOLoopBound(self, eventLoop: loop)
        let welcomed: @Sendable (Welcome) -> Void = { welcome in
            client.nick = welcome.name
            client.userID = welcome.id
        }
        if let accountPassword {
            engine.connect(name: nick, password: accountPassword, endpoint: client, address: address, inLobby: false,
                           welcomed: welcomed, completion: { result in loop.execute { session.value.admitted(result) } })
        } else {
            let result = engine.connect(name: nick, endpoint: client, address: address, inLobby: false, welcomed: welcomed)
            admitted(result)
        }
    }

    func admitted(_ result: Result<Welcome, ChatError>) {
        guard case .admitting = state else {
            if case .success(let welcome) = result { engine.disconnect(welcome.id) }
            return
        }
        defer { resumeInput() }
        switch result {
        case .success(let welcome):
            state = .registered(welcome.id)
            registrationDeadline?.cancel()
            logger[metadataKey: "user"] = "\(welcome.name)"
            logger.info("joined over IRC")
            // Through the engine, so the burst comes before anything the user is sent next.
            engine.perform(from: welcome.id, requestID: IRCRequest.lines(command: "001", target: "").id) {
                [config, userName, address] chat in
                IRCReplies(chat: chat, id: welcome.id, config: config).welcome(user: userName ?? welcome.name,
                                                                               address: address, account: welcome.account)
            }
        case .failure(let error):
            state = .registering
            let nick = requestedNick ?? "*"
            requestedNick = nil
            let code: String
            switch error {
            case .nameTaken, .nameLookalike, .nameRegistered, .passwordRequired: code = "433"
            case .wrongPassword: code = "464"
            default: code = "432"
            }
            var text = error.message
            if case .passwordRequired = error {
                text += " Envie a senha com PASS antes de NICK, ou escolha outro apelido."
            }
            client.send([client.numeric(code, nick, text)])
            if error == .wrongPassword || error == .tooManyAttempts { close(saying: error.message) }
        }
    }
}
