import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where folders given on the command line really are, for refusals such as a backup written inside the store it
/// copies.
enum FolderPaths {
    /// Whether `path` is `folder` or lies inside it, once both are made absolute and their existing parts' `.`, `..`
    /// and symbolic links resolved (`path` need not exist yet).
    static func isWithin(_ path: String, _ folder: String) -> Bool {
        let (inner, outer) = (resolved(path), resolved(folder))
        return inner == outer || inner.hasPrefix(outer == "/" ? "/" : outer + "/")
    }

    /// `path` absolute, with the symbolic links of its longest existing leading part resolved and the rest appended.
    static func resolved(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while true {
            if let real = realpath(existing.path, nil) {
                defer { free(real) }
                return rest.reduce(URL(fileURLWithPath: String(cString: real))) { $0.appendingPathComponent($1) }.path
            }
            guard existing.path != "/" else { return URL(fileURLWithPath: path).standardizedFileURL.path }
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
    }
}
