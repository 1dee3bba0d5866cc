"""A real DNS server (dnslib) on 127.0.0.1 for the TXT lookups that prove custom domains.

Serves the TXT records of --records (a JSON object: name -> list of record texts; a text longer
than 255 bytes goes out as several character-strings, as RFC 1035 requires) over UDP, answers
NXDOMAIN for any other name, and writes the chosen port to --port-file once listening.
--cname NAME=TARGET answers NAME with a CNAME to TARGET followed by TARGET's TXT records, the
way a recursive server does; --truncate sets the TC bit on every answer; --silent never answers.
"""
import argparse, json, os, socket, threading, time

from dnslib import CNAME, QTYPE, RCODE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--records", default="{}")
parser.add_argument("--cname", action="append", default=[])
parser.add_argument("--truncate", action="store_true")
parser.add_argument("--silent", action="store_true")
args = parser.parse_args()

records = {name.rstrip(".").lower(): texts for name, texts in json.loads(args.records).items()}
cnames = dict(item.split("=", 1) for item in args.cname)


def announce(port):
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(args.port_file + ".tmp", args.port_file)


def chunks(text):
    data = text.encode()
    return [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]


class Table(BaseResolver):
    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name in cnames:
            target = cnames[name]
            reply.add_answer(RR(request.q.qname, QTYPE.CNAME, rdata=CNAME(target + "."), ttl=60))
            name = target
        if name not in records:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for text in records[name]:
                reply.add_answer(RR(name + ".", QTYPE.TXT, rdata=TXT(chunks(text)), ttl=60))
        if args.truncate:
            reply.header.tc = 1
        return reply


if args.silent:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    announce(sock.getsockname()[1])
    while True:
        sock.recvfrom(512)

server = DNSServer(Table(), port=0, address="127.0.0.1")
server.start_thread()
announce(server.server.server_address[1])
while server.isAlive():
    time.sleep(0.2)
