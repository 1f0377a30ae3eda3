import BotEngine
import ChatCore
import Foundation
import NIOCore

/// Where SASL stands on a connection.
struct SASLState {
    /// AUTHENTICATE PLAIN was chosen; base64 chunks of the payload so far.
    var chosen = false
    var payload = ""
    /// The password is being checked off the loop.
    var inFlight = false
    /// Admitted as an account; registration ends with this welcome.
    var welcome: Welcome?
}

/// SASL PLAIN (IRCv3 `sasl`): the account's name and password, checked as
/// every login is (scrypt off the loop, the same lockouts), admit the user
/// as that account before registration ends, under the account's name.
extension IRCSession {
    static let maxSASLPayload = 1200

    func authenticate(_ message: IRCMessage) {
        let nick = client.nick
        func numeric(_ code: String, _ text: String) {
            client.send([IRCMessage(source: config.serverName, command: code, params: [nick, text])])
        }
        guard client.caps.contains(.sasl) else { return numeric("904", "Peça a capacidade sasl antes") }
        guard sasl.welcome == nil, !sasl.inFlight else { return numeric("907", "Você já entrou na conta") }
        guard let argument = message.params.first, !argument.isEmpty else {
            client.send([client.numeric("461", "AUTHENTICATE", "Faltam parâmetros")])
            return
        }
        if argument == "*" {
            sasl = SASLState()
            return numeric("906", "Autenticação SASL cancelada")
        }
        guard sasl.chosen else {
            guard argument.uppercased() == "PLAIN" else {
                client.send([IRCMessage(source: config.serverName, command: "908", params: [nick, "PLAIN", "são os mecanismos aceitos"])])
                return numeric("904", "Mecanismo SASL não aceito")
            }
            sasl.chosen = true
            client.send([IRCMessage(command: "AUTHENTICATE", params: ["+"])])
            return
        }
        if argument != "+" { sasl.payload += argument }
        guard sasl.payload.utf8.count <= Self.maxSASLPayload else {
            sasl = SASLState()
            return numeric("904", "Dados SASL longos demais")
        }
        // A 400-byte chunk means more follows.
        if argument.utf8.count == 400 { return }
        let fields = Data(base64Encoded: sasl.payload).map { [UInt8]($0).split(separator: 0, omittingEmptySubsequences: false) }
        sasl.payload = ""
        sasl.chosen = false
        guard let fields, fields.count == 3, let name = String(validating: fields[1], as: UTF8.self),
              let password = String(validating: fields[2], as: UTF8.self), !name.isEmpty else {
            return numeric("904", "Dados SASL inválidos")
        }
        guard engine.withChat({ $0.account(named: name) }) != nil else {
            return numeric("904", ChatError.noSuchAccount(name).message)
        }
        sasl.inFlight = true
        let endpoint = self.client!, loop = endpoint.connection.eventLoop
        let session = NIOLoopBound(self, eventLoop: loop)
        engine.connect(name: name, password: password, endpoint: endpoint, address: address, inLobby: false,
                       welcomed: { welcome in
                           endpoint.nick = welcome.name
                           endpoint.userID = welcome.id
                       },
                       completion: { result in loop.execute { session.value.authenticated(result) } })
    }

    private func authenticated(_ result: Result<Welcome, ChatError>) {
        sasl.inFlight = false
        guard case .registering = state else {
            if case .success(let welcome) = result { engine.disconnect(welcome.id) }
            return
        }
        switch result {
        case .success(let welcome):
            sasl.welcome = welcome
            let name = welcome.account ?? welcome.name
            client.send([
                IRCMessage(source: config.serverName, command: "900",
                           params: [welcome.name, IRCRenderer.mask(welcome.name), name, "Você entrou na conta \(name)"]),
                IRCMessage(source: config.serverName, command: "903", params: [welcome.name, "Autenticação SASL concluída"]),
            ])
            tryToFinish()
        case .failure(let error):
            client.send([IRCMessage(source: config.serverName, command: "904", params: [client.nick, error.message])])
            if error == .tooManyAttempts || error == .wrongPassword && failedSASL() { close(saying: error.message) }
        }
    }

    /// Counts wrong SASL passwords; the third closes the connection, as at login elsewhere.
    private func failedSASL() -> Bool {
        saslFailures += 1
        return saslFailures >= ChatEngine.maxPasswordAttempts
    }
}
