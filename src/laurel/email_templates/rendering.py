"""The emails Laurel sends, as plain text and HTML in one branded layout: a recipient's (a
template's subject and body filled in) and staff's (invitations, password resets).

The body is plain text, never markup: in the HTML part each paragraph and line is escaped by
Jinja2's autoescaping, and every value reaches the subject as one line, so neither a recipient's
name nor an organization's can add markup or mail headers.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from laurel.attributes.placeholders import fill_attributes
from laurel.kit.html import template_environment

# Attributes an email may use beyond the credential's own.
EMAIL_ATTRIBUTES = {"issuer.name": "The organization's name"}
BUTTON_TEXT = "View your credential"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_PREHEADER_LENGTH = 140

_environment = template_environment("laurel.email_templates")


@dataclass(frozen=True)
class EmailText:
    """A subject and a plain-text body, both with `[attributes]` still in them."""

    subject: str
    body: str


# Used when neither the send request nor the credential template chooses one (docs/api.md).
DEFAULT_TEMPLATE = EmailText(
    subject="[issuer.name] has issued you a credential: [group.name]",
    body=(
        "Hello [recipient.name],\n\n"
        '[issuer.name] has issued you the credential "[group.name]".\n\n'
        "On its page you can view it, download it as a PDF or an image, add it to your "
        "LinkedIn profile and share it. Anyone you share it with can check that it is genuine."
    ),
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def one_line(text: str) -> str:
    """All whitespace, line breaks included, as single spaces: safe in a mail header."""
    return " ".join(text.split())


def render_credential_email(
    template: EmailText,
    values: Mapping[str, str | None],
    *,
    issuer: str,
    logo: str | None,
    heading: str,
    link: str,
) -> RenderedEmail:
    """The subject, the plain-text part and the HTML part of one credential's email."""
    subject = one_line(fill_attributes(template.subject, values))
    body = fill_attributes(template.body, values).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [
        [line.strip() for line in block.strip().split("\n")]
        for block in _PARAGRAPH_BREAK.split(body.strip())
        if block.strip()
    ]
    return render_branded_email(
        subject=subject,
        paragraphs=paragraphs,
        sender=issuer,
        logo=logo,
        eyebrow="Your credential",
        heading=heading,
        action=Action(BUTTON_TEXT, link),
        reason=f"You received this email because {one_line(issuer)} issued you a credential.",
    )


@dataclass(frozen=True)
class Action:
    """The one button of an email, and the link it opens."""

    button: str
    link: str


def render_branded_email(  # noqa: PLR0913 - keyword-only parts of one message
    *,
    subject: str,
    paragraphs: list[list[str]],
    sender: str,
    logo: str | None,
    eyebrow: str,
    heading: str,
    action: Action,
    reason: str,
) -> RenderedEmail:
    """An email with a header naming the sender, a heading, paragraphs (each a list of lines),
    one button, and a footer saying why it was sent; the plain-text part says the same."""
    sender = one_line(sender)
    text = "\n\n".join("\n".join(lines) for lines in paragraphs)
    text += f"\n\n{action.button}:\n{action.link}\n\n-- \n{reason}\nSent with Laurel.\n"
    preheader = " ".join(paragraphs[0]) if paragraphs else subject
    html = _environment.get_template("branded_email.html").render(
        subject=subject,
        preheader=preheader[:_PREHEADER_LENGTH],
        issuer=sender,
        logo=_web_image(logo),
        eyebrow=eyebrow,
        heading=one_line(heading),
        paragraphs=paragraphs,
        button=action.button,
        link=action.link,
        reason=reason,
    )
    return RenderedEmail(subject, text, html)


def _web_image(url: str | None) -> str | None:
    """An http(s) image URL, or None: no `javascript:` or `data:` in an email's img."""
    return url if url and url.lower().startswith(("https://", "http://")) else None
