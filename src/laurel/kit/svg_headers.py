"""The headers every SVG response carries, so a browser opening it treats it as a picture.

A badge or preview opened on its own (its URL in the address bar, not in an `<img>`) is a
document: without these, a script or an external reference in it would run or load with this
site's origin. The policy allows what a design may hold (inline CSS, `data:` images) and nothing
else; `sandbox` gives the document an opaque origin and no scripts, forms or navigation;
`nosniff` stops a browser from reading the bytes as some other type. Designs are checked at
save too (`designs/svg.py`); these headers also cover anything stored before those checks.
"""

SVG_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
)
SVG_MEDIA_TYPE = "image/svg+xml"


def svg_headers() -> dict[str, str]:
    """`Content-Security-Policy` and `X-Content-Type-Options` for an SVG response."""
    return {
        "Content-Security-Policy": SVG_CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
    }


def headers_for(media_type: str) -> dict[str, str]:
    """The SVG headers when `media_type` is SVG; none for other files."""
    return svg_headers() if media_type.split(";")[0].strip() == SVG_MEDIA_TYPE else {}
