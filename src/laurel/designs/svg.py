"""What a design's SVG template may contain.

An SVG is rendered for anyone who opens a credential, so it must be inert: well-formed XML with an
`<svg>` root, no DTD (defusedxml refuses entity tricks), no scripts or event handlers, nothing that
fetches from elsewhere. Images are inline `data:` URIs.
"""

import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from laurel.kit.errors import ValidationFailed

MAX_SVG_BYTES = 512 * 1024
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
RECIPIENT_NAME_ATTRIBUTE = "[recipient.name]"

_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video"}
_SAFE_HREF = re.compile(r"^(#|data:image/(png|jpeg|gif|webp);base64,)", re.IGNORECASE)
_EXTERNAL_URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*(?!#|data:image/)", re.IGNORECASE)


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(f"svg: {reason}", param="svg")


def _local_name(qualified: str) -> str:
    return qualified.rsplit("}", 1)[-1].lower()


def _check_css(text: str, where: str) -> None:
    lowered = text.lower()
    if "@import" in lowered or _EXTERNAL_URL_IN_CSS.search(text) or "javascript:" in lowered:
        raise _refuse(f"{where} refers to something outside the design")


def validate_svg(svg: str, *, requires_recipient_name: bool) -> None:
    """Raise a 400 naming `svg` unless the template is a safe, self-contained SVG."""
    if len(svg.encode()) > MAX_SVG_BYTES:
        raise _refuse(f"the SVG may be at most {MAX_SVG_BYTES // 1024} KiB")
    try:
        root = fromstring(svg, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise _refuse(f"not well-formed XML ({error})") from None
    if root.tag not in (f"{SVG_NAMESPACE}svg", "svg"):
        raise _refuse("the root element must be <svg>")
    for element in root.iter():
        name = _local_name(str(element.tag))
        if name in _FORBIDDEN_ELEMENTS:
            raise _refuse(f"<{name}> elements are not allowed")
        if name == "style" and element.text:
            _check_css(element.text, "a <style> element")
        for attribute, value in element.attrib.items():
            attribute_name = _local_name(attribute)
            if attribute_name.startswith("on"):
                raise _refuse(f"event handler attributes such as {attribute_name} are not allowed")
            if attribute_name == "href" and not _SAFE_HREF.match(value.strip()):
                raise _refuse("links must point inside the design (#id) or be data:image URIs")
            if attribute_name == "style":
                _check_css(value, "a style attribute")
    if requires_recipient_name and RECIPIENT_NAME_ATTRIBUTE not in svg:
        raise _refuse(f"a certificate design must show {RECIPIENT_NAME_ATTRIBUTE}")
