"""A real SMTP server (aiosmtpd) for WaymarkNotify's tests.

Writes the chosen port to --port-file once listening, and appends one JSON line per accepted
message to --received: the envelope, the raw content (base64) and what Python's own email
parser makes of it (decoded subject, the text and html parts, any Bcc headers), so the test
checks our bytes with an independent parser.
"""
import argparse, asyncio, base64, email, email.policy, json, signal, socket, ssl, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--received", default="/dev/null")
parser.add_argument("--rcpt-reply", help="reply to every RCPT instead of accepting, e.g. '451 4.3.0 try later'")
parser.add_argument("--data-reply", help="reply to DATA instead of accepting")
parser.add_argument("--auth", choices=["PLAIN", "LOGIN"], help="require AUTH, offering only this mechanism")
parser.add_argument("--tls-cert")
parser.add_argument("--tls-key")
parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps)")
parser.add_argument("--no-ehlo", action="store_true", help="refuse EHLO with 502 so clients fall back to HELO")
parser.add_argument("--silent", action="store_true", help="accept connections, never say a word")
parser.add_argument("--drop-after-data", action="store_true",
                    help="close the connection once a message's content is in, before answering it (see --faults)")
parser.add_argument("--slow-data", type=float, default=0, help="wait this many seconds before answering a message's content (see --faults)")
parser.add_argument("--faults", type=int, default=1 << 30, help="how many messages --drop-after-data or --slow-data hit; later ones are answered at once")
args = parser.parse_args()

USER, PASSWORD = "waymark", "s3cr:t p@ss/%"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def announce(port):
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)


if args.silent:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    announce(server.getsockname()[1])
    held = []
    while True:
        conn, _ = server.accept()
        held.append(conn)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if args.no_ehlo:
            session.host_name = None
            return ["502 5.5.1 EHLO not implemented"]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        session.extended_smtp = False
        return "250 {}".format(server.hostname)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.rcpt_reply:
            return args.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    faults_left = args.faults

    async def handle_DATA(self, server, session, envelope):
        if args.data_reply:
            return args.data_reply
        if (args.drop_after_data or args.slow_data) and Handler.faults_left > 0:
            Handler.faults_left -= 1
            if args.drop_after_data:
                server.transport.close()  # the client never learns whether the message was taken
                return "421 4.4.2 closing"  # written nowhere: the connection is gone
            await asyncio.sleep(args.slow_data)
            if server.transport is None or server.transport.is_closing():
                return "421 4.4.2 closing"  # the client gave up waiting; nothing was accepted
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "raw": base64.b64encode(raw).decode(),
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "header_names": [name for name, _ in message.items()],
            "bcc": [str(v) for v in (message.get_all("bcc") or [])],
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "defects": [str(d) for d in message.defects],
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "extended": bool(session.extended_smtp),
        }
        with open(args.received, "a") as f:
            f.write(json.dumps(record) + "\n")
        return "250 2.0.0 queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=True) if ok else AuthResult(success=False, handled=False)


kwargs = {}
if args.auth:
    kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False,
                  auth_exclude_mechanism=["LOGIN"] if args.auth == "PLAIN" else ["PLAIN"])
if args.tls_cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    if not args.implicit_tls:
        kwargs.update(tls_context=context, require_starttls=True)

port = free_port()
if args.implicit_tls:
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=context, **kwargs)
else:
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
announce(port)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
while not stop.wait(0.1):  # a bare wait() would never see the signal
    pass
controller.stop()
