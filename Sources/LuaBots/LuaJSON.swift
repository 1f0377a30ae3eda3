import CLua
import Foundation

/// JSON for Lua values: `papo.json`, and the form `papo.store` keeps its
/// values in. Written here rather than taken from Foundation because Lua
/// tells integers from floats (`3` and `3.0`) and JSONSerialization does
/// not keep the difference on every platform, and because both directions
/// must be bounded (depth, size) against hostile input.
///
/// A table is a JSON array when its keys are exactly 1...n (the empty table
/// is `[]`), an object when every key is a string; any other table (mixed
/// or sparse integer keys) is refused, so what is decoded is what was encoded.
enum LuaJSON {
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let maxDepth = LuaValue.Budget.maxDepth
    static let maxBytes = 256 * 1024
    /// Asked every few kilobytes of work: true stops it (the script's call
    /// is past its deadline), so no JSON call outlasts its script's limits.
    typealias Stop = () -> Bool

    // MARK: Encoding

    static func encode(_ value: LuaValue, stop: Stop = { false }) throws -> String {
        var out: [UInt8] = []
        var checked = 0
        try encode(value, into: &out, depth: 0, stop: stop, checked: &checked)
        guard out.count <= maxBytes else { throw Failure("JSON grande demais (máximo 256 KiB)") }
        return String(decoding: out, as: UTF8.self)
    }

    /// The call ran past its deadline while JSON was being read or written.
    struct TimeLimit: Error, CustomStringConvertible {
        var description: String { "time limit exceeded (JSON)" }
    }
    static let timeLimit = TimeLimit()

    /// Bytes, not a String: a 60 KB text is copied in one go when nothing
    /// in it needs escaping.
    private static func encode(_ value: LuaValue, into out: inout [UInt8], depth: Int, stop: Stop,
                               checked: inout Int) throws {
        guard out.count <= maxBytes else { throw Failure("JSON grande demais (máximo 256 KiB)") }
        if out.count - checked > 4096 {
            checked = out.count
            if stop() { throw timeLimit }
        }
        switch value {
        case .boolean(let b): out += Array((b ? "true" : "false").utf8)
        case .integer(let i): out += Array(String(i).utf8)
        case .number(let d):
            guard d.isFinite else { throw Failure("números infinitos ou NaN não cabem em JSON") }
            // Always with a point or an exponent, so it reads back as a float.
            let text = "\(d)"
            out += Array(text.utf8)
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { out += Array(".0".utf8) }
        case .string(let s): quote(s, into: &out)
        case .table(let entries):
            guard depth < maxDepth else { throw Failure("tabelas aninhadas demais") }
            if let list = value.list {
                out.append(UInt8(ascii: "["))
                for (index, item) in list.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    try encode(item, into: &out, depth: depth + 1, stop: stop, checked: &checked)
                }
                out.append(UInt8(ascii: "]"))
                return
            }
            var fields: [(String, LuaValue)] = []
            for (key, item) in entries {
                guard case .string(let name) = key else {
                    throw Failure("uma tabela em JSON é uma lista (chaves 1..n) ou tem só chaves de texto")
                }
                fields.append((name, item))
            }
            out.append(UInt8(ascii: "{"))
            for (index, (name, item)) in fields.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                quote(name, into: &out)
                out.append(UInt8(ascii: ":"))
                try encode(item, into: &out, depth: depth + 1, stop: stop, checked: &checked)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            var i = 0
            func escape(_ replacement: [UInt8], skipping count: Int) {
                out.append(contentsOf: bytes[run..<i])
                out.append(contentsOf: replacement)
                i += count
                run = i
            }
            while i < bytes.count {
                i += papo_json_plain_run(bytes.baseAddress! + i, bytes.count - i)
                guard i < bytes.count else { break }
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "\""): escape(Array("\\\"".utf8), skipping: 1)
                case UInt8(ascii: "\\"): escape(Array("\\\\".utf8), skipping: 1)
                case 0x0A: escape(Array("\\n".utf8), skipping: 1)
                case 0x0D: escape(Array("\\r".utf8), skipping: 1)
                case 0x09: escape(Array("\\t".utf8), skipping: 1)
                case 0..<0x20, 0x7F:
                    escape([UInt8(ascii: "\\"), UInt8(ascii: "u"), 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]], skipping: 1)
                // U+2028 and U+2029, which some JSON readers take for line breaks.
                case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                    escape(Array((bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8), skipping: 3)
                default: i += 1
                }
            }
            out.append(contentsOf: bytes[run..<bytes.count])
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Decoding

    static func decode(_ text: String, stop: @escaping Stop = { false }) throws -> LuaValue {
        guard text.utf8.count <= maxBytes else { throw Failure("JSON grande demais (máximo 256 KiB)") }
        var parser = Parser(bytes: Array(text.utf8), stop: stop)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.failure("texto depois do fim") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let stop: Stop
        var index = 0
        var values = 0

        func failure(_ what: String) -> Failure { Failure("JSON inválido na posição \(index + 1): \(what)") }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws -> LuaValue {
            guard index < bytes.count else { throw failure("fim inesperado") }
            values += 1
            if values % 1024 == 0, stop() { throw LuaJSON.timeLimit }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { throw failure("aninhado demais") }
                index += 1
                var entries: [LuaValue.LuaKey: LuaValue] = [:]
                skipSpace()
                if peek("}") { index += 1; return .table(entries) }
                while true {
                    skipSpace()
                    guard peek("\"") else { throw failure("esperava uma chave entre aspas") }
                    let key = try string()
                    skipSpace()
                    guard peek(":") else { throw failure("esperava ':'") }
                    index += 1
                    skipSpace()
                    if peek("n") {
                        try literal("null") // a field that is null is a field left out
                    } else {
                        entries[.string(key)] = try value(depth: depth + 1)
                    }
                    skipSpace()
                    if peek(",") { index += 1; continue }
                    guard peek("}") else { throw failure("esperava ',' ou '}'") }
                    index += 1
                    return .table(entries)
                }
            case UInt8(ascii: "["):
                guard depth < maxDepth else { throw failure("aninhado demais") }
                index += 1
                var entries: [LuaValue.LuaKey: LuaValue] = [:]
                skipSpace()
                if peek("]") { index += 1; return .table(entries) }
                var position: Int64 = 1
                while true {
                    skipSpace()
                    // JSON null in a list would leave a hole Lua cannot hold.
                    if peek("n") { throw failure("null numa lista") }
                    entries[.integer(position)] = try value(depth: depth + 1)
                    position += 1
                    skipSpace()
                    if peek(",") { index += 1; continue }
                    guard peek("]") else { throw failure("esperava ',' ou ']'") }
                    index += 1
                    return .table(entries)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .boolean(true)
            case UInt8(ascii: "f"): try literal("false"); return .boolean(false)
            case UInt8(ascii: "n"): throw failure("null só vale como valor de um campo, que então fica de fora")
            default: return try number()
            }
        }

        func peek(_ c: Unicode.Scalar) -> Bool { index < bytes.count && bytes[index] == UInt8(c.value) }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
                throw failure("esperava \(word)")
            }
            index += w.count
        }

        mutating func number() throws -> LuaValue {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty else { throw failure("valor inesperado") }
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int64(text) { return .integer(integer) }
            guard let number = Double(text), number.isFinite else { throw failure("número inválido") }
            return .number(number)
        }

        mutating func string() throws -> String {
            index += 1
            // The input is a Swift string, so its runs are valid UTF-8: copied as bytes.
            var out: [UInt8] = []
            var run = index
            func flush() {
                out.append(contentsOf: bytes[run..<index])
            }
            func append(_ scalar: Unicode.Scalar) {
                out.append(contentsOf: Array(String(scalar).utf8))
            }
            while index < bytes.count {
                index += bytes.withUnsafeBufferPointer { papo_json_string_run($0.baseAddress! + index, $0.count - index) }
                guard index < bytes.count else { break }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    flush()
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if byte < 0x20 { throw failure("caractere de controle num texto") }
                if byte == UInt8(ascii: "\\") {
                    flush()
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): append("\"")
                    case UInt8(ascii: "\\"): append("\\")
                    case UInt8(ascii: "/"): append("/")
                    case UInt8(ascii: "b"): append("\u{8}")
                    case UInt8(ascii: "f"): append("\u{C}")
                    case UInt8(ascii: "n"): append("\n")
                    case UInt8(ascii: "r"): append("\r")
                    case UInt8(ascii: "t"): append("\t")
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code) {
                            guard peek("\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                                throw failure("par substituto incompleto")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw failure("par substituto inválido") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw failure("\\u inválido") }
                        append(scalar)
                    default: throw failure("escape inválido")
                    }
                    run = index
                    continue
                }
                index += 1
            }
            throw failure("texto sem fim")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw failure("\\u inválido") }
            index += 4
            return code
        }
    }
}
