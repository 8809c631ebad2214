#!/usr/bin/python3
"""flowhold.py - HTTP clients for the control-plane end-to-end tests.

  hold HOST PORT N STATE    N long-lived keep-alive connections; each sends a
                            GET every --interval s and records which backend
                            answered (the response body, stripped).
  new  HOST PORT N STATE    one new connection per request, N requests in a
                            loop (or until the stop file with N = 0); records
                            each outcome.

STATE is rewritten (write + rename) after every round as JSON, so the test
reads progress while the client runs; the client stops when STATE.stop
exists (then writes a final STATE with "done": true). Exit 0 unless the
arguments are wrong: failures are data in STATE, judged by the test.
"""
import argparse
import json
import os
import selectors
import socket
import sys
import time


def write_state(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.rename(tmp, path)


def request_bytes(host):
    return (f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: flowhold\r\n\r\n").encode()


def parse_response(buf):
    """(status, body, rest) when buf holds a whole response, else None."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = buf[:head_end].decode("latin-1").split("\r\n")
    length = 0
    for line in head[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    if len(buf) < head_end + 4 + length:
        return None
    body = buf[head_end + 4:head_end + 4 + length]
    status = int(head[0].split()[1])
    return status, body.decode("latin-1").strip(), buf[head_end + 4 + length:]


class Conn:
    def __init__(self, idx, host, port):
        self.idx = idx
        self.sock = socket.create_connection((host, port), timeout=3)
        self.sock.setblocking(False)
        self.local = "%s:%d" % self.sock.getsockname()[:2]
        self.first = None
        self.last = None
        self.ok = 0
        self.changes = 0
        self.state = "open"
        self.buf = b""

    def report(self):
        return {"idx": self.idx, "local": self.local, "first": self.first, "last": self.last,
                "ok": self.ok, "changes": self.changes, "state": self.state}


def run_hold(a):
    conns = []
    for i in range(a.n):
        try:
            conns.append(Conn(i, a.host, a.port))
        except OSError as e:
            c = Conn.__new__(Conn)
            c.idx, c.local, c.first, c.last, c.ok, c.changes = i, "", None, None, 0, 0
            c.state, c.sock = "connect failed: %s" % e, None
            conns.append(c)
    req = request_bytes(a.host)
    sel = selectors.DefaultSelector()
    rounds = 0
    while True:
        stop = os.path.exists(a.state + ".stop")
        live = [c for c in conns if c.state == "open"]
        t0 = time.monotonic()
        for c in live:
            try:
                c.sock.send(req)
                sel.register(c.sock, selectors.EVENT_READ, c)
            except OSError as e:
                c.state = "send failed: %s" % e
        pending = sum(1 for c in live if c.state == "open")
        deadline = t0 + a.timeout
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
                c = key.data
                try:
                    data = c.sock.recv(65536)
                except OSError as e:
                    data, c.state = b"", "recv failed: %s" % e
                if not data:
                    if c.state == "open":
                        c.state = "closed by peer"
                    sel.unregister(c.sock)
                    pending -= 1
                    continue
                c.buf += data
                r = parse_response(c.buf)
                if r is None:
                    continue
                status, body, c.buf = r
                if status != 200:
                    c.state = "HTTP %d" % status
                else:
                    c.ok += 1
                    if c.first is None:
                        c.first = body
                    elif body != c.last:
                        c.changes += 1
                    c.last = body
                sel.unregister(c.sock)
                pending -= 1
        for c in live:
            if c.sock in sel.get_map():
                sel.unregister(c.sock)
                c.state = "timeout"
        rounds += 1
        write_state(a.state, {"mode": "hold", "round": rounds, "done": stop,
                              "conns": [c.report() for c in conns]})
        if stop:
            break
        time.sleep(max(0.0, a.interval - (time.monotonic() - t0)))
    for c in conns:
        if c.sock:
            c.sock.close()


def one_request(host, port, timeout):
    """(backend or None, error or None) for one request on a new connection."""
    req = request_bytes(host)
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(req)
            buf = b""
            while True:
                r = parse_response(buf)
                if r:
                    status, body, _ = r
                    return (body, None) if status == 200 else (None, "HTTP %d" % status)
                data = s.recv(65536)
                if not data:
                    return None, "closed before a whole response"
                buf += data
    except OSError as e:
        return None, str(e)


def run_new(a):
    backends, errors, ok, i = {}, [], 0, 0
    while a.n == 0 or i < a.n:
        stop = os.path.exists(a.state + ".stop")
        if stop:
            break
        be, err = one_request(a.host, a.port, a.timeout)
        i += 1
        if err:
            errors.append({"at": time.time(), "error": err})
        else:
            ok += 1
            backends[be] = backends.get(be, 0) + 1
        if i % 20 == 0:
            write_state(a.state, {"mode": "new", "done": False, "requests": i, "ok": ok,
                                  "errors": errors, "backends": backends})
        if a.interval:
            time.sleep(a.interval)
    write_state(a.state, {"mode": "new", "done": True, "requests": i, "ok": ok,
                          "errors": errors, "backends": backends})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["hold", "new"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("n", type=int)
    p.add_argument("state")
    p.add_argument("--interval", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=1.0)
    a = p.parse_args()
    if a.mode == "hold":
        run_hold(a)
    else:
        run_new(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
