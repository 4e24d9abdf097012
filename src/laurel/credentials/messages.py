"""The email a recipient gets when a credential is sent to them."""

from laurel.links import PublicLinks


def credential_email(
    *,
    to: str,
    recipient_name: str,
    issuer: str,
    group_name: str,
    public_id: str,
    credential_id: str,
    public_url: str,
    message_id: str,
) -> dict[str, str]:
    link = PublicLinks(public_url.rstrip("/")).credential_page(public_id)
    return {
        "to": to,
        "subject": f"{issuer} has issued you a credential: {group_name}",
        "text": (
            f"Hello {recipient_name},\n\n"
            f'{issuer} has issued you the credential "{group_name}".\n'
            f"View, download and share it here:\n{link}\n"
        ),
        "message_id": message_id,
        "credential_id": credential_id,
    }
