import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a host name into addresses. The SSRF guard resolves once and hands the vetted
/// addresses to the caller, so nothing else may look the name up again.
public protocol Resolver: Sendable {
    func resolve(host: String, port: Int) async throws -> [SocketAddress]
}

/// The system resolver (`getaddrinfo`, so `/etc/hosts` and the configured DNS apply), run on
/// NIO's blocking-work thread pool.
public struct SystemResolver: Resolver {
    public init() {}

    public func resolve(host: String, port: Int) async throws -> [SocketAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            try Self.getaddrinfoBlocking(host: host, port: port)
        }
    }

    private static func getaddrinfoBlocking(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc) || canImport(Musl)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }

        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let raw = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
                    if !addresses.contains(address) { addresses.append(address) }
                case AF_INET6:
                    let address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) }
                    if !addresses.contains(address) { addresses.append(address) }
                default:
                    break
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}

/// `getaddrinfo` failed; the reason is its own message ("Name or service not known").
public struct ResolutionError: Error, Sendable, CustomStringConvertible {
    public let host: String
    public let reason: String
    public var description: String { "\(host): \(reason)" }
}
