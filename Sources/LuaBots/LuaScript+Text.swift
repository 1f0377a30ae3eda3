import CLua
import Foundation

/// `papo.fold`, `papo.same_name`, `papo.words`, `papo.parse_duration`,
/// `papo.format_duration` (TextHelpers), bound for scripts. Any time, load
/// included; each reads at most `maxInput` bytes.
extension LuaScript {
    static let maxInput = 64 * 1024

    static let textFunctions: [(String, papo_swift_function)] = [
        ("fold", fold), ("same_name", sameName), ("words", words),
        ("parse_duration", parseDuration), ("format_duration", formatDuration),
    ]

    /// The string argument `index` of `api`, or nil after pushing the error to raise.
    private func text(_ L: OpaquePointer, _ index: Int32, _ api: String) -> String? {
        guard let text = state.string(at: index) else {
            push(L, "\(api): esperava um texto, não \(state.typeName(at: index))")
            return nil
        }
        guard text.utf8.count <= Self.maxInput else {
            push(L, "\(api): texto longo demais (máximo \(Self.maxInput / 1024) KiB)")
            return nil
        }
        return text
    }

    private static func with(_ context: UnsafeMutableRawPointer?, _ body: (LuaScript) -> Int32) -> Int32 {
        script(context).map(body) ?? 0
    }

    static let fold: papo_swift_function = { L, context in
        with(context) { script in
            guard let L, let text = script.text(L, 1, "papo.fold") else { return -1 }
            script.push(L, TextHelpers.fold(text))
            return 1
        }
    }

    static let sameName: papo_swift_function = { L, context in
        with(context) { script in
            guard let L, let a = script.text(L, 1, "papo.same_name"), let b = script.text(L, 2, "papo.same_name") else { return -1 }
            lua_pushboolean(L, TextHelpers.fold(a) == TextHelpers.fold(b) ? 1 : 0)
            return 1
        }
    }

    static let words: papo_swift_function = { L, context in
        with(context) { script in
            guard let L, let text = script.text(L, 1, "papo.words") else { return -1 }
            let words = TextHelpers.words(text)
            lua_createtable(L, Int32(words.count), 0)
            for (index, word) in words.enumerated() {
                script.push(L, word)
                lua_rawseti(L, -2, lua_Integer(index + 1))
            }
            return 1
        }
    }

    /// `papo.parse_duration("1h30m")` → 5400, or nil and why.
    static let parseDuration: papo_swift_function = { L, context in
        with(context) { script in
            guard let L, let text = script.text(L, 1, "papo.parse_duration") else { return -1 }
            if let seconds = TextHelpers.parseDuration(text) {
                lua_pushinteger(L, lua_Integer(seconds))
                return 1
            }
            lua_pushnil(L)
            script.push(L, "duração inválida: use algo como 30s, 10m, 1h30m ou 2d (até um ano)")
            return 2
        }
    }

    static let formatDuration: papo_swift_function = { L, context in
        with(context) { script in
            guard let L else { return 0 }
            guard lua_type(L, 1) == LUA_TNUMBER else { return script.fail(L, "papo.format_duration: esperava um número de segundos") }
            let seconds = lua_tonumberx(L, 1, nil)
            guard seconds.isFinite, seconds >= 0, seconds <= Double(TextHelpers.longestDuration) * 100 else {
                return script.fail(L, "papo.format_duration: fora do intervalo")
            }
            script.push(L, TextHelpers.formatDuration(Int(seconds.rounded())))
            return 1
        }
    }
}
