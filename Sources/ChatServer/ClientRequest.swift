import ChatCore
import Foundation

/// One JSON line from a client: `{"type":"hello","name":"ana"}`,
/// `{"type":"line","text":"/ping","id":1}` or `{"type":"say","text":"/não é comando","id":2}`.
struct ClientRequest: Decodable {
    enum Kind: String, Decodable { case hello, line, say }

    var type: String
    var name: String?
    var text: String?
    /// With `hello`: the password of a registered name.
    var password: String?
    /// With `say`: the room to say it in (one the user is in); by default the current one.
    var room: String?
    /// The request id as JSON text (a number or a quoted string), echoed in the result.
    var id: String?

    private enum CodingKeys: String, CodingKey { case type, name, text, password, room, id }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        password = try container.decodeIfPresent(String.self, forKey: .password)
        room = try container.decodeIfPresent(String.self, forKey: .room)
        if let number = try? container.decodeIfPresent(Int.self, forKey: .id) {
            id = String(number)
        } else if let string = try? container.decodeIfPresent(String.self, forKey: .id) {
            id = JSONObject.quote(String(string.prefix(64)))
        }
    }

    var kind: Kind? { Kind(rawValue: type) }

    /// Parses one line, or says why it is not a request.
    static func parse(_ line: String) -> Result<ClientRequest, ChatError> {
        do {
            return .success(try JSONDecoder().decode(ClientRequest.self, from: Data(line.utf8)))
        } catch {
            return .failure(.badRequest("JSON inválido: esperado um objeto com \"type\""))
        }
    }
}
