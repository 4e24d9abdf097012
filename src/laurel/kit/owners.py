"""Who owns a piece of work in progress, written on the work, and whether that owner is gone.

An owner is `hostname/machine/pid/nonce`, one per app (each process makes its own):
- `machine` names the process table `pid` belongs to: a digest of the kernel's boot id and the
  process's pid namespace (Linux). Two containers on one host, or two hosts with one name, have
  different ones. Where it cannot be read it is `-`, and pids are never compared;
- `nonce` tells two owners in one process apart (tests run several apps in one).

From another process, an owner is **known to be gone** only when it ran on this very machine and
its pid no longer exists (`os.kill(pid, 0)` raises ProcessLookupError). An owner elsewhere, or
whose pid exists (perhaps reused, or a zombie not yet reaped), is not known to be gone from
here: the work's lease decides then (laurel.idempotency).
"""

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

UNKNOWN_MACHINE = "-"


def _machine() -> str:
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return UNKNOWN_MACHINE
    return hashlib.sha256(f"{boot} {namespace}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Owner:
    hostname: str
    machine: str
    pid: int
    nonce: str

    @classmethod
    def new(cls) -> "Owner":
        """A new owner in this process."""
        hostname = socket.gethostname().replace("/", "-")[:64] or "unknown"
        return cls(hostname, _machine(), os.getpid(), uuid.uuid4().hex[:12])

    @classmethod
    def parse(cls, text: str) -> "Owner | None":
        parts = text.split("/")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), parts[3])

    def __str__(self) -> str:
        return f"{self.hostname}/{self.machine}/{self.pid}/{self.nonce}"

    def knows_gone(self, other: "Owner") -> bool:
        """Whether `other` is known, from here, to have ended: same machine, its pid no more."""
        if self.machine == UNKNOWN_MACHINE or other.machine != self.machine:
            return False
        if other.pid <= 0 or other.pid == self.pid:
            return False  # never signal a process group; this very process is not gone
        try:
            # Signal 0 only checks the pid exists. (Never reached on Windows, where os.kill
            # would end the process: the machine is unknown there.)
            os.kill(other.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # exists, under another user
        return False
