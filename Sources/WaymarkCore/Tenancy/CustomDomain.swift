import Foundation

/// A merchant's own host name for its shopper pages (`track.acme.com`), served only after a
/// TXT record proves the merchant controls it: asking is a `DomainClaim`, the proof is
/// `DomainProof`, and only a proven claim becomes `Tenant.customDomain`.
public enum CustomDomain {
    /// The host name in `text`, lowercased, if it is one: LDH labels of 1 to 63 characters, at
    /// least two of them, at most 253 characters, not ending in a number (no address literals),
    /// without scheme, port or path.
    public static func hostName(_ text: String) -> String? {
        let host = text.trimmingWhitespace.lowercased()
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, host.utf8.count <= 253, let last = labels.last, !last.allSatisfy(\.isNumber) else { return nil }
        let valid = labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
        return valid ? host : nil
    }
}

/// A domain a tenant asked for and the token its TXT record must carry.
public struct DomainClaim: Sendable, Equatable {
    public var domain: String
    public var token: String
    public var createdAt: Date
    /// When the record was last looked up, and what was wrong then (nil: never checked).
    public var checkedAt: Date?
    public var problem: String?

    public init(domain: String, token: String, createdAt: Date, checkedAt: Date? = nil, problem: String? = nil) {
        self.domain = domain
        self.token = token
        self.createdAt = createdAt
        self.checkedAt = checkedAt
        self.problem = problem
    }

    /// Where the proof lives: `_waymark.` in front of the domain, so the domain itself can
    /// keep its CNAME.
    public var recordName: String { "_waymark.\(domain)" }

    /// The TXT record's text.
    public var recordValue: String { "waymark-verification=\(token)" }
}

/// Looks up TXT records. `DNSClient` (WaymarkNotify) asks a DNS server over UDP; tests put a
/// table or their own server in its place.
public protocol TXTResolver: Sendable {
    /// The texts of every TXT record at `name` (each record's strings joined, RFC 7208 §3.3);
    /// empty when the name has none or does not exist. Throws when no answer came.
    func txtRecords(for name: String) async throws -> [String]
}

/// Whether a claim's TXT record is in place.
public enum DomainProof {
    /// Nil when a TXT record at the claim's name holds exactly its value; else what to fix,
    /// in words a merchant can act on.
    public static func problem(with claim: DomainClaim, resolver: any TXTResolver) async -> String? {
        let records: [String]
        do {
            records = try await resolver.txtRecords(for: claim.recordName)
        } catch {
            return "the DNS lookup of \(claim.recordName) failed (\(error)); try again in a few minutes"
        }
        if records.contains(claim.recordValue) { return nil }
        if records.isEmpty {
            return "no TXT record at \(claim.recordName) yet; new records can take a while to appear"
        }
        return "the TXT records at \(claim.recordName) do not hold \(claim.recordValue) (found: \(records.prefix(3).joined(separator: ", ")))"
    }
}
