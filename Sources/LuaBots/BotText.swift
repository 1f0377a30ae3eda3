import ChatCore
import Foundation

/// The rules for text a script hands to people. A bot's output is as
/// untrusted as a user's: it must not drive a terminal (ESC, CR, NUL) or
/// forge a line that looks like someone else's message.
///
/// - Says and whispers are messages: `NameRules.messageText` refuses them
///   whole, and the script gets the error code.
/// - A command's reply may have several lines (each is shown as a line of
///   the bot's); `reply` refuses control characters in it, and the command
///   fails with a clear detail.
/// - `help` and `usage` are refused at load (`declaration`).
/// - Block reasons and error details are neutralised (`oneLine`): the
///   block still blocks, and the error is still reported.
enum BotText {
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// Most lines a reply may have.
    static let maxReplyLines = 50

    /// A command's reply as it will be sent: CRLF and CR become line
    /// breaks, tabs spaces; any other control or invisible character is an
    /// error.
    static func reply(_ text: String) throws -> String {
        var text = text
        if text.utf8.contains(where: { $0 == 0x0D || $0 == 0x09 }) {
            text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\t", with: " ")
        }
        var lines = 1
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                lines += 1
                continue
            }
            if scalar.value < 0x80 ? (scalar.value < 0x20 || scalar.value == 0x7F) : NameRules.isControl(scalar) {
                throw Refusal(description: "a resposta tem caracteres de controle ou invisíveis (U+\(hex(scalar)))")
            }
        }
        guard lines <= maxReplyLines else {
            throw Refusal(description: "a resposta tem linhas demais (máximo \(maxReplyLines))")
        }
        return text
    }

    /// A declared `help` or `usage`: one line, no control characters.
    static func declaration(_ text: String, field: String) throws -> String {
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || NameRules.isControl($0) }) {
            throw Refusal(description: "'\(field)' tem caracteres de controle ou quebras de linha (U+\(hex(bad)))")
        }
        return text
    }

    /// `text` as one clean line of at most `maxCharacters`: line breaks and
    /// tabs become spaces, other control or invisible characters U+FFFD.
    static func oneLine(_ text: String, maxCharacters: Int) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < maxCharacters else {
                out.append("…")
                break
            }
            switch scalar {
            case "\n", "\r", "\t": out.append(" ")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || NameRules.isControl(scalar): out.append("\u{FFFD}")
            default: out.append(scalar)
            }
            count += 1
        }
        return String(out)
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
