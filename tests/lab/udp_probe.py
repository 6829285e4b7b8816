#!/usr/bin/env python3
"""UDP probes for the NAT lab, from one socket whose local port is fixed.

  udp_probe.py stun [--local-port P] [--timeout S] HOST PORT [HOST PORT ...]
      Sends a STUN Binding request (RFC 8489) to each server from the same socket and prints
      "HOST PORT mapped IP PORT" (or "HOST PORT none"); exit 0 when every server answered.
  udp_probe.py punch --local-port P --peer HOST PORT [--seconds S]
      Sends a datagram to the peer every 50 ms for S seconds and counts what comes back from
      it; prints "sent N received M"; exit 0 when at least one datagram arrived.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

MAGIC = 0x2112A442


def make_socket(host, local_port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", local_port))
    return sock


def parse_mapped(data, tid):
    if len(data) < 20:
        return None
    kind, length, magic = struct.unpack("!HHI", data[:8])
    if kind != 0x0101 or magic != MAGIC or data[8:20] != tid:
        return None
    pos, end = 20, min(len(data), 20 + length)
    while pos + 4 <= end:
        atype, alen = struct.unpack("!HH", data[pos:pos + 4])
        value = data[pos + 4:pos + 4 + alen]
        if atype in (0x0020, 0x0001) and len(value) >= 8:
            fam, port = value[1], struct.unpack("!H", value[2:4])[0]
            raw = value[4:8] if fam == 1 else value[4:20]
            if atype == 0x0020:
                port ^= MAGIC >> 16
                key = struct.pack("!I", MAGIC) + tid
                raw = bytes(b ^ key[i] for i, b in enumerate(raw))
            addr = socket.inet_ntop(socket.AF_INET if fam == 1 else socket.AF_INET6, raw)
            return addr, port
        pos += 4 + ((alen + 3) & ~3)
    return None


def stun(args):
    servers = list(zip(args.servers[0::2], (int(p) for p in args.servers[1::2])))
    sock = make_socket(servers[0][0], args.local_port)
    ok = True
    for host, port in servers:
        tid = os.urandom(12)
        request = struct.pack("!HHI", 0x0001, 0, MAGIC) + tid
        answer = None
        deadline = time.monotonic() + args.timeout
        wait = 0.2
        while answer is None and time.monotonic() < deadline:
            sock.sendto(request, (host, port))
            until = min(deadline, time.monotonic() + wait)
            while answer is None and time.monotonic() < until:
                ready, _, _ = select.select([sock], [], [], max(0.0, until - time.monotonic()))
                if ready:
                    data, _ = sock.recvfrom(2048)
                    answer = parse_mapped(data, tid)
            wait = min(wait * 2, 1.0)
        if answer:
            print(f"{host} {port} mapped {answer[0]} {answer[1]}")
        else:
            print(f"{host} {port} none")
            ok = False
    return 0 if ok else 1


def punch(args):
    peer = (args.peer[0], int(args.peer[1]))
    sock = make_socket(peer[0], args.local_port)
    sent = received = 0
    end = time.monotonic() + args.seconds
    next_send = 0.0
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_send:
            sock.sendto(f"sala-lab punch {sent}".encode(), peer)
            sent += 1
            next_send = now + 0.05
        ready, _, _ = select.select([sock], [], [], max(0.0, min(next_send, end) - time.monotonic()))
        if ready:
            data, source = sock.recvfrom(2048)
            if source[0] == peer[0] and data.startswith(b"sala-lab punch"):
                received += 1
    print(f"sent {sent} received {received}")
    return 0 if received else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("stun")
    s.add_argument("--local-port", type=int, default=0)
    s.add_argument("--timeout", type=float, default=3.0)
    s.add_argument("servers", nargs="+", metavar="HOST PORT")
    p = sub.add_parser("punch")
    p.add_argument("--local-port", type=int, required=True)
    p.add_argument("--peer", nargs=2, metavar=("HOST", "PORT"), required=True)
    p.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if args.command == "stun":
        if len(args.servers) % 2:
            parser.error("stun takes HOST PORT pairs")
        return stun(args)
    return punch(args)


if __name__ == "__main__":
    sys.exit(main())
