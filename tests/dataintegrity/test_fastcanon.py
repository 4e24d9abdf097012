"""The template canonicalizer against pyld, the reference, over many generated credentials."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laurel.config import Settings
from laurel.credentials.schemas import CredentialView
from laurel.dataintegrity.fastcanon import FastCanonicalizer
from laurel.dataintegrity.jsonld import canonize as pyld_canonize
from laurel.dataintegrity.proofs import Ed25519Multikey, proof_configuration
from laurel.issuers.service import SigningIdentity, issuer_profile
from laurel.vc.service import build_credential

KEY = Ed25519Multikey.generate()
# Anything people type, including what N-Quads must escape: quotes, backslashes, newlines.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    min_size=1,
    max_size=40,
)
IRI = st.from_regex(r"https://[a-z]{1,12}\.example/[a-zA-Z0-9_\-/]{0,20}", fullmatch=True)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@dataclass(frozen=True)
class IssuerFields:
    """What `issuer_profile` reads of an organization."""

    name: str
    issuer_url: str | None
    issuer_email: str | None
    issuer_description: str | None
    issuer_image: str | None


@st.composite
def credentials(draw: st.DrawFn) -> dict[str, Any]:
    issue = draw(DATES)
    expiry = draw(st.one_of(st.none(), st.dates(min_value=issue, max_value=date(2099, 1, 1))))
    now = datetime.now(UTC)
    view = CredentialView(
        "01hz2ej4yzdcfkq9fa78nhyj0x", draw(st.uuids()).hex, "01g90279gp5sbmfek7wymcsvec",
        draw(TEXT), "issued", "01hz2ej4yzdcfkq9fa78nhyj0y", draw(TEXT),
        draw(st.one_of(st.none(), st.emails())), issue, expiry, {}, now, now,
    )  # fmt: skip
    did = draw(st.sampled_from([KEY.did_key, "did:web:laurel.example%3A8443:issuers:01abc"]))
    profile = issuer_profile(
        IssuerFields(
            name=draw(TEXT),
            issuer_url=draw(st.one_of(st.none(), IRI)),
            issuer_email=draw(st.one_of(st.none(), st.emails())),
            issuer_description=draw(st.one_of(st.none(), TEXT)),
            issuer_image=draw(st.one_of(st.none(), IRI)),
        ),
        did,
    )
    identity = SigningIdentity(did, f"{did}#k", KEY, "eddsa-rdfc-2022", profile)
    status = ("01hz2ej4yzdcfkq9fa78nhyj0z", draw(st.integers(0, 131_071)))
    public_url = draw(st.sampled_from(["https://laurel.example", "http://127.0.0.1:8000"]))
    return build_credential(view, identity, Settings(public_url=public_url), status)


FAST = FastCanonicalizer()


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials())
def test_fast_canonical_form_equals_pyld(document: dict[str, Any]) -> None:
    assert FAST.canonize(document) == pyld_canonize(document)


@settings(max_examples=300, deadline=None)
@given(credentials(), st.datetimes(timezones=st.just(UTC)))
def test_fast_proof_configuration_equals_pyld(document: dict[str, Any], created: datetime) -> None:
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": f"{KEY.did_key}#{KEY.public_multibase}",
        "proofPurpose": "assertionMethod",
    }
    config = proof_configuration(document, proof)
    assert FAST.canonize(config) == pyld_canonize(config)


def test_relative_iris_and_unknown_shapes_fall_back_to_pyld() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "relative/path",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:1",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:2"},
    }
    assert FAST.canonize(document) == pyld_canonize(document)
    undefined = {**document, "id": "urn:x", "notInTheContext": "dropped"}
    assert FAST.canonize(undefined) == pyld_canonize(undefined)
