"""Every public link Laurel hands out, built in one place.

Emails, pages, signed credentials and API answers all take their URLs from here, so a route that
moves moves everywhere, and `tests/test_links.py` follows each of them and expects a 200.
"""

from dataclasses import dataclass

from laurel.config import Settings


@dataclass(frozen=True)
class PublicLinks:
    """Absolute URLs under the server's public base (`LAUREL_PUBLIC_URL`)."""

    base: str

    @classmethod
    def of(cls, settings: Settings) -> "PublicLinks":
        return cls(settings.public_url.rstrip("/"))

    def did_document(self, organization_id: str) -> str:
        """Where did:web resolves the issuer's DID (`issuers.service.did_web`)."""
        return f"{self.base}/issuers/{organization_id}/did.json"

    def issuer_key(self, organization_id: str, key_id: str) -> str:
        return f"{self.base}/issuers/{organization_id}/keys/{key_id}"

    def credential_page(self, public_id: str) -> str:
        return f"{self.base}{credential_path(public_id)}"

    def credential_image(self, public_id: str) -> str:
        return f"{self.base}{credential_path(public_id)}/image.png"

    def certificate_pdf(self, public_id: str) -> str:
        return f"{self.base}{credential_path(public_id)}/certificate.pdf"

    def credential_json(self, public_id: str) -> str:
        return f"{self.base}{credential_path(public_id)}/credential.json"

    def badge(self, public_id: str, image_format: str) -> str:
        return f"{self.base}{credential_path(public_id)}/badge.{image_format}"

    def design_preview(
        self, public_id: str, design_id: str, digest: str, signature: str, image_format: str
    ) -> str:
        """An issued credential drawn with one of its designs: immutable, signed, no token."""
        return (
            f"{self.base}{credential_path(public_id)}/previews/{design_id}/{digest}/"
            f"{signature}.{image_format}"
        )

    def credential_file(self, credential_id: str, image_format: str, design_id: str) -> str:
        """The issuer API's render of a credential with one design (needs the API token)."""
        return f"{self.base}/v1/credentials/{credential_id}/{image_format}?designId={design_id}"

    def status_list(self, list_id: str) -> str:
        return f"{self.base}/status/{list_id}"

    def status_lists_prefix(self) -> str:
        return f"{self.base}/status/"

    def achievement(self, group_id: str) -> str:
        return f"{self.base}/achievements/{group_id}"

    def accredible_design_image(self, alias: int, signature: str) -> str:
        """A design's PNG, as the Accredible-compatible API's `designs/{id}` names it."""
        return f"{self.base}/accredible/v1/designs/{alias}/{signature}.png"

    def badge_template_image(self, template_uuid: str) -> str:
        """A credential template's badge image, as Open edX's Credly sync stores it."""
        return f"{self.base}/credly/templates/{template_uuid}/image.png"

    def verify_page(self) -> str:
        return f"{self.base}/verify"

    def starter_preview(self, starter_id: str, image_format: str = "png") -> str:
        """A starter design of the gallery, drawn with sample values (an API route: a token)."""
        return f"{self.base}/v1/design-gallery/{starter_id}/preview.{image_format}"


def credential_path(public_id: str) -> str:
    """The recipient's page, relative to the server (pages link to their own files with it)."""
    return f"/credentials/{public_id}"
