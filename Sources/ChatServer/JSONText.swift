/// A tiny JSON object writer. Events are encoded by hand because each one is
/// encoded once per fan-out and Foundation's encoder would dominate the cost.
struct JSONObject {
    private(set) var text = "{"

    mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        raw(key, JSONObject.quote(value))
    }

    mutating func field(_ key: String, _ value: Bool) {
        raw(key, value ? "true" : "false")
    }

    /// Adds a value that is already JSON.
    mutating func raw(_ key: String, _ json: String?) {
        guard let json else { return }
        if text.utf8.count > 1 { text += "," }
        text += "\"\(key)\":\(json)"
    }

    func finished() -> String { text + "}" }

    static func quote(_ string: String) -> String {
        // Printable ASCII without quotes or backslashes, the common case, needs no escaping.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + string + "\""
        }
        var out = "\""
        out.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }
}
