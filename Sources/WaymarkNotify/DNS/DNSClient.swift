import Foundation
import NIOCore
import NIOPosix
import WaymarkCore

/// A stub resolver for TXT records: asks one DNS server over UDP (RFC 1035 §4) with recursion
/// desired, and reads the answer section. It proves custom domains, so it needs no cache and
/// no DNSSEC: a recursive server (the one in `/etc/resolv.conf`, or `WAYMARK_DNS_SERVER`)
/// does the walking. A truncated answer is an error that says so: proof records are small.
public struct DNSClient: TXTResolver {
    public let server: SocketAddress
    /// How long one try waits for its answer; there are `tries` of them.
    public let timeout: Duration
    public let tries: Int

    public init(server: SocketAddress, timeout: Duration = .seconds(2), tries: Int = 2) {
        self.server = server
        self.timeout = timeout
        self.tries = max(1, tries)
    }

    /// The server `host:port` (IPv6 in brackets) names, or nil when it is not an address.
    public static func server(_ text: String) -> SocketAddress? {
        var host = Substring(text)
        var port = 53
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if rest.hasPrefix(":") { guard let number = Int(rest.dropFirst()) else { return nil }; port = number }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { return nil }
            port = number
            host = host[..<colon]
        }
        guard (1...65_535).contains(port) else { return nil }
        return try? SocketAddress(ipAddress: String(host), port: port)
    }

    /// The server `text` names (`WAYMARK_DNS_SERVER`), or the system's when it is nil or empty.
    public static func configured(_ text: String?) throws -> any TXTResolver {
        guard let text, !text.isEmpty else { return SystemDNS() }
        guard let address = server(text) else { throw DNSError.invalidServer(text) }
        return DNSClient(server: address)
    }

    /// The first `nameserver` of `/etc/resolv.conf`, else 127.0.0.1 (resolv.conf(5)'s default).
    public static func system(resolvConf path: String = "/etc/resolv.conf") throws -> DNSClient {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "nameserver", let server = server(String(words[1])) {
                return DNSClient(server: server)
            }
        }
        return DNSClient(server: try SocketAddress(ipAddress: "127.0.0.1", port: 53))
    }

    public func txtRecords(for name: String) async throws -> [String] {
        var lastError: any Error = DNSError.noAnswer(server: "\(server)")
        for _ in 0..<tries {
            let id = UInt16.random(in: .min ... .max)
            let query = try DNSMessage.query(id: id, name: name, type: DNSMessage.txt)
            do {
                let reply = try await exchange(query)
                return try DNSMessage.txtAnswers(in: reply, id: id)
            } catch let error as DNSError where error.isWorthRetrying {
                lastError = error
            }
        }
        throw lastError
    }

    /// Sends `query` from an ephemeral port and waits for the first datagram from the server
    /// that carries the query's id, up to `timeout`.
    private func exchange(_ query: [UInt8]) async throws -> [UInt8] {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: server.protocol == .inet6 ? "::" : "0.0.0.0", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        let server = self.server
        let timeout = self.timeout
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: query)))
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    for try await envelope in inbound where envelope.remoteAddress == server {
                        let bytes = Array(envelope.data.readableBytesView)
                        if bytes.count >= 2, bytes[0] == query[0], bytes[1] == query[1] { return bytes }
                    }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let reply = first else { throw DNSError.noAnswer(server: "\(server)") }
                return reply
            }
        }
    }
}

/// Asks the first DNS server `/etc/resolv.conf` names at the time of each lookup.
public struct SystemDNS: TXTResolver {
    public init() {}

    public func txtRecords(for name: String) async throws -> [String] {
        try await DNSClient.system().txtRecords(for: name)
    }
}

public enum DNSError: Error, CustomStringConvertible, Equatable {
    case invalidName(String)
    case invalidServer(String)
    case noAnswer(server: String)
    case malformedAnswer(String)
    case truncated
    case serverFailure(rcode: Int)

    var isWorthRetrying: Bool {
        switch self {
        case .noAnswer, .serverFailure: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidName(let name): "'\(name)' is not a DNS name"
        case .invalidServer(let text): "'\(text)' is not a DNS server address; give an IP address and port, like 127.0.0.1:53 or [::1]:53"
        case .noAnswer(let server): "no answer from the DNS server \(server)"
        case .malformedAnswer(let reason): "the DNS answer could not be read (\(reason))"
        case .truncated: "the DNS answer was too long for UDP"
        case .serverFailure(let rcode): "the DNS server answered with error code \(rcode)"
        }
    }
}

/// The parts of the DNS wire format (RFC 1035 §4.1) a TXT lookup needs.
enum DNSMessage {
    static let txt: UInt16 = 16
    static let classIN: UInt16 = 1

    /// A query for one name and type, recursion desired.
    static func query(id: UInt16, name: String, type: UInt16) throws(DNSError) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !trimmed.isEmpty, trimmed.utf8.count <= 253 else { throw .invalidName(name) }
        for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count) else { throw .invalidName(name) }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, UInt8(classIN)]
        return bytes
    }

    /// The text of each TXT record in the answer section (a record's strings joined), empty for
    /// a name that does not exist or has none.
    static func txtAnswers(in message: [UInt8], id: UInt16) throws(DNSError) -> [String] {
        var reader = Reader(bytes: message)
        guard try reader.u16() == id else { throw .malformedAnswer("another query's id") }
        let flags = try reader.u16()
        guard flags & 0x8000 != 0 else { throw .malformedAnswer("not a response") }
        guard flags & 0x0200 == 0 else { throw .truncated }
        switch Int(flags & 0x000f) {
        case 0: break
        case 3: return []  // NXDOMAIN: no such name, so no record yet.
        case let rcode: throw .serverFailure(rcode: rcode)
        }
        let questions = try reader.u16()
        let answers = try reader.u16()
        try reader.skip(4)
        for _ in 0..<questions {
            try reader.skipName()
            try reader.skip(4)
        }
        var texts: [String] = []
        for _ in 0..<answers {
            try reader.skipName()
            let type = try reader.u16()
            let recordClass = try reader.u16()
            try reader.skip(4)
            let length = Int(try reader.u16())
            let end = reader.offset + length
            guard end <= message.count else { throw .malformedAnswer("a record runs past the end") }
            if type == txt, recordClass == classIN {
                var text: [UInt8] = []
                while reader.offset < end {
                    let count = Int(try reader.u8())
                    guard reader.offset + count <= end else { throw .malformedAnswer("a TXT string runs past its record") }
                    text += message[reader.offset..<reader.offset + count]
                    reader.offset += count
                }
                texts.append(String(decoding: text, as: UTF8.self))
            }
            reader.offset = end
        }
        return texts
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func u8() throws(DNSError) -> UInt8 {
            guard offset < bytes.count else { throw .malformedAnswer("it ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() throws(DNSError) -> UInt16 {
            UInt16(try u8()) << 8 | UInt16(try u8())
        }

        mutating func skip(_ count: Int) throws(DNSError) {
            guard offset + count <= bytes.count else { throw .malformedAnswer("it ends early") }
            offset += count
        }

        /// Steps over a name: labels up to the root, or up to a compression pointer (two bytes).
        mutating func skipName() throws(DNSError) {
            while true {
                let length = try u8()
                switch length & 0xc0 {
                case 0xc0: try skip(1); return
                case 0x00: if length == 0 { return }; try skip(Int(length))
                default: throw .malformedAnswer("a label of an unknown kind")
                }
            }
        }
    }
}
