import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts the error of a failed webhook request. A connection that was never made means the
/// receiver saw nothing, so the next vetted address may be tried; once a connection exists the
/// server may have acted on the request, and the attempt ends there.
enum ConnectFailure {
    /// Why no connection was made (refused, unreachable, timed out), or nil when one was.
    static func reason(_ error: any Error) -> String? {
        switch error {
        case let error as NIOConnectionError:
            let reasons = error.connectionErrors.map { reason($0.error) ?? String(describing: $0.error) }
            return reasons.isEmpty ? "no connection could be made" : reasons.joined(separator: ", ")
        case let error as HTTPClientError where error == .connectTimeout:
            return "connecting timed out"
        case ChannelError.connectTimeout:
            return "connecting timed out"
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case EHOSTUNREACH: return "host unreachable"
            case ENETUNREACH: return "network unreachable"
            default: return nil
            }
        default:
            return nil
        }
    }

    /// What went wrong in the TLS handshake (an untrusted certificate, one for another name),
    /// or nil when the error is not about TLS. Not a reason to try another address: the server
    /// was reached and every address of a name is expected to present the same certificate.
    static func tlsReason(_ error: any Error) -> String? {
        switch error {
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            return "its certificate is not for this host name"
        case let error as NIOSSLExtraError:
            return String(describing: error)
        case let error as NIOSSLError:
            return String(describing: error)
        case let error as BoringSSLError:
            return String(describing: error)
        default:
            return nil
        }
    }
}
