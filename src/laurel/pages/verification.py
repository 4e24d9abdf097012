"""The verifier's checks (vc/verify.py), said in plain language for people.

`verify_credential` answers shape, issuer (whose key signed it), proof, validity and revocation;
each becomes a sentence, with the verifier's own words kept as the technical detail.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from laurel.pages.templating import long_date
from laurel.vc.verify import Check, Outcome

TITLES = {
    "proof": "Signature",
    "issuer": "Issuer",
    "validity": "Validity dates",
    "revocation": "Revocation",
    "shape": "Format",
}


@dataclass(frozen=True)
class Explained:
    key: str
    title: str
    outcome: Outcome
    summary: str
    detail: str


def issuer_name(document: Any) -> str:
    issuer = document.get("issuer") if isinstance(document, dict) else None
    if isinstance(issuer, dict):
        return str(issuer.get("name") or issuer.get("id") or "an unnamed issuer")
    return str(issuer) if issuer else "an unnamed issuer"


def explain(checks: list[Check], document: Any) -> list[Explained]:
    """Each check with a sentence anyone can read, proof first, the format last."""
    by_name = {check.name: check for check in checks}
    issuer = issuer_name(document)
    explained: list[Explained] = []
    if (proof := by_name.get("proof")) is not None:
        explained.append(_explain_proof(proof, issuer))
    if (issuer_check := by_name.get("issuer")) is not None:
        explained.append(_explain_issuer(issuer_check, issuer, document))
    if (validity := by_name.get("validity")) is not None:
        explained.append(_explain_validity(validity, document))
    if (revocation := by_name.get("revocation")) is not None:
        explained.append(_explain_revocation(revocation, issuer))
    if (shape := by_name.get("shape")) is not None:
        summary = (
            "It is an Open Badges 3.0 verifiable credential."
            if shape.outcome == "passed"
            else "It is not an Open Badges 3.0 credential this page can check."
        )
        explained.append(_row("shape", shape.outcome, summary, shape.detail))
    return explained


def verified(checks: list[Check]) -> bool:
    return bool(checks) and all(check.outcome != "failed" for check in checks)


def _row(key: str, outcome: Outcome, summary: str, detail: str) -> Explained:
    return Explained(key, TITLES[key], outcome, summary, detail)


def _explain_proof(proof: Check, issuer: str) -> Explained:
    summaries = {
        "passed": f"The digital signature is valid: nothing has changed since {issuer} signed it.",
        "failed": "The digital signature does not match: the credential was changed after it "
        "was signed.",
        "skipped": "The signature could not be checked without the issuer's key.",
    }
    return _row("proof", proof.outcome, summaries[proof.outcome], proof.detail)


def _explain_issuer(check: Check, issuer: str, document: Any) -> Explained:
    raw = document.get("issuer") if isinstance(document, dict) else None
    identifier = str(raw.get("id", "")) if isinstance(raw, dict) else str(raw or "")
    if check.outcome == "passed":
        summary = f"Issued by {issuer}; the signing key is theirs."
        return _row("issuer", "passed", summary, identifier)
    summary = f"The signing key could not be confirmed as {issuer}'s."
    return _row("issuer", check.outcome, summary, check.detail)


def _day(value: Any) -> str:
    """`2027-03-01T23:59:59Z` as people write dates: 1 March 2027 (as given, when unreadable)."""
    try:
        return long_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _explain_validity(validity: Check, document: Any) -> Explained:
    raw = document.get("validUntil") if isinstance(document, dict) else None
    until = _day(raw) if raw else ""
    if validity.outcome == "passed":
        summary = (
            f"It is within its validity period (valid until {until})."
            if until
            else "It is valid and does not expire."
        )
    elif validity.detail.startswith("expired"):
        summary = f"It expired on {until}." if until else "It has expired."
    elif validity.detail.startswith("not valid before"):
        summary = "It is not valid yet."
    else:
        summary = "Its validity dates are missing or unreadable."
    return _row("validity", validity.outcome, summary, validity.detail)


def _explain_revocation(revocation: Check, issuer: str) -> Explained:
    summaries = {
        "passed": f"{issuer} has not revoked it.",
        "failed": (
            f"{issuer} has revoked it."
            if "revoked" in revocation.detail
            else "Its revocation status could not be read."
        ),
        "skipped": "Its revocation status was not checked.",
    }
    return _row("revocation", revocation.outcome, summaries[revocation.outcome], revocation.detail)
