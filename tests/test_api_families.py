"""Each API family answers in its own error format, whether or not a route was found."""

import httpx
import pytest
from fastapi import FastAPI

from laurel.kit.errors import ErrorFormat

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("path", "error_format"),
    [
        # Under a prefix the records API serves: problem details, though no route matches.
        (f"/v1/organizations/{UNKNOWN_UUID}/no-such-resource", ErrorFormat.problem_details),
        ("/v1/me/no-such-resource", ErrorFormat.problem_details),
        ("/v1/qualification-results/x/y/z", ErrorFormat.problem_details),
        # Under the issuer API's, and where no family serves: Certifier's envelope.
        ("/v1/credentials/x/no-such-resource", ErrorFormat.envelope),
        ("/v1/no-such-resource", ErrorFormat.envelope),
        ("/no-such-page", ErrorFormat.envelope),
    ],
)
async def test_an_unknown_path_is_a_404_in_the_format_of_its_prefix(
    client: httpx.AsyncClient, path: str, error_format: ErrorFormat
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == error_format.media_type
    body = response.json()
    code = body["code"] if error_format is ErrorFormat.problem_details else body["error"]["code"]
    assert code == "not_found"


@pytest.mark.parametrize(
    ("path", "error_format"),
    [
        ("/v1/certifications", ErrorFormat.problem_details),
        ("/v1/designs", ErrorFormat.envelope),
    ],
)
async def test_a_body_refused_before_routing_is_answered_in_the_format_of_its_family(
    app: FastAPI, client: httpx.AsyncClient, path: str, error_format: ErrorFormat
) -> None:
    limit = app.state.settings.max_body_bytes
    response = await client.post(path, content=b"x" * (limit + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == error_format.media_type


async def test_the_families_serve_disjoint_prefixes_and_the_records_api_the_ones_it_always_did(
    app: FastAPI,
) -> None:
    formats = app.state.error_formats
    for path in ("/v1/me", "/v1/certifications", "/v1/organizations", "/v1/qualification-results"):
        assert formats.for_path(path) is ErrorFormat.problem_details, path
    for path in ("/v1/designs", "/v1/groups", "/v1/credentials", "/v1/webhooks", "/v1/issuer"):
        assert formats.for_path(path) is ErrorFormat.envelope, path
