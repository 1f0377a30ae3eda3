#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit: every connection is a descriptor, and the
/// usual soft limit (1024) is far below what one server can hold.
public enum FileLimit {
    /// Raises the soft limit to the hard limit; returns the limit now in force.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(limit.rlim_cur)
    }
}
