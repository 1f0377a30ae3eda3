import ChatCore

/// IRC masks with `*` and `?`, compared with Papo's case rule (`nameKey`).
enum IRCMask {
    static func matches(_ mask: String, _ name: String) -> Bool {
        let pattern = Array(nameKey(mask)), text = Array(nameKey(name))
        // Iterative glob with one backtrack point: linear in practice, never exponential.
        var p = 0, t = 0, star = -1, resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1; t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p; resume = t; p += 1
            } else if star >= 0 {
                p = star + 1; resume += 1; t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
