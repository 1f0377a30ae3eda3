import ChatServer
import NIOCore
import NIOEmbedded
import PropertyBased
import Testing

/// The line decoder against a model, over random bytes cut into random
/// pieces: every complete line comes out whole (a trailing `\r` dropped),
/// a line over the limit comes out as one `tooLong` and nothing of it
/// leaks, and nothing ever crashes.
@Suite struct LineDecoderFuzzTests {
    static let max = 64

    @Test func decodesLikeTheModelWhateverThePieces() async throws {
        await propertyCheck(count: Fuzz.count, input: Fuzz.bytes(), Gen.int(in: 1...40).array(of: 1...30)) { bytes, cuts in
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(BoundedLineDecoder(maxLineBytes: Self.max)))
            var offset = 0, cut = 0
            while offset < bytes.count {
                let size = min(cuts[cut % cuts.count], bytes.count - offset)
                #expect(throws: Never.self) { try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<offset + size])) }
                offset += size
                cut += 1
            }
            var decoded: [InboundLine] = []
            while let line = try? channel.readInbound(as: InboundLine.self) { decoded.append(line) }
            #expect(decoded == Self.model(bytes))
            _ = try? channel.finish()
        }
    }

    /// What the decoder must produce for `bytes` (see docs/PROTOCOL.md §1).
    static func model(_ bytes: [UInt8]) -> [InboundLine] {
        var out: [InboundLine] = []
        var segments = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let unfinished = segments.removeLast()
        for segment in segments {
            if segment.count > max {
                out.append(.tooLong)
            } else {
                let line = segment.last == UInt8(ascii: "\r") ? segment.dropLast() : segment
                out.append(.line(ByteBuffer(bytes: line)))
            }
        }
        if unfinished.count > max { out.append(.tooLong) }
        return out
    }
}
