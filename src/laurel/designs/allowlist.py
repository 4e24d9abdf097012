"""The SVG a design may contain: known elements and attributes, each value checked.

An allow-list, not a block-list: what is not named here is refused, with a message naming it,
rather than dropped. Refusing tells an API user at once what to change, and what is stored is
exactly what was sent (a design that drew differently from what its author saved would be a
worse surprise). What is named is static drawing: shapes, text, gradients, patterns, clip paths,
masks, markers, filters, embedded raster images, `<style>` rules. Not named, so refused: scripts,
`<foreignObject>` and every element of another namespace (XHTML's `<html:script>`, `<iframe>`),
animation (`<set>`, `<animate>` can rewrite an `href` to `javascript:`; a certificate is a still
image), event handlers (`on*`), `cursor`, `xml:base`, and attributes of other namespaces. Elements
without a namespace (a design whose root has no `xmlns`) follow the same rules by local name;
browsers draw nothing of them and run nothing either.
"""

from functools import lru_cache

from laurel.designs.css import PROPERTIES as CSS_PROPERTIES
from laurel.designs.css import Refused, check_declarations, check_value
from laurel.designs.images import EmbeddedImage, read_image

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

FILTER_PRIMITIVES = frozenset(
    {"feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
     "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood",
     "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge",
     "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
     "feSpotLight", "feTile", "feTurbulence"}
)  # fmt: skip
ELEMENTS = FILTER_PRIMITIVES | {
    "svg", "g", "defs", "symbol", "use", "a", "title", "desc", "metadata", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "image",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter",
}  # fmt: skip
ANIMATION = frozenset(
    {"animate", "animateColor", "animateMotion", "animateTransform", "set", "mpath", "discard"}
)
# Elements whose `href` may be a data: image; everywhere else it may only be `#id`.
IMAGE_ELEMENTS = frozenset({"image", "feImage"})
TRANSFORM_ATTRIBUTES = frozenset({"transform", "gradientTransform", "patternTransform"})
ATTRIBUTES = (
    TRANSFORM_ATTRIBUTES
    | CSS_PROPERTIES  # presentation attributes: read as CSS values
    | {
        "id", "class", "style", "lang", "href", "version", "baseProfile", "viewBox",
        "preserveAspectRatio", "x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "fx",
        "fy", "fr", "x1", "y1", "x2", "y2", "d", "points", "pathLength", "dx", "dy", "rotate",
        "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side", "path",
        "gradientUnits", "spreadMethod", "offset", "patternUnits", "patternContentUnits",
        "clipPathUnits", "maskUnits", "maskContentUnits", "markerUnits", "markerWidth",
        "markerHeight", "refX", "refY", "orient", "media", "type", "filterUnits",
        "primitiveUnits", "in", "in2", "result", "stdDeviation", "mode", "operator", "k1", "k2",
        "k3", "k4", "values", "tableValues", "slope", "intercept", "amplitude", "exponent",
        "kernelMatrix", "order", "divisor", "bias", "targetX", "targetY", "edgeMode",
        "preserveAlpha", "surfaceScale", "diffuseConstant", "specularConstant",
        "specularExponent", "kernelUnitLength", "scale", "xChannelSelector", "yChannelSelector",
        "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles", "azimuth", "elevation",
        "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle", "z",
    }
)  # fmt: skip
NAMESPACED_ATTRIBUTES = frozenset(
    {f"{{{XLINK_NAMESPACE}}}href", f"{{{XML_NAMESPACE}}}space", f"{{{XML_NAMESPACE}}}lang"}
)


def split_name(qualified: str) -> tuple[str | None, str]:
    """`{namespace}local` (as ElementTree names things) -> (namespace, local)."""
    if qualified.startswith("{"):
        namespace, _, local = qualified[1:].partition("}")
        return namespace, local
    return None, qualified


def check_element(tag: str) -> str:
    """The element's local name, if it is an SVG element a design may use."""
    namespace, name = split_name(tag)
    if namespace not in (None, SVG_NAMESPACE):
        raise Refused(
            f"the element <{name}> of namespace {namespace} is not allowed: "
            "a design holds SVG elements only"
        )
    if name in ANIMATION:
        raise Refused(f"animation elements such as <{name}> are not allowed")
    if name not in ELEMENTS:
        raise Refused(f"the element <{name}> is not allowed")
    return name


def _is_data_attribute(name: str) -> bool:
    """`data-*`: the design's own notes (`data-qr`, `data-width`), which browsers never act on."""
    return name.startswith("data-") and len(name) > 5 and name.isascii() and "}" not in name


def check_attribute(element: str, name: str, value: str) -> EmbeddedImage | None:
    """An attribute of an allowed element; the image it embeds, if it is a data: URI."""
    if name == "href" or name == f"{{{XLINK_NAMESPACE}}}href":
        return check_reference(element, value)
    if name in NAMESPACED_ATTRIBUTES or _is_data_attribute(name):
        return None
    if name not in ATTRIBUTES:
        namespace, local = split_name(name)
        if namespace is None and local.lower().startswith("on"):
            raise Refused(f"event handler attributes such as {local} are not allowed")
        shown = local if namespace is None else f"{local} of namespace {namespace}"
        raise Refused(f"the attribute {shown} is not allowed (on <{element}>)")
    if name == "style" or name in TRANSFORM_ATTRIBUTES or name in CSS_PROPERTIES:
        _check_css_attribute(element, name, value)
    return None


@lru_cache(maxsize=4096)
def _check_css_attribute(element: str, name: str, value: str) -> None:
    """A `style`, `transform` or presentation attribute, read as CSS. Designs repeat the same
    few styles on many elements, and the CSS parser is pure Python: each is read once."""
    if name == "style":
        check_declarations(value, f"the style attribute of <{element}>")
    elif name in TRANSFORM_ATTRIBUTES:
        check_value("transform", value)
    else:
        check_value(name, value)


def check_reference(element: str, value: str) -> EmbeddedImage | None:
    """An `href`: `#id` of this design, or (on `<image>`) an embedded raster image."""
    if value.strip().startswith("#"):
        return None
    if element in IMAGE_ELEMENTS:
        return read_image(value)
    raise Refused(f"the href of <{element}> must point inside the design (#id)")
