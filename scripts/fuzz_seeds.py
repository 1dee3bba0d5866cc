"""Writes scripts/fuzz's seed inputs, one folder per target, from the fixtures the tests already
use: provider payloads, the shipped templates and styles, and ../shared/testdata when present.

    python3 scripts/fuzz_seeds.py OUTPUT_FOLDER
"""
import base64
import hashlib
import hmac
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "testdata"
# The inbound secret WaymarkFuzz's provider targets verify with (ParserFuzzing.swift).
SECRET = "whsec_d2F5bWFyayBmdXp6aW5nIGluYm91bmQgc2VjcmV0IQ=="


def provider_payloads():
    fixtures = ROOT / "Tests" / "WaymarkProvidersTests" / "Fixtures"
    return [path.read_bytes() for path in sorted(fixtures.rglob("*.json"))]


def standard_webhooks():
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    seeds = []
    for index, body in enumerate([b'{"tracking_number": "1Z999AA10123456784"}', *provider_payloads()[:3]]):
        msg_id, stamp = f"msg_{index}", "1796000000"
        mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        header = "v1," + base64.b64encode(mac).decode()
        seeds.append(f"{SECRET}\n{msg_id}\n{stamp}\n{header}\n".encode() + body)
    return seeds


def tracking_numbers():
    numbers = ["1Z999AA10123456784", "9400111899223197428490", "LZ123456789CN", "EE 123 456 785 DE", "794644790138"]
    couriers = SHARED / "tracking_number_data" / "couriers"
    if couriers.is_dir():
        for path in sorted(couriers.glob("*.json")):
            for kind in json.loads(path.read_text()).get("tracking_numbers", []):
                numbers += kind.get("test_numbers", {}).get("valid", []) + kind.get("test_numbers", {}).get("invalid", [])
    else:
        print(f"fuzz seeds: {couriers} is absent; tracking-number starts from a few numbers only", file=sys.stderr)
    return [number.encode() for number in numbers]


def csv_files():
    return [
        b"tracking_number,carrier,order_id,email\n1Z999AA10123456784,ups,1001,sam@example.com\n",
        b'\xef\xbb\xbftracking_number;note\r\n"LZ123456789CN","two\r\nlines, ""quoted"""\r\n\r\n',
        b'order_id,tracking_number,phone,language\n"A-1",9400111899223197428490,+14155550123,de\n"unclosed,x\n',
        b'tracking_number,eta\n"ab"c,2026-12-01\n\xff\xfe,\n',
    ]


def forms():
    return [b"csrf=abc&email=sam%40example.com&name=Sam+Lee", b"a=1&a=2&=&b&c=%zz&d=%E2%9C%93", b"q=%F0%9F%93%A6+box&x=a%2Bb%26c%3Dd"]


def timestamps():
    found = {"2026-11-27T09:00:00+01:00", "2026-11-27 09:00:00.123456Z", "2024-02-29T23:59:60-05:30", "2026-12-01"}
    for payload in provider_payloads():
        found.update(re.findall(rb"\d{4}-\d\d-\d\d[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?", payload))
    return [item if isinstance(item, bytes) else item.encode() for item in sorted(found, key=str)]


def templates():
    views = [path.read_bytes() for folder in ("emails", "sections", "sms") for path in sorted((ROOT / "Views" / folder).rglob("*.mustache"))]
    corpus = SHARED / "dompurify-fixtures" / "expect.json"
    if corpus.is_file():
        views += [entry["payload"].encode() for entry in json.loads(corpus.read_text()) if isinstance(entry.get("payload"), str)]
    else:
        print(f"fuzz seeds: {corpus} is absent; template starts from the shipped templates only", file=sys.stderr)
    return views


def branding():
    files = [path.read_bytes() for path in sorted((ROOT / "Public").rglob("*")) if path.suffix in (".svg", ".css")]
    return files + [
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="url(#g)"/></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><text>hi</text></a></svg>',
        b".brand{color:#123456;background:url(data:image/png;base64,AAAA)} @media (max-width:600px){h1{font-size:1.2em}}",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ]


def main():
    out = pathlib.Path(sys.argv[1])
    targets = {
        "providers": provider_payloads(), "standard-webhooks": standard_webhooks(), "tracking-number": tracking_numbers(),
        "csv-import": csv_files(), "form": forms(), "rfc3339": timestamps(), "template": templates(), "branding": branding(),
    }
    for target, seeds in targets.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)


if __name__ == "__main__":
    main()
