"""Signing throughput, single process: raw Ed25519, and OB 3.0 credentials in each cryptosuite."""

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from laurel.config import Settings
from laurel.credentials.schemas import CredentialView
from laurel.dataintegrity.proofs import Cryptosuite, Ed25519Multikey, sign, verify
from laurel.issuers.service import SigningIdentity
from laurel.vc.service import build_credential


def _rate(work: Callable[[], object], seconds: float = 2.0) -> float:
    work()
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        work()
        done += 1
    return done / elapsed


def measure() -> dict[str, float]:
    key = Ed25519Multikey.generate()
    assert key.private_key is not None
    private = key.private_key
    now = datetime.now(UTC)
    view = CredentialView(
        "01hz2ej4yzdcfkq9fa78nhyj0x", "5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11",
        "01g90279gp5sbmfek7wymcsvec", "Financial Markets", "issued", "01hz2ej4yzdcfkq9fa78nhyj0y",
        "Ada Lovelace", "ada@example.org", date(2026, 1, 5), date(2029, 1, 5), {}, now, now,
    )  # fmt: skip
    identity = SigningIdentity(
        key.did_key, f"{key.did_key}#{key.public_multibase}", key, "eddsa-rdfc-2022",
        {"id": key.did_key, "type": ["Profile"], "name": "Acme Academy"},
    )  # fmt: skip
    document = build_credential(view, identity, Settings(), ("01hz2ej4yzdcfkq9fa78nhyj0z", 4242))

    def signed(suite: Cryptosuite) -> dict[str, Any]:
        return sign(document, key, verification_method=identity.verification_method,
                    created="2026-11-23T00:00:00Z", cryptosuite=suite)  # fmt: skip

    rdfc = signed("eddsa-rdfc-2022")
    return {
        "raw Ed25519 signatures": _rate(lambda: private.sign(b"x" * 64)),
        "eddsa-jcs-2022 credentials signed": _rate(lambda: signed("eddsa-jcs-2022")),
        "eddsa-rdfc-2022 credentials signed": _rate(lambda: signed("eddsa-rdfc-2022")),
        "eddsa-rdfc-2022 credentials verified": _rate(lambda: verify(rdfc, key)),
    }


def report(rates: dict[str, float]) -> str:
    lines = ["### Signing (one process, one core)", "", "| operation | per second |", "|---|---:|"]
    lines += [f"| {name} | {rate:,.0f} |" for name, rate in rates.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report(measure()))
