import BotEngine
import ChatCore
import Foundation
import NIOCore
import NIOSSH

/// Who an SSH connection authenticated as: the chat name asked for (the
/// SSH user name), the account's proof when it is one, and the key used.
struct SSHIdentity: Sendable {
    var name: String
    var login: VerifiedLogin?
    var key: AccountKey?
}

/// One connection's state, shared by its authenticator and its session.
final class SSHConnectionState: @unchecked Sendable {
    let address: String?
    /// Set by the authenticator on success; read by the session. Loop only.
    var identity: SSHIdentity?
    var sessions = 0

    init(address: String?) {
        self.address = address
    }
}

/// The rules of docs/SSH.md as a delegate, one per connection. `none` is
/// never accepted. A public key logs in as a registered name only when it
/// is one of the account's keys (another key fails, so OpenSSH offers the
/// next one); a name nobody registered takes any key it can verify
/// (Ed25519, ECDSA). A password logs in as an account (checked off the
/// loop, with the usual lockouts), or, only with `guestPasswords`, as a
/// guest under a free name.
final class SSHAuthenticator: NIOSSHServerUserAuthenticationDelegate {
    let supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods = [.publicKey, .password]
    private let engine: ChatEngine
    private let config: SSHConfig
    private let state: SSHConnectionState

    init(engine: ChatEngine, config: SSHConfig, state: SSHConnectionState) {
        self.engine = engine
        self.config = config
        self.state = state
    }

    func requestReceived(request: NIOSSHUserAuthenticationRequest,
                         responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>) {
        let name = request.username
        switch request.request {
        case .publicKey(let offered):
            guard case .success(let key) = SSHKeyLine.parse(String(openSSHPublicKey: offered.publicKey), at: Date()) else {
                responsePromise.succeed(.failure)
                return
            }
            switch engine.withChat({ $0.keyLogin(name: name, fingerprint: key.fingerprint) }) {
            case .account(let login, let accountName):
                state.identity = SSHIdentity(name: accountName, login: login, key: key)
                responsePromise.succeed(.success)
            case .guest:
                state.identity = SSHIdentity(name: name, login: nil, key: key)
                responsePromise.succeed(.success)
            case .wrongKey:
                responsePromise.succeed(.failure)
            }
        case .password(let password):
            let registered = engine.withChat { $0.account(named: name) != nil }
            guard registered else {
                if config.guestPasswords { state.identity = SSHIdentity(name: name, login: nil, key: nil) }
                responsePromise.succeed(config.guestPasswords ? .success : .failure)
                return
            }
            let state = self.state, loop = responsePromise.futureResult.eventLoop
            engine.verifyLogin(name: name, password: password.password, address: state.address) { result in
                loop.execute {
                    if case .success(let login) = result {
                        state.identity = SSHIdentity(name: name, login: login, key: nil)
                        responsePromise.succeed(.success)
                    } else {
                        responsePromise.succeed(.failure)
                    }
                }
            }
        case .none, .hostBased:
            responsePromise.succeed(.failure)
        }
    }
}
