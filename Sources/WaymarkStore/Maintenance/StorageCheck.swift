import Foundation
import GRDB
import WaymarkCore

extension AppDatabase {
    /// The file is still the one opened and may be written, and a query runs. SQLite keeps
    /// writing to a file deleted under it (the inode lives while it is open), so without this a
    /// server whose file was removed would look healthy while everything it saves is lost at exit.
    public func checkStorage() async throws {
        if let problem = openedFile?.problem() { throw StoreError.storageUnavailable(problem) }
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tenant WHERE id = 0") }
    }
}

/// A database file as it was when opened: its device and inode.
struct DatabaseFile: Sendable {
    let path: String
    let device: UInt64
    let inode: UInt64

    /// Nil for an in-memory database or a file that cannot be examined.
    init?(path: String) {
        var status = stat()
        guard !path.isEmpty, path != ":memory:", stat(path, &status) == 0 else { return nil }
        self.path = path
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// What is wrong with the file at `path` now, in words for the operator; nil when nothing.
    func problem() -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return "the database file \(path) is gone (\(String(cString: strerror(errno)))): it was deleted or moved while Waymark ran; "
                + "what is saved now is lost when Waymark stops. Restart Waymark (with waymark restore first if a backup is needed)"
        }
        guard UInt64(status.st_dev) == device, UInt64(status.st_ino) == inode else {
            return "the database file \(path) was replaced while Waymark ran; restart Waymark to use the file now at that path"
        }
        guard access(path, W_OK) == 0 else {
            return "the database file \(path) cannot be written (\(String(cString: strerror(errno))))"
        }
        return nil
    }
}
