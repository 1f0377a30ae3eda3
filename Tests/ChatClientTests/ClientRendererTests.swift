import ChatCore
@testable import ChatClient
@testable import ChatServer
import Foundation
import Testing

/// `papo connect` reads the JSON the server writes back into events: what
/// JSONRenderer puts in a line must come out on the terminal.
@Suite("papo connect's rendering of server events") struct ClientRendererTests {
    static let time = Date(timeIntervalSince1970: 1_764_700_000)

    static func settings(_ change: RoomSettingsChange) -> ChatEvent {
        var event = ChatEvent(kind: .settings, room: "dev", sender: "ana", time: time)
        event.settingsChange = change
        return event
    }

    static func notice() -> ChatEvent {
        var event = ChatEvent(kind: .message, room: "dev", sender: "caio", text: "volto já", time: time)
        event.notice = true
        return event
    }

    static let rows: [(ChatEvent, String)] = [
        (ChatEvent(kind: .message, room: "dev", sender: "bia", text: "oi", time: time), "#dev <bia> oi"),
        (notice(), "#dev -caio- volto já"),
        (settings(RoomSettingsChange(secret: true)), "#dev * ana tornou a sala secreta"),
        (settings(RoomSettingsChange(openTopic: true)), "#dev * ana deixou qualquer membro mudar o tópico"),
        (settings(RoomSettingsChange(exceptionAdded: "zé*")), "#dev * ana isentou zé* dos banimentos da sala"),
        (settings(RoomSettingsChange(exceptionRemoved: "bia")), "#dev * ana retirou a isenção de bia"),
    ]

    @Test(arguments: rows)
    func showsWhatTheServerSent(_ event: ChatEvent, _ shown: String) throws {
        let line = JSONRenderer.render(.event(event))
        guard case .event(let parsed) = ClientRenderer.parse(line) else {
            Issue.record("not parsed as an event: \(line)")
            return
        }
        #expect(parsed == event)
        let rendered = ClientRenderer(useColor: false).render(parsed)
        #expect(rendered.hasSuffix(shown), "\(rendered)")
    }
}
