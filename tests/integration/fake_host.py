#!/usr/bin/env python3
"""A misbehaving "Supabase" on 127.0.0.1 for the push's integration tests
(issue 11, defects 1, 7 and 15). Prints its base URL as the first line of
stdout, serves until --max-seconds, then exits by itself.

  fake_host.py html   STATS   every request: 200 and an nginx welcome page
  fake_host.py silent STATS   accepts, reads, never answers
  fake_host.py flood  STATS   200, then --flood-bytes of garbage without a
                              Content-Length (until the client hangs up)

STATS (a file, rewritten after each event) holds JSON:
{"connections": n, "requests": n, "bytes_sent": n, "most_sent": n};
bytes_sent counts the body bytes the kernel accepted before the client went
away, most_sent the most of them on one connection.
"""
import argparse
import json
import os
import socket
import socketserver
import threading
import time

NGINX = (b"<html>\r\n<head><title>Welcome to nginx!</title></head>\r\n<body>\r\n"
         b"<center><h1>Welcome to nginx!</h1></center>\r\n</body>\r\n</html>\r\n")
lock = threading.Lock()
stats = {"connections": 0, "requests": 0, "bytes_sent": 0, "most_sent": 0}


def bump(args, key, n=1, most=0):
    with lock:
        stats[key] += n
        stats["most_sent"] = max(stats["most_sent"], most)
        with open(args.stats + ".tmp", "w") as f:
            json.dump(stats, f)
        # rename: a reader never sees half a file
        os.replace(args.stats + ".tmp", args.stats)


def read_request(sock, buf):
    """Reads one request (headers and Content-Length body); returns the
    remaining bytes, or None when the client closed."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            return None
        rest += data
    return rest[length:]


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        args = self.server.args
        sock = self.request
        sock.settimeout(args.max_seconds)
        bump(args, "connections")
        buf = b""
        try:
            while True:
                buf = read_request(sock, buf)
                if buf is None:
                    return
                bump(args, "requests")
                if args.mode == "silent":
                    continue  # read the next one, if ever; never answer
                if args.mode == "html":
                    sock.sendall(b"HTTP/1.1 200 OK\r\nServer: nginx\r\n"
                                 b"Content-Type: text/html\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(NGINX) + NGINX)
                    continue
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Connection: close\r\n\r\n")
                chunk = bytes(range(256)) * 256  # 64 KiB of garbage
                left = args.flood_bytes
                while left > 0:
                    n = sock.send(chunk[:min(left, len(chunk))])
                    left -= n
                    bump(args, "bytes_sent", n, args.flood_bytes - left)
                return
        except OSError:
            return


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["html", "silent", "flood"])
    p.add_argument("stats")
    p.add_argument("--max-seconds", type=float, default=300)
    p.add_argument("--flood-bytes", type=int, default=100 * 1024 * 1024)
    args = p.parse_args()
    with open(args.stats, "w") as f:
        json.dump(stats, f)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.args = args
    print("http://127.0.0.1:%d" % srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(args.max_seconds)
    srv.shutdown()


if __name__ == "__main__":
    main()
