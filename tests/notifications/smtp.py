"""A tiny SMTP server on a local socket: the mail backend talks real SMTP to it.

``mode``: ``accept`` (keeps the messages), ``reject`` (550 for every recipient),
``defer`` (451 for every recipient), ``busy`` (421 greeting), ``hang_up`` (closes at once),
``stall`` (takes the message's data and never answers: ``stalled`` is set meanwhile).
"""

import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server.owner
        if server.mode == "hang_up":
            return
        if server.mode == "busy":
            self.reply("421 4.3.2 Service not available, try again later")
            return
        self.reply("220 localhost test ESMTP")
        data, lines = False, []
        while line := self.rfile.readline():
            if data:
                if line in (b".\r\n", b".\n"):
                    server.messages.append(b"".join(lines))
                    data, lines = False, []
                    self.reply("250 2.0.0 OK queued")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.reply("250 localhost")
            elif command.startswith(b"RCPT TO"):
                self.reply(
                    {"reject": "550 5.1.1 No such user", "defer": "451 4.3.0 Try again later"}.get(
                        server.mode, "250 2.1.5 OK"
                    )
                )
            elif command.startswith((b"MAIL FROM", b"RSET", b"NOOP")):
                self.reply("250 2.0.0 OK")
            elif command == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = True
                if server.mode == "stall":
                    server.stalled.set()
                    while self.rfile.readline():  # until the client goes away
                        pass
                    return
            elif command == b"QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")


class LocalSMTPServer:
    def __init__(self, mode: str = "accept"):
        self.mode = mode
        self.messages: list[bytes] = []
        self.stalled = threading.Event()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.port = self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
