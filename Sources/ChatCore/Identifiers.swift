import Foundation

/// Identifies one connected user for the lifetime of their connection.
public struct UserID: Hashable, Sendable, CustomStringConvertible {
    public let raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }
    public var description: String { "u\(raw)" }
}

/// What a user may do where they stand. Ordered: an admin may do all a moderator may.
public enum Role: Int, Comparable, Sendable, CustomStringConvertible {
    case user = 0
    case moderator = 1
    case admin = 2

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .user: return "user"
        case .moderator: return "moderator"
        case .admin: return "admin"
        }
    }
}

/// The comparison key of a user or room name: names are unique case-insensitively.
public func nameKey(_ name: String) -> String {
    name.lowercased()
}
