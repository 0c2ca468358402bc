"""Free loopback ports for servers started by the dev stack and the tests.

A port the kernel hands out with bind(0) lies in the ephemeral range, from which every outgoing
connection also takes its local port. Between choosing a port and the server binding it (`make run`
takes ~30 s to reach its web server), a client connection to slapd, Redis or PostgreSQL can take the same
port, and the server then fails with "address already in use" (a CI run lost `make run` that way). So
ports are drawn below the ephemeral range, where no outgoing connection ever lands."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_FLOOR = 20000


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port(host: str = "127.0.0.1") -> int:
    top = _ephemeral_floor() - 1
    if top > _FLOOR:
        for _ in range(200):
            port = random.randint(_FLOOR, top)
            with socket.socket() as s:
                try:
                    s.bind((host, port))
                except OSError:
                    continue
                return port
    with socket.socket() as s:  # a range we cannot read or use: the kernel's choice
        s.bind((host, 0))
        return s.getsockname()[1]
