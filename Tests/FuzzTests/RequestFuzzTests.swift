@testable import ChatServer
import PropertyBased
import Testing

/// The JSON request parser over random JSON-ish text: it answers every
/// input with a request or a refusal, never crashes, and keeps ids short.
@Suite struct RequestFuzzTests {
    @Test func everyLineIsARequestOrARefusal() async {
        await propertyCheck(count: Fuzz.count, input: Fuzz.json()) { text in
            switch ClientRequest.parse(text) {
            case .success(let request):
                #expect(text.hasPrefix("{") || text.hasPrefix(" "))
                if let id = request.id { #expect(id.utf8.count <= 64 * 6 + 2) }
            case .failure(let error):
                #expect(error.code == "bad_request")
            }
        }
    }
}
