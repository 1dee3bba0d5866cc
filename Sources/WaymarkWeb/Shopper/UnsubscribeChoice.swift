import Foundation
import WaymarkCore

/// What a POST to an unsubscribe link asks for: a mail client's RFC 8058 one-click
/// (`List-Unsubscribe=One-Click`, form-encoded or multipart), or one of the page's two buttons
/// (`scope=shipment` or `scope=all`).
enum UnsubscribeChoice: Equatable {
    /// Stop updates about this shipment (one-click, or the first button).
    case shipment
    /// Stop every message from the merchant to this address.
    case everything

    /// The choice the body makes, or nil when it makes none.
    init?(contentType: String?, body: String) {
        let fields = Self.fields(contentType: contentType, body: body)
        if fields["List-Unsubscribe"] == "One-Click" {
            self = .shipment
        } else {
            switch fields["scope"] {
            case "shipment": self = .shipment
            case "all": self = .everything
            default: return nil
            }
        }
    }

    /// The body's fields. RFC 8058 lets mail clients send either form encoding.
    static func fields(contentType: String?, body: String) -> [String: String] {
        let type = contentType?.lowercased() ?? ""
        if type.hasPrefix("multipart/form-data") {
            guard let boundary = parameter("boundary", of: contentType ?? "") else { return [:] }
            return multipartFields(body, boundary: boundary)
        }
        return Dictionary(FormEncoding.decode(body), uniquingKeysWith: { _, last in last })
    }

    /// A `name=value` parameter of a header value such as `multipart/form-data; boundary=x`.
    static func parameter(_ name: String, of header: String) -> String? {
        for part in header.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingWhitespace.lowercased() == name else { continue }
            var value = pair[1].trimmingWhitespace
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The simple fields (no files) of a multipart/form-data body.
    static func multipartFields(_ body: String, boundary: String) -> [String: String] {
        var fields: [String: String] = [:]
        for part in body.components(separatedBy: "--" + boundary).dropFirst() {
            guard let split = part.range(of: "\r\n\r\n") ?? part.range(of: "\n\n") else { continue }
            let headers = part[..<split.lowerBound]
            var value = String(part[split.upperBound...])
            // The line break before the next boundary belongs to the boundary ("\r\n" is one Character).
            if value.last?.isNewline == true { value.removeLast() }
            guard let disposition = headers.split(whereSeparator: \.isNewline)
                .first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                let name = parameter("name", of: String(disposition))
            else { continue }
            fields[name] = value
        }
        return fields
    }
}
