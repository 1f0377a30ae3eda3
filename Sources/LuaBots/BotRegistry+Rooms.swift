import BotEngine
import ChatCore
import Foundation

/// A room's moderators switching a bot off and on in their room (as
/// Limnoria's per-channel plugin settings): `/bot desligar filtro`. Kept in
/// the bot's store (scope `papo:off`), so it survives restarts and reloads.
extension LoadedScript {
    static let offScope = "papo:off"

    /// The name the bot goes by: its declared name, or its file's without `.lua`.
    var botName: String { script.botName ?? String(file.dropLast(4)) }

    func isOff(inRoom room: String?) -> Bool {
        guard let room, !room.isEmpty, !store.isEmpty(scope: Self.offScope), room.utf8.count <= 256, case .success(let name) = NameRules.roomName(room) else { return false }
        return store.get(BotValueKey(scope: Self.offScope, key: TextHelpers.fold(name))) != nil
    }

    /// The rooms where it is off.
    var roomsOff: [String] { store.keys(in: Self.offScope) }
}

extension BotRegistry {
    /// `/bot desligar|ligar <bot>` (`off`, `on`), by a moderator of the
    /// caller's room; `/bot` alone lists the bots and whether each is on here.
    static func roomSwitch(_ registry: BotRegistry) -> Command {
        Command(name: "bot", usage: "[desligar|ligar <bot>]",
                summary: "liga ou desliga um bot (seus comandos e ganchos) na sua sala", permission: .moderator) { context in
            guard let room = context.chat.roomName(of: context.caller) else { throw ChatError.noRoom }
            let words = context.words(limit: 3)
            let usage = "/bot [desligar|ligar <bot>]"
            guard let verb = words.first else {
                let lines = registry.loadedScripts.sorted { $0.file < $1.file }.map { loaded in
                    "  \(loaded.botName): \(loaded.isOff(inRoom: room) ? "desligado" : "ligado")"
                }
                return .reply((["Bots em #\(room):"] + lines).joined(separator: "\n"))
            }
            let off: Bool
            switch TextHelpers.fold(verb) {
            case "desligar", "off": off = true
            case "ligar", "on": off = false
            default: throw ChatError.invalidArgument(verb, usage: usage)
            }
            guard words.count == 2 else { throw ChatError.missingArgument(usage: usage) }
            guard let loaded = registry.loaded(named: words[1]) else {
                throw ChatError.botError(code: "no_such_bot", message: "Não há bot \(words[1]) carregado.")
            }
            do {
                try loaded.store.setForAdmin(BotValueKey(scope: LoadedScript.offScope, key: TextHelpers.fold(room)),
                                             off ? .boolean(true) : nil)
            } catch {
                throw ChatError.botError(code: "bot_store", message: "Não deu para gravar: \(error).")
            }
            return .reply(off ? "\(loaded.botName) desligado em #\(room): seus comandos e ganchos param aqui."
                              : "\(loaded.botName) ligado em #\(room).")
        }
    }
}
