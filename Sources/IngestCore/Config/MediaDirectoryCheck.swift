import Foundation
import Glibc

/// What `config check` says about `publish.mediaDirectory`: the folder must be one the daemon
/// can write renditions into, or one it can create (its nearest existing ancestor is a folder
/// the daemon may write in). Nothing is created by the check.
enum MediaDirectoryCheck {
    /// nil when `path` (absolute) is usable; otherwise why not.
    static func problem(_ path: String) -> String? {
        var candidate = path
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
            let parent = (candidate as NSString).deletingLastPathComponent
            if parent == candidate || parent.isEmpty { return "publish.mediaDirectory \(path): no part of the path exists" }
            candidate = parent
        }
        guard isDirectory.boolValue else {
            return candidate == path ? "publish.mediaDirectory \(path) is not a folder"
                : "publish.mediaDirectory \(path) cannot be created: \(candidate) is not a folder"
        }
        guard access(candidate, W_OK | X_OK) == 0 else {
            return candidate == path ? "publish.mediaDirectory \(path) is not writable"
                : "publish.mediaDirectory \(path) cannot be created: \(candidate) is not writable"
        }
        return nil
    }
}
