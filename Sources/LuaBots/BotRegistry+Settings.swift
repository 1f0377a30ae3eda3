import ChatCore
import Foundation

/// `/botconfig`: reading and changing the settings bots declare.
extension BotRegistry {
    /// Why a setting could not be shown or changed, for the admin.
    struct SettingRefusal: Error, CustomStringConvertible { let description: String }

    /// The loaded script known by `bot`: its declared name, or its file's without `.lua`.
    func loaded(named bot: String) -> LoadedScript? {
        let key = TextHelpers.fold(bot.hasSuffix(".lua") ? String(bot.dropLast(4)) : bot)
        return loadedScripts.first { $0.script.botName == key || TextHelpers.fold(String($0.file.dropLast(4))) == key }
    }

    /// `quiz: rodada = 60 (padrão 30) — segundos por pergunta`, one line per setting.
    func describeSettings(of bot: String) throws -> String {
        guard let loaded = loaded(named: bot) else { throw SettingRefusal(description: "Não há bot \(bot) carregado.") }
        let name = loaded.botName
        guard let settings = loaded.script.settings, !settings.settings.isEmpty else {
            return "O bot \(name) não tem ajustes."
        }
        var lines = ["Ajustes de \(name):"]
        for setting in settings.settings {
            let current = loaded.store.get(BotValueKey(scope: BotSettings.scope, key: setting.name))
            let value = setting.shown(current ?? setting.defaultValue)
            let mark = current == nil ? "" : " (padrão \(setting.shown(setting.defaultValue)))"
            let help = setting.help.isEmpty ? "" : " — \(setting.help)"
            lines.append("  \(setting.name) = \(value)\(mark)\(help)")
        }
        return lines.joined(separator: "\n")
    }

    /// Sets (or, with `padrão`, resets) one setting; the new value applies
    /// to the next `papo.config` call. Returns the confirmation.
    func changeSetting(of bot: String, _ name: String, to text: String) throws -> String {
        guard let loaded = loaded(named: bot) else { throw SettingRefusal(description: "Não há bot \(bot) carregado.") }
        let botName = loaded.botName
        guard let setting = loaded.script.settings?.setting(name) else {
            let known = loaded.script.settings?.settings.map(\.name).joined(separator: ", ") ?? ""
            throw SettingRefusal(description: "O bot \(botName) não tem o ajuste \(name)" + (known.isEmpty ? "." : " (tem: \(known))."))
        }
        let key = BotValueKey(scope: BotSettings.scope, key: setting.name)
        if ["padrão", "padrao", "default"].contains(TextHelpers.fold(text)) {
            try loaded.store.setForAdmin(key, nil)
            return "\(botName): \(setting.name) volta ao padrão, \(setting.shown(setting.defaultValue))."
        }
        let value: LuaValue
        do {
            value = try setting.parse(text)
        } catch {
            throw SettingRefusal(description: "\(botName): \(setting.name): \(error).")
        }
        try loaded.store.setForAdmin(key, value)
        return "\(botName): \(setting.name) = \(setting.shown(value))."
    }
}
