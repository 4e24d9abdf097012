"""The public credential page shows its template's description and criteria, when set."""

from laurel.db import Database
from laurel.groups.schemas import TemplateExtensions
from tests.conftest import CertifierClient, Tenant
from tests.groups.test_template_extensions import set_extensions
from tests.pages.conftest import BROWSER, issue_signed


async def test_the_page_shows_description_and_criteria_escaped(
    api: CertifierClient, database: Database, tenant: Tenant, group_id: str
) -> None:
    extensions = TemplateExtensions("Risk & <return>.", "- Pass the exam\n- Attend")
    await set_extensions(database, tenant, group_id, extensions)
    credential, _ = await issue_signed(api, group_id)
    page = await api.http.get(f"/credentials/{credential['publicId']}", headers=BROWSER)
    assert page.status_code == 200
    assert '<p class="prose" id="description">Risk &amp; &lt;return&gt;.</p>' in page.text
    assert '<p class="prose" id="criteria">- Pass the exam\n- Attend</p>' in page.text


async def test_without_them_the_page_has_no_such_sections(
    api: CertifierClient, group_id: str
) -> None:
    credential, _ = await issue_signed(api, group_id)
    page = await api.http.get(f"/credentials/{credential['publicId']}", headers=BROWSER)
    assert page.status_code == 200
    assert 'id="description"' not in page.text
    assert 'id="criteria"' not in page.text
