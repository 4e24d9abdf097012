"""JSON-LD processing that never reaches the network.

A frozen document loader (pyld's) serves only the contexts Laurel ships: pyld's bundled W3C ones
(VC 2.0 among them) and, from `contexts/`, Open Badges 3.0.3 and the W3C examples context. Any
other URL is refused, so a credential cannot make Laurel fetch something at verification time.
"""

from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.documentloader.frozen import BUNDLED_CONTEXTS, FrozenDocumentLoader

CONTEXTS_DIR = Path(__file__).parent / "contexts"
OPEN_BADGES_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SHIPPED_CONTEXTS = {
    OPEN_BADGES_CONTEXT: CONTEXTS_DIR / "ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/credentials/examples/v2": CONTEXTS_DIR
    / "credentials-examples-v2.jsonld",
}


@cache
def document_loader() -> FrozenDocumentLoader:
    return FrozenDocumentLoader(documents={**BUNDLED_CONTEXTS, **SHIPPED_CONTEXTS})


def canonize(document: dict[str, Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) to N-Quads."""
    result = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader(),
        },
    )
    return str(result)
