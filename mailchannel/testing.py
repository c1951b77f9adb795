"""A throw-away dovecot IMAP server for tests, CI and the bench (not used in production).

Debian's dovecot-imapd, started as a non-system instance: its own configuration, runtime
and mail folders under one directory, plain IMAP on 127.0.0.1:<port>, and one user from
a passwd-file. ``python3 mailchannel/testing.py DIR PORT`` writes one's configuration
(.ci/run starts it). ``start(..., tls=True)`` starts one that speaks only IMAP over TLS
(``ssl = required``, port ``PORT`` is IMAPS) with a self-signed certificate for 127.0.0.1
made by ``openssl req -x509`` (its PEM is ``Server.certificate``).
"""

import grp
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

USER = "soporte@example.com"
PASSWORD = "imap-test-password"  # noqa: S105 (a throw-away test server's password)

CONFIG = """\
protocols = imap
listen = 127.0.0.1, 127.0.0.2
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests log in with a wrong password on purpose, from 127.0.0.2 so that dovecot's growing
# penalty for that address never slows the other tests' logins from 127.0.0.1.
login_trusted_networks = 127.0.0.0/8
auth_failure_delay = 0
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1, 127.0.0.2
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1, 127.0.0.2
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
"""


def available() -> str | None:
    """The dovecot binary, or None when dovecot-imapd is not installed."""
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )


@dataclass
class Server:
    root: Path
    port: int
    process: subprocess.Popen
    user: str = USER
    password: str = PASSWORD
    certificate: str = ""  # the self-signed certificate's PEM (a TLS server)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def make_certificate(root: Path) -> tuple[Path, Path]:
    """A self-signed certificate (and its key) for 127.0.0.1 and localhost, under ``root``."""
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [  # noqa: S607 (openssl from PATH)
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o644)  # dovecot reads it as root before dropping privileges; a test key
    return cert, key


def write_config(root: Path, port: int, *, tls: bool = False) -> Path:
    """The configuration, passwd-file and folders of an instance under ``root`` (with
    ``tls``: IMAPS only on ``port``, with a self-signed certificate)."""
    root = Path(root)
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    uid, gid = os.getuid(), os.getgid()
    user = pwd.getpwuid(uid).pw_name
    group = grp.getgrgid(gid).gr_name
    login_user = user
    if uid == 0:  # dovecot never runs its login or mail processes as root (CI is root)
        login_user, user, group = "dovenull", "dovecot", "dovecot"
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        root.chmod(0o755)
        for parent in root.parents:  # pytest's tmp folders are private to root
            if parent == Path("/tmp") or parent == parent.parent:  # noqa: S108
                break
            parent.chmod(parent.stat().st_mode | 0o005)
        for folder in ("mail", "home"):
            os.chown(root / folder, uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config = root / "dovecot.conf"
    if tls:
        cert, key = make_certificate(root)
        ssl = f"ssl = required\nssl_cert = <{cert}\nssl_key = <{key}"
    else:
        ssl = "ssl = no"
    config.write_text(
        CONFIG.format(
            root=root,
            imap_port=0 if tls else port,
            imaps_port=port if tls else 0,
            ssl=ssl,
            uid=uid,
            gid=gid,
            user=user,
            group=group,
            login_user=login_user,
        )
    )
    return config


def answers(port: int, *, tls: bool = False) -> bool:
    """Whether an IMAP server greets on 127.0.0.1:``port`` (over TLS, not verified: this
    only waits for the server to start)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            if tls:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                with context.wrap_socket(sock) as wrapped:
                    return wrapped.recv(100).startswith(b"* OK")
            return sock.recv(100).startswith(b"* OK")
    except OSError:
        return False


def start(root: Path, port: int, *, timeout: float = 20.0, tls: bool = False) -> Server:
    """Write the configuration under ``root`` and start dovecot on ``port`` (``tls``: IMAPS
    only); waits until it accepts connections. Raises RuntimeError (with dovecot's log)
    when it does not."""
    binary = available()
    if binary is None:
        raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(root)
    config = write_config(root, port, tls=tls)
    process = subprocess.Popen(  # noqa: S603 (our own binary and configuration)
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if answers(port, tls=tls):
            certificate = (root / "cert.pem").read_text() if tls else ""
            return Server(root=root, port=port, process=process, certificate=certificate)
        time.sleep(0.2)
    process.kill()
    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    raise RuntimeError(f"dovecot did not start on port {port}: {stderr}\n{log}")


if __name__ == "__main__":
    # CI: ``python3 mailchannel/testing.py ROOT PORT`` writes the configuration and prints
    # its path; ``dovecot -c <path>`` then runs it as a daemon.
    print(write_config(Path(sys.argv[1]), int(sys.argv[2])))  # noqa: T201
