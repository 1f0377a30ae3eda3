/// What `papo serve --ssh-port` sets for the SSH front end.
public struct SSHConfig: Sendable {
    public var host: String
    public var port: Int
    /// The Ed25519 host key's file, made once (mode 0600) and kept.
    public var hostKeyPath: String
    /// Lets a name nobody registered in with any password, for users
    /// without a usable key (RSA only, or none). Off by default.
    public var guestPasswords: Bool
    /// Authentication requests one connection may make (the library's
    /// default is 1024).
    public var maxAuthAttempts = 20

    public init(host: String, port: Int, hostKeyPath: String, guestPasswords: Bool = false) {
        self.host = host
        self.port = port
        self.hostKeyPath = hostKeyPath
        self.guestPasswords = guestPasswords
    }

    /// Shown by OpenSSH before authentication.
    var banner: String {
        let guests = guestPasswords
            ? "Sem chave (ou só RSA), um nome livre entra com qualquer senha, como convidado."
            : "Sem chave ed25519 ou ecdsa, só entra quem tem conta, com a senha dela (crie uma chave: ssh-keygen -t ed25519)."
        return """
            Papo: o seu nome de usuário SSH é o seu nome no chat (ssh -p PORTA nome@host). \
            Um nome registrado entra com uma das chaves da conta (veja /chaves) ou com a senha da conta; \
            um nome livre entra com qualquer chave ed25519 ou ecdsa. \(guests)

            """
    }
}
