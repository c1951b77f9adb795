"""A throw-away dovecot IMAP server for tests, CI and the bench (not used in production).

Debian's dovecot-imapd, started as a non-system instance: its own configuration, runtime
and mail folders under one directory, plain IMAP on 127.0.0.1:<port>, and one user from
a passwd-file. ``python3 mailchannel/testing.py DIR PORT`` writes one's configuration
(.ci/run starts it).
"""

import grp
import os
import pwd
import shutil
import socket
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
ssl = no
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
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def write_config(root: Path, port: int) -> Path:
    """The configuration, passwd-file and folders of an instance under ``root``."""
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
    config.write_text(
        CONFIG.format(
            root=root, port=port, uid=uid, gid=gid, user=user, group=group, login_user=login_user
        )
    )
    return config


def answers(port: int) -> bool:
    """Whether an IMAP server greets on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(100).startswith(b"* OK")
    except OSError:
        return False


def start(root: Path, port: int, *, timeout: float = 20.0) -> Server:
    """Write the configuration under ``root`` and start dovecot on ``port``; waits until it
    accepts connections. Raises RuntimeError (with dovecot's log) when it does not."""
    binary = available()
    if binary is None:
        raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(root)
    config = write_config(root, port)
    process = subprocess.Popen(  # noqa: S603 (our own binary and configuration)
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if answers(port):
            return Server(root=root, port=port, process=process)
        time.sleep(0.2)
    process.kill()
    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    raise RuntimeError(f"dovecot did not start on port {port}: {stderr}\n{log}")


if __name__ == "__main__":
    # CI: ``python3 mailchannel/testing.py ROOT PORT`` writes the configuration and prints
    # its path; ``dovecot -c <path>`` then runs it as a daemon.
    print(write_config(Path(sys.argv[1]), int(sys.argv[2])))  # noqa: T201
