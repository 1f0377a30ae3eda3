import Foundation

/// An exclusive lock on a data folder (`papo.lock`, held with `flock`), so
/// that one process at a time owns it: a second server on the same folder,
/// or `papo accounts` while the server runs, is refused instead of
/// writing beside it. The kernel drops the lock when the process ends,
/// even by `kill -9`.
public final class DataFolderLock {
    private let descriptor: Int32

    /// The folder is held by another process.
    public struct Held: Error, CustomStringConvertible {
        public let directory: String
        public var description: String {
            "another Papo process (a server, or papo accounts) is using \(directory); stop it first"
        }
    }

    /// Takes the lock, creating the folder if needed; throws `Held` when
    /// another process has it.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("papo.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Held(directory: directory.path)
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
