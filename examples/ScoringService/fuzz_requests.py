#!/usr/bin/env python3
"""Drives a running scoring service with mutated requests and checks every answer (Python 3 standard library only).

JSON bodies are written every valid way (number forms, whitespace, extra members) and then, most of them, damaged
(bytes deleted, inserted, duplicated or replaced, tokens swapped in, truncation, non-UTF-8 bytes, a second "rows",
deep nesting). Python's strict json module says what each body is: one it accepts with the right shape must get 200
and the same answer as the same rows written canonically; any other must get 400 with a "detail". Float32 bodies are
truncated, padded or given NaN/±inf. With --http, raw-socket cases follow (chunked bodies, 100-continue, HTTP/1.0,
pipelining, a slow body, connections closed mid-body, a huge declared body or header, other methods).

    python3 examples/ScoringService/fuzz_requests.py --url http://127.0.0.1:5080 --requests 50000 --clients 4 --http

The last line is "N requests, N problems"; the exit code is 1 when there are problems.
"""
import argparse, http.client, json, math, random, re, socket, struct, threading, time, urllib.parse

TOKENS = ["null", '"1"', "true", "NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e-50", "0x10", "01", "1.", ".5", "-", "1e",
          "--1", "[", "]", "{", "}", ",", ":", '"', "\\", "1e+", "-0", "00", "1.5e308", "1e309", "[]", "{}", "\x00", "\u00e9", "\ud800"]
EXTRA_MEMBERS = ['"r\\u006fws2": 1', '"deep": [[[[[[1]]]]]]', '"id": "a\\"b"', '"x": {"a": [1, 2, {"b": null}]}', '"n": 1e400',
                 '"t": true', '"s": "\\u00e9"']
MAX_DEPTH = 8          # the service's JsonReaderOptions.MaxDepth: deeper bodies may get 400 though Python accepts them
FLOAT_MAX = 3.4028234663852886e38


class Client:
    def __init__(self, host, port, features, max_rows, seed):
        self.host, self.port, self.d, self.max_rows = host, port, features, max_rows
        self.rng = random.Random(seed)
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.counts = {"accepted": 0, "refused": 0, "either": 0, "float32": 0}
        self.problems = []

    def post(self, body, ctype="application/json", accept=None):
        headers = {"Content-Type": ctype}
        if accept:
            headers["Accept"] = accept
        for attempt in range(2):
            try:
                self.conn.request("POST", "/score", body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError) as e:
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 1:
                    return None, repr(e).encode()

    # ---- JSON bodies -------------------------------------------------------------------------------------------------
    def number(self, v):
        r = self.rng
        k = r.randrange(9)
        if k == 0: return repr(v)
        if k == 1: return "%.9g" % v
        if k == 2: return "%e" % v
        if k == 3: return ("%.7E" % v).replace("E+0", "E+").replace("E-0", "E-")
        if k == 4: return "%.25f" % v                                   # more than 19 significant digits
        if k == 5: return str(int(v)) if v == int(v) else repr(v)
        if k == 6: return "%.3e" % v
        if k == 7:
            text = "%.17g" % v
            return text + "0" * r.randrange(30) if "." in text and "e" not in text else repr(v)
        return "%.12g" % (v * 10 ** r.randrange(-30, 30))

    def ws(self):
        return "".join(self.rng.choice(" \t\n\r") for _ in range(self.rng.choice([0, 0, 0, 1, 2])))

    def valid_body(self):
        r = self.rng
        rows = [[r.gauss(0, 1.5) for _ in range(self.d)] for _ in range(r.choice([1, 1, 2, 3, 7]))]
        if r.random() < 0.2:
            rows[0][r.randrange(self.d)] = r.choice([0.0, -0.0, 1e-50, 3e38, -3e38, 1e-40, 1.2345678901234568e23, 1e30])
        sep = lambda: "," + self.ws()
        text_rows = ["[" + self.ws() + sep().join(self.number(v) + self.ws() for v in row) + "]" for row in rows]
        members = [f'"rows"{self.ws()}:{self.ws()}[{self.ws()}' + sep().join(t + self.ws() for t in text_rows) + "]"]
        if r.random() < 0.2:
            members.insert(r.randrange(2), r.choice(EXTRA_MEMBERS))
        return "{" + self.ws() + sep().join(members) + self.ws() + "}" + self.ws()

    def mutate(self, b):
        r = self.rng
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            k, i = r.randrange(6), r.randrange(len(b) + 1)
            if k == 0 and b: b = b[:i] + b[i + 1:]
            elif k == 1: b = b[:i] + r.choice(TOKENS) + b[i:]
            elif k == 2: b = b[:i]
            elif k == 3 and b:
                j = r.randrange(len(b)); b = b[:i] + b[min(i, j):max(i, j)] + b[i:]
            elif k == 4:
                numbers = list(re.finditer(r"-?\d[\d.eE+-]*", b))
                if numbers:
                    m = r.choice(numbers); b = b[:m.start()] + r.choice(TOKENS) + b[m.end():]
            else:
                b = b[:i] + chr(r.randrange(0, 256)) + b[i:]
        return b

    def expected(self, raw):
        """("accepted", rows), ("refused", reason) or ("either", None) where the contract leaves it open."""
        if depth(raw) > MAX_DEPTH:
            return ("either", None)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return ("refused", "not UTF-8")
        def constant(name):
            raise ValueError("the literal " + name)
        def members(pairs):
            if [k for k, _ in pairs].count("rows") > 1:
                raise ValueError("'rows' twice")
            return dict(pairs)
        try:
            body = json.loads(text, parse_constant=constant, object_pairs_hook=members)
        except (ValueError, RecursionError):
            return ("refused", "not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("rows"), list) or not body["rows"]:
            return ("refused", "shape")
        if len(body["rows"]) > self.max_rows:
            return ("refused", "too many rows")
        rows = []
        for row in body["rows"]:
            if not isinstance(row, list) or len(row) != self.d:
                return ("refused", "row length")
            for x in row:
                if isinstance(x, bool) or not isinstance(x, (int, float)):
                    return ("refused", "not a number")
                try:
                    f = float(x)
                except OverflowError:
                    return ("refused", "overflow")
                if FLOAT_MAX < abs(f) < 3.4028236e38:
                    return ("either", None)             # rounds to float32's largest or to infinity: too close to call here
                if not math.isfinite(f) or abs(f) >= 3.4028236e38:
                    return ("refused", "not a finite float32")
            rows.append([float(x) for x in row])
        return ("accepted", rows)

    def json_case(self, n):
        r = self.rng
        text = self.valid_body()
        if r.random() < 0.7:
            text = self.mutate(text)
        raw = text.encode("utf-8", "surrogatepass")
        if r.random() < 0.05:
            i = r.randrange(len(raw) + 1); raw = raw[:i] + bytes([r.randrange(0x80, 0x100)]) + raw[i:]
        if r.random() < 0.03:
            raw = raw.replace(b'"rows"', b'"rows": [[1]], "rows"', 1) if r.random() < 0.5 else \
                raw.replace(b"{", b'{"deep": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b",", 1)
        want, detail = self.expected(raw)
        self.counts[want] += 1
        status, body = self.post(raw)
        if status not in (200, 400, 413):
            return self.problems.append(("JSON", n, f"status {status}", raw[:300], body[:300]))
        if want == "accepted":
            if status != 200:
                return self.problems.append(("JSON", n, f"status {status}, expected 200", raw[:300], body[:300]))
            status2, canonical = self.post(json.dumps({"rows": detail}).encode())
            got, reference = json.loads(body)["results"], json.loads(canonical)["results"]
            if status2 != 200 or got != reference or len(got) != len(detail):
                self.problems.append(("JSON", n, "answer differs from the canonical body's", raw[:300], body[:300], canonical[:300]))
        elif want == "refused":
            if status != 400:
                self.problems.append(("JSON", n, f"status {status}, expected 400 ({detail})", raw[:300], body[:300]))
            elif not json.loads(body).get("detail"):
                self.problems.append(("JSON", n, "400 without a detail", raw[:300], body[:300]))

    # ---- float32 bodies ----------------------------------------------------------------------------------------------
    def float32_case(self, n):
        r = self.rng
        rows = r.choice([1, 2, 5])
        values = [r.gauss(0, 1) for _ in range(rows * self.d)]
        raw = struct.pack("<%df" % len(values), *values)
        k, ok = r.randrange(4), True
        if k == 1:
            raw = raw[:r.randrange(len(raw))]; ok = len(raw) > 0 and len(raw) % (4 * self.d) == 0
        elif k == 2:
            i = r.randrange(rows * self.d)
            raw = raw[:4 * i] + struct.pack("<f", r.choice([math.nan, math.inf, -math.inf])) + raw[4 * i + 4:]; ok = False
        elif k == 3:
            raw = raw + bytes(r.randrange(1, 200)); ok = len(raw) % (4 * self.d) == 0
        self.counts["float32"] += 1
        status, body = self.post(raw, "application/octet-stream", r.choice([None, "application/octet-stream", "application/json"]))
        if (ok and status != 200) or (not ok and status != 400):
            self.problems.append(("float32", n, f"status {status}, expected {200 if ok else 400}", body[:300]))

    def run(self, requests):
        for n in range(requests):
            self.json_case(n)
            if n % 3 == 0:
                self.float32_case(n)


def depth(raw):
    d = deepest = 0
    for c in raw:
        if c in b"[{": d += 1; deepest = max(deepest, d)
        elif c in b"]}": d -= 1
    return deepest


def http_checks(host, port, features):
    """Raw-socket cases: (name, status line wanted, answer)."""
    row = ",".join(["0.25"] * features)
    good = ('{"rows":[[' + row + ']]}').encode()
    length = str(len(good)).encode()
    head = b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"

    def send(parts, pause=0.0, close_early=False):
        s = socket.create_connection((host, port), timeout=20)
        for part in parts:
            s.sendall(part)
            time.sleep(pause)
        if close_early:
            s.close(); return ""
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        s.close()
        return data.decode(errors="replace")

    close = b"Connection: close\r\n"
    cases = [
        ("chunked body", [head + close + b"Transfer-Encoding: chunked\r\n\r\n" + hex(len(good))[2:].encode() + b"\r\n" + good + b"\r\n0\r\n\r\n"], "200"),
        ("chunked body in two chunks", [head + close + b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + good[:16] + b"\r\n" + hex(len(good) - 16)[2:].encode() + b"\r\n" + good[16:] + b"\r\n0\r\n\r\n"], "200"),
        ("Expect: 100-continue", [head + close + b"Expect: 100-continue\r\nContent-Length: " + length + b"\r\n\r\n" + good], "200"),
        ("HTTP/1.0", [b"POST /score HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " + length + b"\r\n\r\n" + good], "200"),
        ("no Content-Type", [b"POST /score HTTP/1.1\r\nHost: x\r\n" + close + b"Content-Length: " + length + b"\r\n\r\n" + good], "200"),
        ("a body sent in ten parts 0.3 s apart", None, "200"),
        ("Content-Length shorter than the body", [head + close + b"Content-Length: 20\r\n\r\n" + good], "400"),
        ("no Content-Length (an empty body)", [head + close + b"\r\n" + good], "400"),
        ("40 MB declared", [head + close + b"Content-Length: 41943040\r\n\r\n" + good], "413"),
        ("a 40 KB header", [head + close + b"X-Junk: " + b"a" * 40000 + b"\r\nContent-Length: 2\r\n\r\n{}"], "431"),
        ("GET /score", [b"GET /score HTTP/1.1\r\nHost: x\r\n" + close + b"\r\n"], "405"),
        ("PUT /score", [b"PUT /score HTTP/1.1\r\nHost: x\r\n" + close + b"Content-Length: 2\r\n\r\n{}"], "405"),
    ]
    results = []
    for name, parts, want in cases:
        if parts is None:
            prefix = head + close + b"Content-Length: " + length + b"\r\n\r\n"
            answer = send([prefix] + [good[len(good) * i // 10:len(good) * (i + 1) // 10] for i in range(10)], pause=0.3)
        else:
            answer = send(parts)
        results.append((name, want, answer.split("\r\n", 1)[0]))
    pipelined = send([(head + b"Content-Length: " + length + b"\r\n\r\n" + good) * 2 + head + close + b"Content-Length: " + length + b"\r\n\r\n" + good])
    results.append(("three pipelined requests", "200 x3", "200 x%d" % pipelined.count("HTTP/1.1 200")))
    for _ in range(50):
        send([head + b"Content-Length: 5000\r\n\r\n" + good[:30]], close_early=True)
    after = send([head + close + b"Content-Length: " + length + b"\r\n\r\n" + good])
    results.append(("a request after 50 connections closed mid-body", "200", after.split("\r\n", 1)[0]))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5080")
    parser.add_argument("--requests", type=int, default=20000, help="JSON bodies per client (and a float32 body every third)")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients, each with its own connection and seed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-rows", type=int, default=10_000, help="the service's Model:MaxRows")
    parser.add_argument("--http", action="store_true", help="also the raw-socket cases")
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.url)
    host, port = url.hostname, url.port or 80
    info = http.client.HTTPConnection(host, port, timeout=30)
    info.request("GET", "/model")
    features = json.loads(info.getresponse().read())["features"]

    clients = [Client(host, port, features, args.max_rows, args.seed * 1000 + c) for c in range(args.clients)]
    threads = [threading.Thread(target=c.run, args=(args.requests,)) for c in clients]
    started = time.time()
    for t in threads: t.start()
    for t in threads: t.join()
    counts = {k: sum(c.counts[k] for c in clients) for k in clients[0].counts}
    problems = [p for c in clients for p in c.problems]
    print(f"{features} features, {args.clients} client(s), {time.time() - started:.0f} s: JSON bodies Python accepts {counts['accepted']}, "
          f"refuses {counts['refused']}, either answer allowed {counts['either']}; float32 bodies {counts['float32']}")
    total = sum(counts.values())
    if args.http:
        for name, want, got in http_checks(host, port, features):
            ok = got.startswith("HTTP/1.1 " + want) or got == want
            print(f"  {name}: {got} ({'ok' if ok else 'expected ' + want})")
            total += 1
            if not ok:
                problems.append(("http", name, got))
    for p in problems[:20]:
        print("PROBLEM", p)
    print(f"{total} requests, {len(problems)} problems")
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
