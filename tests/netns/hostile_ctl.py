#!/usr/bin/env python3
"""Control-socket abuse for tests/netns/hostile_ctl.sh. Each subcommand talks to mgmtsecd's
unix socket and exits 0 when the daemon behaved, else prints why and exits 1.

  hostile_ctl.py malformed SOCK   bad requests: an error reply (status 2) or a closed
                                  connection, never a hang; a full-size request is answered
  hostile_ctl.py hold SOCK N      N clients that send half a request, or nothing, or flood
                                  requests without reading; stays until killed
  hostile_ctl.py vanish SOCK      clients that disappear before or during the reply
"""
import socket
import struct
import sys
import time


def conn(path):
    """A connected socket with a 5 s timeout. With a timeout set, connect() on a unix socket
    whose listen backlog is full fails at once (EAGAIN) where a blocking one would wait: retry
    for up to 5 s, as the blocking CLI would."""
    deadline = time.monotonic() + 5
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def req(verb, payload):
    return f"{verb} {len(payload)}\n".encode() + payload


_pending = {}  # bytes read past the end of a response, per socket


def read_reply(s):
    """One response, or None if the connection was closed first."""
    buf = _pending.pop(s.fileno(), b"")
    while b"\n" not in buf:
        d = s.recv(4096)
        if not d:
            return None
        buf += d
    head, rest = buf.split(b"\n", 1)
    f = head.split()
    if len(f) != 5 or f[0] != b"R":
        raise ValueError(f"bad response header {head!r}")
    lo, le, lp = int(f[2]), int(f[3]), int(f[4])
    while len(rest) < lo + le + lp:
        d = s.recv(65536)
        if not d:
            raise ValueError("response cut short")
        rest += d
    _pending[s.fileno()] = rest[lo + le + lp :]
    return int(f[1]), rest[:lo], rest[lo : lo + le]


def malformed(path):
    bad = [
        ("unknown verb", b"BOGUS 3\nabc"),
        ("negative length", b"EXEC -1\n"),
        ("length with a sign", b"EXEC +5\nhello"),
        ("hex length", b"EXEC 0x10\n"),
        ("length over the limit", b"EXEC 8193\n" + b"x" * 8193),
        ("huge length", b"EXEC 99999999999999999999999\n"),
        ("no newline in 32 bytes", b"E" * 40),
        ("no space", b"EXEC\n"),
        ("empty verb", b" 5\nhello"),
        ("NUL in the payload", req("EXEC", b"show\0running-config")),
        ("binary junk", bytes(range(256)) * 8),
        ("a megabyte of text", b"show running-config " * 52429),
        ("second HELLO", req("HELLO", b"interactive=0 user=x") + req("HELLO", b"interactive=0 user=y")),
    ]
    ok = True
    for name, data in bad:
        s = conn(path)
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed while we were still sending: fine
        replies = []
        try:
            while True:
                r = read_reply(s)
                if r is None:
                    break
                replies.append(r[0])
        except (socket.timeout, TimeoutError):
            print(f"FAIL {name}: connection neither answered nor closed in 5 s")
            ok = False
            s.close()
            continue
        except ConnectionResetError:
            pass
        except ValueError as e:
            print(f"FAIL {name}: {e}")
            ok = False
        _pending.pop(s.fileno(), None)
        s.close()
        # whatever was answered before the error is fine; the last word must be an error
        if replies and replies[-1] != 2:
            print(f"FAIL {name}: answered with status {replies[-1]} instead of an error")
            ok = False
        note = "" if replies else " (NOTE: no error reply before the close)"
        print(f"{name}: replies {replies}, closed{note}")
    # The largest request allowed gets a proper answer (a command error), not a closed socket.
    s = conn(path)
    s.sendall(req("EXEC", b"x" * 8192))
    r = read_reply(s)
    if r is None or r[0] != 1:
        print(f"FAIL full-size request: {r!r}")
        ok = False
    else:
        print(f"full-size request: status 1, error {r[2][:40]!r}")
    # and the connection still works afterwards
    s.sendall(req("EXEC", b"show running-config"))
    r = read_reply(s)
    if r is None or r[0] != 0:
        print(f"FAIL request after a full-size one: {r!r}")
        ok = False
    s.close()
    return ok


def hold(path, n):
    socks = []
    for i in range(n):
        s = conn(path)
        if i % 3 == 0:
            s.sendall(b"EXEC 25\nshow run")  # half a request, forever
        elif i % 3 == 1:
            pass  # nothing at all
        else:
            s.setblocking(False)  # requests, never reading the replies
            try:
                for _ in range(2000):
                    s.send(req("EXEC", b"show running-config"))
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                pass
        socks.append(s)
    print(f"holding {len(socks)} clients", flush=True)
    while True:
        time.sleep(1)


def vanish(path):
    for i in range(50):
        s = conn(path)
        s.sendall(req("EXEC", b"show running-config") + req("EXEC", b"show ipsec sa"))
        if i % 2:
            s.recv(10)  # read a little of the reply, then go
        if i % 5 == 0:  # RST instead of FIN
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    s = conn(path)
    s.sendall(b"EXEC 100\nshow")  # gone in the middle of a request
    s.close()
    return True


def main(argv):
    cmd, path = argv[1], argv[2]
    if cmd == "malformed":
        return 0 if malformed(path) else 1
    if cmd == "hold":
        hold(path, int(argv[3]))
    if cmd == "vanish":
        return 0 if vanish(path) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
