"""RDFC-1.0 canonicalization that skips JSON-LD processing for shapes it has seen.

pyld spends ~3 ms turning one Open Badges credential into RDF (expansion through the contexts,
then toRDF), and ~0.3 ms canonicalizing the result. Credentials Laurel issues share a few shapes
and differ only in their string values, so the RDF of a shape is computed once with numbered
placeholders in place of the strings, kept, and filled with each document's values; only the
canonicalization (pyld's own URDNA2015) runs per document.

A string is a placeholder only when it comes out of toRDF whole, as a literal or as an IRI in an
`id` position; any other use (a vocabulary term expanded through the context, say) keeps that value
in the shape instead. An IRI value must be absolute for the substitution to be exact; otherwise, or
for any shape that cannot be made into a template, `canonize` falls back to pyld end to end.
`tests/dataintegrity/test_fastcanon.py` checks the output equals pyld's over thousands of generated
credentials.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

from laurel.dataintegrity.jsonld import canonize as pyld_canonize
from laurel.dataintegrity.jsonld import document_loader

_SLOT = "urn:laurel-slot:{}"
_SLOT_PATTERN = re.compile(r"urn:laurel-slot:(\d+)")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_KEPT_KEYS = {"@context", "type", "@type"}
MAX_TEMPLATES = 256


@dataclass
class _Template:
    dataset: dict[str, list[Any]]
    # (graph, triple index, position) of every slot, and whether it stands as an IRI
    slots: dict[int, list[tuple[str, int, str]]]
    iri_slots: set[int]


@dataclass
class FastCanonicalizer:
    templates: dict[str, _Template | None] = field(default_factory=dict)
    # For each shape, the slot numbers whose values must stay in the shape (not placeholders).
    fixed: dict[str, frozenset[int]] = field(default_factory=dict)

    def canonize(self, document: dict[str, Any]) -> str:
        values: list[str] = []
        keys: list[str] = []
        shape = _parametrize(document, values, keys, frozenset())
        base_key = json.dumps(shape)
        fixed = self.fixed.get(base_key, frozenset())
        key = base_key
        if fixed:
            values, keys = [], []
            shape = _parametrize(document, values, keys, fixed)
            key = json.dumps(shape)
        if key not in self.templates:
            if len(self.templates) >= MAX_TEMPLATES:
                self.templates.clear()
                self.fixed.clear()
            template, unusable = _template(shape, keys, fixed)
            if unusable:
                self.fixed[base_key] = fixed | unusable
                return self.canonize(document)
            self.templates[key] = template
        template = self.templates[key]
        if template is None or any(
            not _ABSOLUTE_IRI.match(values[slot]) for slot in template.iri_slots
        ):
            return pyld_canonize(document)
        dataset = _fill(template, values)
        return str(URDNA2015().main(dataset, {"format": "application/n-quads"}))


def _parametrize(
    value: Any, values: list[str], keys: list[str], fixed: frozenset[int], key: str = ""
) -> Any:
    """The document with its strings numbered in order (but those in `fixed` kept as they are)."""
    if isinstance(value, dict):
        return {k: _parametrize(v, values, keys, fixed, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_parametrize(item, values, keys, fixed, key) for item in value]
    if isinstance(value, str) and key not in _KEPT_KEYS:
        slot = len(values)
        values.append(value)
        keys.append(key)
        return value if slot in fixed else _SLOT.format(slot)
    return value


def _terms(dataset: dict[str, list[Any]]) -> Iterator[tuple[str, int, str, dict[str, Any]]]:
    for graph, triples in dataset.items():
        for index, triple in enumerate(triples):
            for position in ("subject", "predicate", "object"):
                yield graph, index, position, triple[position]


def _template(
    shape: Any, keys: list[str], fixed: frozenset[int]
) -> tuple[_Template | None, frozenset[int]]:
    """The shape's RDF with slots located, or the slots that cannot be placeholders."""
    try:
        dataset = jsonld.to_rdf(
            shape, {"documentLoader": document_loader(), "produceGeneralizedRdf": False}
        )
    except jsonld.JsonLdError:
        return None, frozenset()
    slots: dict[int, list[tuple[str, int, str]]] = {}
    iri_slots: set[int] = set()
    unusable: set[int] = set()
    for graph, index, position, term in _terms(dataset):
        for match in _SLOT_PATTERN.finditer(term["value"]):
            slot = int(match.group(1))
            whole = match.group(0) == term["value"]
            # An IRI made from a value outside `id` came through the context (a vocabulary term
            # such as "assertionMethod"): it depends on the value, so the value joins the shape.
            through_context = term["type"] == "IRI" and keys[slot] not in ("id", "@id")
            if not whole or position == "predicate" or through_context:
                unusable.add(slot)
                continue
            slots.setdefault(slot, []).append((graph, index, position))
            if term["type"] == "IRI":
                iri_slots.add(slot)
        if term["type"] == "literal" and _SLOT_PATTERN.search(term.get("datatype", "")):
            unusable.update(int(m.group(1)) for m in _SLOT_PATTERN.finditer(term["datatype"]))
    if unusable:
        return None, frozenset(unusable)
    if any(slot not in slots and slot not in fixed for slot in range(len(keys))):
        # A value that toRDF dropped (an undefined term): only pyld knows what to do with it.
        return None, frozenset()
    return _Template(dataset, slots, iri_slots), frozenset()


def _fill(template: _Template, values: list[str]) -> dict[str, list[Any]]:
    # Terms are flat dicts of strings: copying each one is a full copy, and much cheaper than
    # copy.deepcopy's generic walk.
    dataset = {
        graph: [{position: dict(term) for position, term in triple.items()} for triple in triples]
        for graph, triples in template.dataset.items()
    }
    for slot, places in template.slots.items():
        for graph, index, position in places:
            dataset[graph][index][position]["value"] = values[slot]
    return dataset


_canonicalizer = FastCanonicalizer()


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 N-Quads of the document, through a kept template when its shape allows."""
    return _canonicalizer.canonize(document)
