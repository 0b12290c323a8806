#!/usr/bin/env python3
"""Hostile packets for tests/netns/hostile_input.sh: malformed IKEv2 on UDP 500/4500 and
malformed, forged and replayed ESP (IP protocol 50), sent at a target address. Runs inside the
attacking network namespace; prints how many datagrams each batch sent.

  hostile_packets.py ike-malformed DST [--src ADDR]  header/length/payload-chain/SA abuse
  hostile_packets.py ike-junk DST [--src ADDR]        random bytes and random IKE-shaped junk
  hostile_packets.py ike-spi DST SPI_I SPI_R          valid IKE SPIs, bad integrity, odd IDs
  hostile_packets.py esp DST SPI                      ESP: valid SPI bad ICV, short, unknown SPI
  hostile_packets.py replay PCAP SRC DST ike|esp      resend what SRC sent DST in a capture

Only documentation addresses are ever used (the shell test passes them)."""
import os
import random
import socket
import struct
import sys

IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL = 34, 35, 36, 37
PL_SA, PL_KE, PL_IDI, PL_AUTH, PL_NONCE, PL_NOTIFY, PL_SK = 33, 34, 35, 39, 40, 41, 46
FLAG_I, FLAG_R = 0x08, 0x20

rng = random.Random(int(os.environ.get("HOSTILE_SEED", "7296")))


def hdr(spi_i, spi_r, np, xchg, flags, msgid, length):
    return spi_i + spi_r + struct.pack("!BBBBII", np, 0x20, xchg, flags, msgid, length)


def payload(np, body, critical=False, length=None):
    ln = 4 + len(body) if length is None else length
    return struct.pack("!BBH", np, 0x80 if critical else 0, ln & 0xFFFF) + body


def msg(xchg, chain, first, spi_i=None, spi_r=b"\0" * 8, flags=FLAG_I, msgid=0, length=None):
    spi_i = spi_i or rng.randbytes(8)
    ln = 28 + len(chain) if length is None else length
    return hdr(spi_i, spi_r, first, xchg, flags, msgid, ln & 0xFFFFFFFF) + chain


def transform(last, ttype, tid, keylen=None, length=None):
    attrs = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    ln = 8 + len(attrs) if length is None else length
    return struct.pack("!BBHBBH", 0 if last else 3, 0, ln, ttype, 0, tid) + attrs


def proposal(last, num, xforms, n_xf=None, spi=b"", proto=1, length=None):
    body = b"".join(xforms)
    ln = 8 + len(spi) + len(body) if length is None else length
    cnt = len(xforms) if n_xf is None else n_xf
    return struct.pack("!BBHBBBB", 0 if last else 2, 0, ln & 0xFFFF, num, proto, len(spi),
                       cnt & 0xFF) + spi + body


def good_xforms():
    return [transform(False, 1, 12, 256), transform(False, 2, 5), transform(False, 3, 12),
            transform(True, 4, 20)]


def sa_init(sa_body=None, ke=None, nonce=None, extra=b"", extra_first=None, src_spi=None):
    """A well-formed IKE_SA_INIT (AES-CBC-256, SHA-256, group 20) unless parts are replaced."""
    sa_body = sa_body if sa_body is not None else proposal(True, 1, good_xforms())
    ke = ke if ke is not None else struct.pack("!HH", 20, 0) + rng.randbytes(96)
    nonce = nonce if nonce is not None else rng.randbytes(32)
    nxt_after_nonce = extra_first if extra else 0
    chain = payload(PL_KE, sa_body) + payload(PL_NONCE, ke) + payload(nxt_after_nonce, nonce)
    return msg(IKE_SA_INIT, chain + extra, PL_SA, spi_i=src_spi)


class Sender:
    def __init__(self, dst, src=None):
        self.dst, self.src, self.n = dst, src, 0
        self.socks = {}

    def udp(self, port, data, marker=False):
        s = self.socks.get(port)
        if s is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            # Not 500/4500: the namespace's own daemon holds those.
            s.bind((self.src or "0.0.0.0", 0))
            self.socks[port] = s
        try:
            s.sendto((b"\0\0\0\0" if marker else b"") + data, (self.dst, port))
            self.n += 1
        except OSError:
            pass  # e.g. EMSGSIZE: not sent, not counted

    def both(self, data):
        """To UDP 500, and to 4500 behind the non-ESP marker."""
        self.udp(500, data)
        self.udp(4500, data, marker=True)

    def esp(self, data):
        s = self.socks.get("esp")
        if s is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
            self.socks["esp"] = s
        try:
            s.sendto(data, (self.dst, 0))
            self.n += 1
        except OSError:
            pass


def ike_malformed(s):
    base = sa_init()
    for cut in range(0, 28):  # truncated headers
        s.both(base[:cut])
    for ln in (0, 1, 27, 28, 29, len(base) - 1, len(base) + 1, 65535, 0xFFFFFFFF):
        s.both(base[:24] + struct.pack("!I", ln) + base[28:])  # header length lies
    s.both(bytes([base[i] if i != 17 else 0x30 for i in range(len(base))]))  # IKE version 3
    s.both(base[:18] + b"\x63" + base[19:])  # unknown exchange type
    for pl_len in (0, 1, 3, 4, 5, 0xFFFF):  # first payload's length: 0 would never advance
        s.both(base[:30] + struct.pack("!H", pl_len) + base[32:])
    # a chain of 2000 empty Notify-typed payloads (more than any sane parser keeps)
    chain = b"".join(payload(PL_NOTIFY if i < 1999 else 0, b"") for i in range(2000))
    s.both(msg(IKE_SA_INIT, chain, PL_NOTIFY))
    # a chain that "points back": every payload says the next one is an SA again
    chain = b"".join(payload(PL_SA, b"\0" * 4) for _ in range(500))
    s.both(msg(IKE_SA_INIT, chain, PL_SA))
    # unknown payload types, critical and not, in the middle of a good IKE_SA_INIT
    for t in (1, 13, 49, 55, 128, 200, 255):
        s.both(sa_init(extra=payload(0, b"x" * 16, critical=True), extra_first=t))
        s.both(sa_init(extra=payload(0, b"x" * 16, critical=False), extra_first=t))
    # huge SA and transform counts, lying counts and lengths
    s.both(sa_init(sa_body=proposal(True, 1, good_xforms(), n_xf=255)))
    s.both(sa_init(sa_body=proposal(True, 1, good_xforms(), n_xf=0)))
    many = [transform(i == 1999, 1 + i % 4, i % 40, 256 if i % 4 == 0 else None)
            for i in range(2000)]
    s.both(sa_init(sa_body=proposal(True, 1, many[:1200], n_xf=255)))
    props = b"".join(proposal(i == 254, (i + 1) & 0xFF, good_xforms()) for i in range(255))
    s.both(sa_init(sa_body=props))
    props = b"".join(proposal(False, 1, good_xforms()) for _ in range(300))  # never "last"
    s.both(sa_init(sa_body=props))
    s.both(sa_init(sa_body=proposal(True, 1, good_xforms(), length=0xFFFF)))
    s.both(sa_init(sa_body=proposal(True, 1, good_xforms(), length=3)))
    s.both(sa_init(sa_body=proposal(True, 1, [transform(True, 1, 12, 256, length=0)])))
    s.both(sa_init(sa_body=proposal(True, 1, [transform(True, 1, 12, 256, length=0xFFFF)])))
    s.both(sa_init(sa_body=proposal(True, 1, good_xforms(), spi=b"\xff" * 255)))
    s.both(sa_init(sa_body=proposal(True, 1, [transform(True, 1, 12) + struct.pack("!HH", 14, 60000)])))
    s.both(sa_init(sa_body=b""))
    # KE abuse: wrong group, empty, not a point, oversized; nonce too short / too long
    for ke in (b"", struct.pack("!HH", 20, 0), struct.pack("!HH", 19, 0) + rng.randbytes(64),
               struct.pack("!HH", 20, 0) + b"\0" * 96, struct.pack("!HH", 20, 0) + b"\xff" * 96,
               struct.pack("!HH", 999, 0) + rng.randbytes(512),
               struct.pack("!HH", 20, 0) + rng.randbytes(60000)):
        s.both(sa_init(ke=ke))
    for nonce in (b"", b"n" * 15, b"n" * 257, rng.randbytes(4000)):
        s.both(sa_init(nonce=nonce))
    # a Notify whose SPI size lies; a COOKIE of 0 and of 65000 bytes
    for note in (struct.pack("!BBH", 1, 255, 16390) + b"\0" * 8,
                 struct.pack("!BBH", 0, 0, 16390),
                 struct.pack("!BBH", 0, 0, 16390) + b"c" * 65000):
        s.both(sa_init(extra=payload(0, note), extra_first=PL_NOTIFY))
    # exchanges that need an SA, sent without one; a response nobody asked for
    for xchg in (IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL):
        sk = payload(0, rng.randbytes(80))
        s.both(msg(xchg, sk, PL_SK, spi_r=rng.randbytes(8), msgid=1))
    s.both(msg(IKE_SA_INIT, b"", 0, flags=FLAG_R, spi_r=rng.randbytes(8)))
    # a good IKE_SA_INIT (the responder does a DH and keeps a half-open SA)
    for _ in range(20):
        s.both(sa_init())


def ike_junk(s):
    for _ in range(600):
        s.both(rng.randbytes(rng.choice((1, 8, 27, 28, 29, 60, 200, 500, 1400))))
    for _ in range(600):  # IKE-shaped: plausible header, random chain
        body = rng.randbytes(rng.randrange(0, 600))
        m = msg(rng.choice((IKE_SA_INIT, IKE_AUTH, INFORMATIONAL, CREATE_CHILD_SA)), body,
                rng.choice((PL_SA, PL_KE, PL_NOTIFY, PL_SK, PL_IDI, rng.randrange(256))),
                spi_r=rng.choice((b"\0" * 8, rng.randbytes(8))), msgid=rng.randrange(4))
        s.both(m)


def ike_spi(s, spi_i, spi_r):
    """Messages on the live IKE SA (both SPI orders: one is the real one) that cannot pass
    the integrity check, plus message IDs outside the window."""
    for a, b in ((spi_i, spi_r), (spi_r, spi_i)):
        for mid in (0, 1, 2, 3, 5, 100, 0x7FFFFFFF, 0xFFFFFFFF):
            for flags in (FLAG_I, 0, FLAG_R, FLAG_I | FLAG_R):
                for size in (0, 8, 15, 16, 48, 97, 300):
                    sk = payload(0, rng.randbytes(size))
                    s.both(msg(INFORMATIONAL, sk, PL_SK, spi_i=a, spi_r=b, flags=flags,
                               msgid=mid))
            s.both(msg(CREATE_CHILD_SA, payload(0, rng.randbytes(200)), PL_SK, spi_i=a,
                       spi_r=b, msgid=mid))
            # SK payload whose length runs past the datagram, and an unencrypted payload
            s.both(msg(INFORMATIONAL, payload(0, rng.randbytes(40), length=2000), PL_SK,
                       spi_i=a, spi_r=b, msgid=mid))
            s.both(msg(INFORMATIONAL, payload(0, struct.pack("!BBH", 1, 4, 1) + b"\0" * 4),
                       PL_NOTIFY, spi_i=a, spi_r=b, msgid=mid))


def esp(s, spi):
    for _ in range(200):  # valid SPI, random body: ICV check fails
        s.esp(struct.pack("!II", spi, rng.randrange(1, 1 << 32)) +
              rng.randbytes(rng.choice((16, 32, 48, 64, 80, 96, 112, 200, 1000, 1400))))
    for n in range(0, 40):  # short and unaligned
        s.esp(struct.pack("!II", spi, 1)[: min(n, 8)] + rng.randbytes(max(0, n - 8)))
    for seq in (0, 0xFFFFFFFF):
        s.esp(struct.pack("!II", spi, seq) + rng.randbytes(96))
    for _ in range(200):  # unknown SPIs
        s.esp(struct.pack("!II", rng.randrange(1, 1 << 32), 1) + rng.randbytes(96))
    s.esp(struct.pack("!II", 0, 1) + rng.randbytes(96))  # SPI 0 (reserved)
    for _ in range(100):  # the same on UDP 4500 (RFC 3948: ESP where no marker is)
        s.udp(4500, struct.pack("!II", spi, rng.randrange(1, 1 << 32)) + rng.randbytes(96))
    s.udp(4500, b"\xff")  # NAT keepalive
    for n in range(1, 12):
        s.udp(4500, rng.randbytes(n))


def pcap_packets(path):
    """(src, dst, proto, sport, dport, payload) of every IPv4 frame in an Ethernet pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:
            if len(frame) < 14 or frame[12:14] != b"\x08\x00":
                continue
            ip = frame[14:]
        elif linktype == 113:  # Linux cooked
            if len(frame) < 16 or frame[14:16] != b"\x08\x00":
                continue
            ip = frame[16:]
        else:
            continue
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        proto, src, dst = ip[9], socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        body = ip[ihl:tot]
        if proto == 17 and len(body) >= 8:
            sp, dp = struct.unpack("!HH", body[:4])
            yield src, dst, proto, sp, dp, body[8:]
        elif proto == 50:
            yield src, dst, proto, 0, 0, body


def replay(path, src, dst, kind):
    s = Sender(dst)
    for psrc, pdst, proto, _, dport, body in pcap_packets(path):
        if psrc != src or pdst != dst:
            continue
        if kind == "ike" and proto == 17 and dport in (500, 4500):
            if dport == 4500 and body[:4] != b"\0\0\0\0":
                continue  # ESP in UDP, not IKE
            for _ in range(3):
                s.udp(dport, body)
        elif kind == "esp" and proto == 50:
            for _ in range(2):
                s.esp(body)
    return s.n


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, dst = argv[1], argv[2]
    src = None
    if "--src" in argv:
        src = argv[argv.index("--src") + 1]
    s = Sender(dst, src)
    if cmd == "ike-malformed":
        ike_malformed(s)
    elif cmd == "ike-junk":
        ike_junk(s)
    elif cmd == "ike-spi":
        ike_spi(s, bytes.fromhex(argv[3]), bytes.fromhex(argv[4]))
    elif cmd == "esp":
        esp(s, int(argv[3], 16))
    elif cmd == "replay":
        n = replay(argv[2], argv[3], argv[4], argv[5])
        print(f"{cmd}: sent {n}")
        return 0 if n > 0 else 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{cmd}: sent {s.n}")
    return 0 if s.n > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
