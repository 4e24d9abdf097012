"""Every SVG response carries the headers that keep it a picture (kit/svg_headers.py).

Each route that can answer `image/svg+xml` is asked for SVG and checked; the policy is spelled
out here, not imported, so weakening it fails this test.
"""

import httpx

from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential
from tests.pages.conftest import issue_signed

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def assert_inert_svg(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-security-policy"] == POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_svg_route_sends_the_svg_headers(api: CertifierClient) -> None:
    badge = await api.create_design("badge")
    group = await api.create_group(name="Financial Markets", designIds=[badge])
    credential, _ = await issue_signed(api, str(group["id"]))
    public_id = credential["publicId"]

    routes = [
        f"/v1/designs/{badge}/preview?format=svg",
        f"/v1/credentials/{credential['id']}/badge.svg",
    ]
    for route in routes:
        assert_inert_svg(await api.request("GET", route))
    public = await api.http.get(f"/credentials/{public_id}/badge.svg")
    assert_inert_svg(public)
    assert public.headers["content-disposition"] == f'attachment; filename="badge-{public_id}.svg"'


async def test_other_formats_do_not_carry_the_svg_policy(
    api: CertifierClient, group_id: str
) -> None:
    credential = await create_credential(api, group_id)
    png = await api.request("GET", f"/v1/credentials/{credential['id']}/png")
    assert png.status_code == 200
    assert "content-security-policy" not in png.headers
