import Foundation

/// Writes each message as `<delivery id>.eml` into a folder instead of sending it: what a server
/// without an SMTP relay does, so a demo or a developer can open the messages in a mail client.
/// A file is written under a temporary name and renamed, so a reader never sees half a message,
/// and a resend after a crash replaces it with the same name.
public struct MailFolderTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func deliver(_ rendered: [UInt8], from: Mailbox, to: Mailbox, deliveryID: String) async -> SendOutcome {
        let name = String(deliveryID.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }.prefix(120))
        guard !name.isEmpty else { return .failed(SendFailure(error: "delivery id '\(deliveryID)' cannot name a file", permanent: true)) }
        let file = directory.appendingPathComponent("\(name).eml")
        let temporary = directory.appendingPathComponent(".\(name).eml.\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(rendered).write(to: temporary)
            guard rename(temporary.path, file.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                return .failed(SendFailure(error: "cannot move the message to \(file.path): \(reason)", permanent: false))
            }
            return .delivered(reply: "written to \(file.path)")
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            return .failed(SendFailure(error: "cannot write \(file.path): \(error.localizedDescription)", permanent: false))
        }
    }
}
