import Foundation
import WaymarkCore
import WaymarkProviders
import WaymarkSigning

/// Provider webhooks as they arrive at `POST /hooks/{provider}/{tenant}`.
enum ProviderFuzzing {
    /// Every header an adapter reads; each gets a value from the input's first line.
    static let headerNames = [
        "aftership-hmac-sha256", "sign", "x-hmac-signature", "x-track123-signature", "x-track123-timestamp",
        StandardWebhooks.idHeader, StandardWebhooks.timestampHeader, StandardWebhooks.signatureHeader,
    ]
    static let credentials = ProviderCredentials(secret: "whsec_d2F5bWFyayBmdXp6aW5nIGluYm91bmQgc2VjcmV0IQ==", apiKey: "fuzz-api-key")
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func run(_ input: [UInt8]) {
        let (lines, _) = input.leadingLines(1)
        let values = (lines.first ?? "").split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var headers: [String: String] = [:]
        for (index, name) in headerNames.enumerated() where !values.isEmpty {
            headers[name] = values[index % values.count]
        }
        let request = InboundRequest(body: input, headers: headers, query: ["token": values.first ?? ""])
        for provider in ProviderName.allCases {
            let adapter = ProviderAdapters.adapter(for: provider)
            _ = try? adapter.verify(request, credentials: credentials, now: now)
            _ = try? adapter.decode(request)
        }
    }
}

enum StandardWebhooksFuzzing {
    static func run(_ input: [UInt8]) {
        let (lines, body) = input.leadingLines(4)
        guard lines.count == 4, let signer = try? StandardWebhooks(secret: lines[0]) else { return }
        let timestamp = Int64(lines[2]) ?? 0
        _ = try? signer.verifySignature(lines[3], id: lines[1], timestamp: timestamp, body: body)
        let request = InboundRequest(body: Array(body), headers: [
            StandardWebhooks.idHeader: lines[1], StandardWebhooks.timestampHeader: lines[2], StandardWebhooks.signatureHeader: lines[3],
        ])
        _ = try? signer.verify(request, now: ProviderFuzzing.now)
    }
}

enum CSVFuzzing {
    /// Small records, so an unclosed quote meets the limit within the fuzzer's input sizes too.
    static let recordLimit = 512

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        let split = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
        let whole = (records([input[...]]), shipments([input[...]]))
        let chunked = (records([input[..<split], input[split...]]), shipments([input[..<split], input[split...]]))
        guard whole == chunked else {
            throw FuzzFinding("the CSV reader read \(whole) whole but \(chunked) in chunks split at byte \(split)")
        }
    }

    private static func records(_ chunks: [ArraySlice<UInt8>]) -> String {
        var reader = CSVReader(recordLimit: recordLimit)
        return transcript(chunks, read: { chunk throws(CSVFileError) in try reader.read(chunk) }, finish: { () throws(CSVFileError) in try reader.finish() })
    }

    private static func shipments(_ chunks: [ArraySlice<UInt8>]) -> String {
        var reader = ShipmentCSVReader(recordLimit: recordLimit)
        return transcript(chunks, read: { chunk throws(CSVFileError) in try reader.read(chunk) }, finish: { () throws(CSVFileError) in try reader.finish() })
    }

    /// What a reader returned for `chunks`, then the file's error if any, in words.
    private static func transcript<Item>(
        _ chunks: [ArraySlice<UInt8>], read: (ArraySlice<UInt8>) throws(CSVFileError) -> [Item], finish: () throws(CSVFileError) -> [Item]
    ) -> String {
        var seen: [String] = []
        do {
            for chunk in chunks { seen += try read(chunk).map { "\($0)" } }
            seen += try finish().map { "\($0)" }
        } catch {
            seen.append("error: \(error)")
        }
        return seen.joined(separator: "\n")
    }
}

enum FormFuzzing {
    static func run(_ body: String) throws(FuzzFinding) {
        let fields = FormEncoding.decode(body)
        let again = FormEncoding.decode(FormEncoding.encode(fields))
        guard again.elementsEqual(fields, by: { $0 == $1 }) else {
            throw FuzzFinding("form fields \(fields) encode and decode to \(again)")
        }
    }
}

enum RFC3339Fuzzing {
    static func run(_ text: String) throws(FuzzFinding) {
        _ = RFC3339.parseDay(text)
        guard let stamp = RFC3339.parse(text) else { return }
        let formatted = RFC3339.format(stamp.date, utcOffsetSeconds: stamp.utcOffsetSeconds)
        let wholeSeconds = stamp.date.timeIntervalSince1970.rounded(.down)
        guard let again = RFC3339.parse(formatted),
              again.date.timeIntervalSince1970 == wholeSeconds, (again.utcOffsetSeconds ?? 0) == (stamp.utcOffsetSeconds ?? 0)
        else {
            throw FuzzFinding("\(text.debugDescription) parses to \(stamp) but formats as \(formatted), which reads back differently")
        }
    }
}
