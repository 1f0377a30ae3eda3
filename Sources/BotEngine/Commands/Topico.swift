import ChatCore
import Foundation

extension BuiltinCommands {
    /// `/topico [texto]`: show the current room's topic, or set it
    /// (moderators and admins); `/topico -` clears it.
    static let topico = Command(
        name: "topico", aliases: ["topic"], usage: "[texto | -]",
        summary: "mostra o tópico da sala; moderadores o mudam (- apaga)"
    ) { context in
        guard !context.arguments.isEmpty else {
            let (room, topic) = try context.chat.topic(of: context.caller)
            guard let topic else { return .reply("#\(room) não tem tópico.") }
            return .reply("Tópico de #\(room): \(topic.text) (por \(topic.setBy), \(TimeFormat.dateTime(topic.time)))")
        }
        try context.chat.setTopic(context.caller, context.arguments == "-" ? nil : context.arguments)
        return .done
    }
}
