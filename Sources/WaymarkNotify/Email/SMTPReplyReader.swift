import NIOCore

/// Turns the server's bytes into `SMTPReply` values and hands each to whoever waits for the next
/// one. Replies that arrive before anyone asks are queued (no pipelining, so at most a stray one).
///
/// `@unchecked Sendable`: every stored property is read and written only on the channel's event
/// loop — `nextReply` hops there before touching anything.
final class SMTPReplyReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private static let maximumLineLength = 4096
    let eventLoop: any EventLoop
    private var pending = ByteBuffer()
    private var linesSoFar: [String] = []
    private var ready: [Result<SMTPReply, SMTPError>] = []
    private var waiting: EventLoopPromise<SMTPReply>?
    private var closed = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The next complete reply, or `SMTPError.timeout` (and a closed channel) after `timeout`.
    func nextReply(on channel: any Channel, timeout: TimeAmount, waitingFor step: String) async throws -> SMTPReply {
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(SMTPError.timeout(waitingFor: step))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        eventLoop.execute { self.deliver(to: promise) }
        return try await promise.futureResult.get()
    }

    /// Drops anything buffered: after STARTTLS, bytes sent before the handshake must not be
    /// read as if they came over TLS (CVE-2011-0411 style injection).
    func discardBuffered() {
        eventLoop.execute {
            self.pending.clear()
            self.linesSoFar.removeAll()
            self.ready.removeAll()
        }
    }

    private func deliver(to promise: EventLoopPromise<SMTPReply>) {
        if !ready.isEmpty {
            promise.completeWith(ready.removeFirst().mapError { $0 as any Error })
        } else if closed {
            promise.fail(SMTPError.connectionClosed)
        } else {
            waiting = promise
        }
    }

    private func publish(_ result: Result<SMTPReply, SMTPError>) {
        if let waiting {
            self.waiting = nil
            waiting.completeWith(result.mapError { $0 as any Error })
        } else {
            ready.append(result)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        pending.writeBuffer(&incoming)
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - pending.readerIndex
            guard var line = pending.readString(length: length) else { break }
            pending.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            if !parse(line) {
                publish(.failure(.malformedReply(String(line.prefix(80)))))
                context.close(promise: nil)
                return
            }
        }
        if pending.readableBytes > Self.maximumLineLength {
            publish(.failure(.malformedReply("reply line longer than \(Self.maximumLineLength) bytes")))
            context.close(promise: nil)
        }
        pending.discardReadBytes()
    }

    /// Adds one line; returns false when it is not a reply line.
    private func parse(_ line: String) -> Bool {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count >= 3, scalars[0...2].allSatisfy({ ("0"..."9").contains($0) }),
              let code = Int(String(String.UnicodeScalarView(scalars[0...2]))), (200...599).contains(code)
        else { return false }
        let separator = scalars.count > 3 ? scalars[3] : " "
        guard separator == " " || separator == "-" else { return false }
        linesSoFar.append(scalars.count > 4 ? String(String.UnicodeScalarView(scalars[4...])) : "")
        if separator == " " {
            publish(.success(SMTPReply(code: code, lines: linesSoFar)))
            linesSoFar = []
        }
        return true
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if let waiting {
            self.waiting = nil
            waiting.fail(SMTPError.connectionClosed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let waiting {
            self.waiting = nil
            waiting.fail(SMTPError.transport(String(describing: error)))
        }
        context.close(promise: nil)
    }
}
