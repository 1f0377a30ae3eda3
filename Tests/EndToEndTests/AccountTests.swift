import Foundation
import Testing

/// Issue #11 over real TCP and a real SQLite file: an account's name, room,
/// rights and private history are its owner's alone, across a restart of
/// the server process.
@Suite(.timeLimit(.minutes(1))) struct AccountTests {
    @Test func anOwnerKeepsNameRoomRightsAndPrivateHistoryAcrossARealRestart() async throws {
        let data = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let log = data.appendingPathComponent("server.log")
        let port = try FreePort.find()
        let first = try PapoProcess.serve(port: port, data: data, log: log)
        let ana = try LineClient.connectWithRetry(port: port)
        try ana.logIn(as: "ana")
        let bob = try LineClient(port: port)
        try bob.logIn(as: "bob")
        ana.send("/registrar senha-da-ana")
        try ana.waitFor(containing: "O nome ana agora é seu")
        ana.send("/entrar cafe")
        try ana.waitFor(containing: "Sala #cafe criada")
        ana.send("/privado bob psiu, só para você")
        try bob.waitFor(containing: "ana → bob: psiu, só para você")
        ana.send("/sair")
        #expect(ana.waitForClose())
        first.terminate()
        first.waitUntilExit()

        let second = try PapoProcess.serve(port: port, data: data, log: log)
        defer { second.terminate(); second.waitUntilExit() }
        // An impostor is asked for the password, refused and asked again;
        // an empty line goes back to the name.
        let impostor = try LineClient.connectWithRetry(port: port)
        try impostor.waitFor(containing: "Bem-vindo")
        impostor.send("ANA")
        try impostor.waitFor(containing: "O nome ana está registrado. Qual é a senha?")
        impostor.send("chute-errado")
        try impostor.waitFor(containing: "Senha incorreta. Digite a senha de novo, ou uma linha vazia para escolher outro nome.")
        impostor.send("")
        try impostor.waitFor(containing: "Qual é o seu nome?")
        impostor.send("impostor")
        try impostor.waitFor(containing: "Olá, impostor!")
        impostor.send("/nome ana")
        try impostor.waitFor(containing: "[erro] O nome ana está registrado. Se é seu, use /identificar ana <senha>.")
        impostor.send("/identificar ana outro-chute")
        try impostor.waitFor(containing: "[erro] Senha incorreta.")
        let bob2 = try LineClient(port: port)
        try bob2.logIn(as: "bob")
        for client in [impostor, bob2] {
            client.send("/entrar cafe")
            try client.waitFor(containing: "entrou na sala")
        }
        impostor.send("/banir bob")
        try impostor.waitFor(containing: "[erro] Só moderadores de #cafe podem fazer isso.")

        // The owner, with the password, moderates again and reads her private history.
        let owner = try LineClient(port: port)
        try owner.logIn(as: "ana", password: "senha-da-ana")
        owner.send("/historico")
        try owner.waitFor(containing: "[privado] ana → bob: psiu, só para você")
        owner.send("/entrar cafe")
        try owner.waitFor(containing: "#cafe * ana entrou na sala")
        owner.send("/banir impostor")
        try bob2.waitFor(containing: "#cafe * ana baniu impostor")
        // bob was a guest: his new connection does not see the old whisper.
        bob2.send("/historico")
        let (_, before) = try bob2.waitFor("his /historico") { $0.contains("istórico de #cafe") }
        let rest = (0..<5).compactMap { _ in bob2.nextLine(timeout: 0.3) }
        #expect(!(before + rest).contains { $0.contains("psiu") })

        second.terminate()
        second.waitUntilExit()
        // No password reached the log or the database files.
        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.contains("wrong account password"))
        for secret in ["senha-da-ana", "chute-errado", "outro-chute"] {
            #expect(!logged.contains(secret))
            for file in try FileManager.default.contentsOfDirectory(atPath: data.path) where file.hasPrefix("papo.sqlite") {
                let bytes = try Data(contentsOf: data.appendingPathComponent(file))
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file)")
            }
        }
    }

    /// `papo accounts`: the operator makes an admin account with the server
    /// stopped (never a bare name a stranger could register first), resets
    /// its password, and is refused while the server runs.
    @Test func theOperatorCreatesAnAdminAccountAndResetsItsPasswordOffline() async throws {
        let data = TestServer.temporaryDirectory()
        #expect(try Self.papo(["accounts", "create", "chefe", "--admin", "--data", data.path], input: "senha-do-chefe\n").status == 0)
        let missing = try Self.papo(["accounts", "grant-admin", "ninguem", "--data", data.path])
        #expect(missing.status != 0 && missing.error.contains("there is no account named ninguem"))
        let short = try Self.papo(["accounts", "create", "bia", "--data", data.path], input: "curta\n")
        #expect(short.status != 0 && short.error.contains("8 characters"))
        let port = try FreePort.find()
        let server = try PapoProcess.serve(port: port, data: data)
        let chefe = try LineClient.connectWithRetry(port: port)
        try chefe.logIn(as: "chefe", password: "senha-do-chefe")
        chefe.send("/usuarios")
        try chefe.waitFor(containing: "chefe — #geral (admin)")
        let busy = try Self.papo(["accounts", "reset-password", "chefe", "--data", data.path], input: "senha-nova-123\n")
        #expect(busy.status != 0 && busy.error.contains("another Papo process"))
        server.terminate()
        server.waitUntilExit()
        #expect(try Self.papo(["accounts", "reset-password", "chefe", "--data", data.path], input: "senha-nova-123\n").status == 0)
        let listed = try Self.papo(["accounts", "list", "--data", data.path])
        #expect(listed.output.hasPrefix("chefe\t") && listed.output.contains("\tadmin"))
        let again = try PapoProcess.serve(port: port, data: data)
        defer { again.terminate(); again.waitUntilExit() }
        let back = try LineClient.connectWithRetry(port: port)
        try back.logIn(as: "chefe", password: "senha-nova-123")
    }

    /// Runs the papo binary with `input` on standard input.
    static func papo(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = PapoProcess.binary
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    @Test func theNewestConnectionOfAnAccountWinsAndTheGhostIsTold() async throws {
        let server = try await TestServer.start()
        let ghost = try server.json("ana")
        #expect(try ghost.request("/registrar senha-da-ana").result["ok"] as? Bool == true)
        let bia = try server.json("bia")
        let again = try server.json("ana", password: "senha-da-ana")
        #expect(again.welcome["account"] as? String == "ana")
        // Not an answer to any request: an error object, without id.
        let told = try ghost.event("error") { $0["code"] as? String == "session_replaced" }
        #expect(told.string("message") == "Sua conta entrou por outra conexão; esta foi encerrada.")
        #expect(ghost.raw.waitForClose())
        let left = try bia.event("disconnect") { $0.string("sender") == "ana" }
        #expect(left.string("text") == "entrou por outra conexão")
        #expect(try again.request("/conta").result.string("text")?.contains("Conta ana") == true)
        // A wrong password in JSON is a machine-readable refusal, and the
        // connection may try again.
        #expect(throws: JSONClient.LoginRefused(code: "wrong_password")) {
            try server.json("ana", password: "errada-123")
        }
        // An admin drops the account: its holder is told, in a notice, and stays as a guest.
        let root = try server.json("raiz")
        #expect(try root.request("/admin segredo").result["ok"] as? Bool == true)
        #expect(try root.request("/conta apagar ana").result["ok"] as? Bool == true)
        let notice = try again.event("notice")
        #expect(notice.string("text") == "Sua conta ana foi apagada por um administrador: agora você é convidado.")
        #expect(try again.request("/conta").result.string("text")?.hasPrefix("Você é convidado") == true)
        await server.stop()
    }

    /// A password typed again after a wrong one is taken as a password,
    /// never as a name the room would see.
    @Test func aRetypedPasswordNeverBecomesAName() async throws {
        let server = try await TestServer.start()
        try server.json("ana").request("/registrar senha-da-ana")
        let bia = try server.text("bia")
        let typo = try LineClient(port: server.port)
        try typo.waitFor(containing: "Bem-vindo")
        typo.sendRaw(Array("ana\nsenha-da-an\nsenha-da-ana\n".utf8))
        try typo.waitFor(containing: "Olá, ana! Você entrou na sua conta.")
        bia.send("/usuarios")
        let (_, before) = try bia.waitFor(containing: "Usuários conectados")
        let rest = (0..<3).compactMap { _ in bia.nextLine(timeout: 0.3) }
        #expect(!(before + rest).contains { $0.contains("senha-da-an") })
        await server.stop()
    }

    @Test func aClientThatVanishesAtThePasswordPromptChangesNothing() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana")
        try ana.request("/registrar senha-da-ana")
        try ana.request("/sair")
        let quitter = try LineClient(port: server.port)
        try quitter.waitFor(containing: "Bem-vindo")
        quitter.send("ana")
        try quitter.waitFor(containing: "Qual é a senha?")
        quitter.close()
        // One that leaves right after sending the password: let in, then out.
        let hasty = try LineClient(port: server.port)
        try hasty.waitFor(containing: "Bem-vindo")
        hasty.sendRaw(Array("ana\nsenha-da-ana\n".utf8))
        hasty.close()
        let bia = try server.text("bia")
        let back = try server.json("ana", password: "senha-da-ana")
        #expect(back.welcome["account"] as? String == "ana")
        bia.send("/usuarios")
        try bia.waitFor(containing: "Usuários conectados (2)")
        await server.stop()
    }

    @Test func threeWrongPasswordsAtLoginCloseTheConnection() async throws {
        let server = try await TestServer.start()
        try server.json("ana").request("/registrar senha-da-ana")
        let guesser = try LineClient(port: server.port)
        try guesser.waitFor(containing: "Bem-vindo")
        guesser.send("ana")
        try guesser.waitFor(containing: "Qual é a senha?")
        for attempt in 1...3 { guesser.send("chute-\(attempt)") }
        try guesser.waitFor(containing: "Senha incorreta vezes demais")
        #expect(guesser.waitForClose())
        await server.stop()
    }
}
