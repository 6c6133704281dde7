"""A listening TCP socket bound before the server starts, with errors that tell the fix.

    sock = listen_socket("127.0.0.1", 0, option="--webhook-listen")   # port 0: any free one
    sock.getsockname()[1]                                              # the real port

`serve` (the dashboard) and `run --webhook-listen` (the receiver) bind their own sockets so
that a busy port or a name that is not an address here fails with one clear line naming
the option to change, and a port 0 is known before anything is printed.
"""

from __future__ import annotations

import errno
import socket

from campaign.errors import InputError

_IN_USE = {errno.EADDRINUSE, 48}  # 48: EADDRINUSE on macOS


def listen_socket(
    host: str, port: int, *, option: str, port_option: str | None = None
) -> socket.socket:
    """Bind and listen on (host, port); `option` (and `port_option` where the port is an
    option of its own) are named in the errors."""
    where = f"{option} {host}" if port_option else f"{option} {host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise InputError(
            f"{option} {host}: not an address of this machine ({exc.strerror})"
        ) from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno in _IN_USE:
            other = f"{port_option} {port + 1}" if port_option else f"{option} {host}:{port + 1}"
            raise InputError(
                f"port {port} on {host} is in use; pass another one, e.g. {other}"
            ) from exc
        raise InputError(f"{where}: cannot listen ({exc.strerror})") from exc
    sock.listen(128)
    return sock
