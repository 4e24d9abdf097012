"""What a design's CSS may say: properties that draw, with values that fetch and run nothing.

CSS reaches a design three ways: `<style>` elements, `style` attributes and presentation
attributes (`fill="..."`). Browsers read all three with one tokenizer that decodes escapes, so
`u\\72l(https://x)` is `url(https://x)`; tinycss2 follows the same specification (CSS Syntax
Level 3) and the checks below look at its decoded tokens, never at the source text.

Allowed: the properties in `PROPERTIES` (what the renderer and common design tools use), each
with a value made of keywords, numbers, lengths, percentages, `#hex` colours, `rgb()`,
`rgba()`, `hsl()`, `hsla()`, quoted font names (font properties only), and `url(#id)` in the
properties that point at a gradient, pattern, clip path, mask, marker or filter of the design
itself. Refused: any other function (`image-set()`, `var()`, `expression()`, `attr()`), any
at-rule (`@import`, `@font-face`, `@media`), rules nested in a declaration list, and anything
the tokenizer could not read. A `<style>` element holds plain rules: selectors and declarations.
"""

import re
from collections.abc import Callable, Iterable

import tinycss2
from tinycss2 import ast
from tinycss2.color3 import parse_color


class Refused(ValueError):
    """A design breaks one of the rules; the message says which, for the API's 400."""


# Properties whose value may be `url(#id)`: paint servers, clip paths, masks, filters, markers.
URL_PROPERTIES = frozenset(
    {"fill", "stroke", "clip-path", "mask", "filter", "marker", "marker-start", "marker-mid",
     "marker-end"}
)  # fmt: skip
PAINT_PROPERTIES = frozenset({"fill", "stroke"})
COLOR_PROPERTIES = frozenset(
    {"color", "stop-color", "flood-color", "lighting-color", "solid-color",
     "text-decoration-color"}
)  # fmt: skip
# Quoted strings are font names or OpenType feature tags, nowhere else.
STRING_PROPERTIES = frozenset(
    {"font", "font-family", "font-feature-settings", "font-variation-settings",
     "-inkscape-font-specification"}
)  # fmt: skip
PROPERTIES = (
    URL_PROPERTIES
    | PAINT_PROPERTIES
    | COLOR_PROPERTIES
    | STRING_PROPERTIES
    | {
        # paint, stroke and compositing
        "fill-opacity", "fill-rule", "stroke-width", "stroke-opacity", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "paint-order", "vector-effect", "opacity", "solid-opacity", "stop-opacity",
        "flood-opacity", "color-interpolation", "color-interpolation-filters",
        "color-rendering", "shape-rendering", "text-rendering", "image-rendering",
        "mix-blend-mode", "isolation", "display", "visibility", "overflow", "clip-rule",
        "mask-type", "enable-background", "transform", "transform-origin", "transform-box",
        # text
        "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant",
        "font-variant-caps", "font-variant-ligatures", "font-variant-numeric",
        "font-variant-east-asian", "font-variant-position", "font-weight", "font-kerning",
        "line-height", "letter-spacing", "word-spacing", "text-anchor", "text-align",
        "text-decoration", "text-decoration-line", "text-decoration-style", "text-indent",
        "text-transform", "text-orientation", "writing-mode", "direction", "unicode-bidi",
        "dominant-baseline", "alignment-baseline", "baseline-shift", "white-space",
    }
)  # fmt: skip
COLOR_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})
TRANSFORM_FUNCTIONS = frozenset(
    {"matrix", "translate", "translatex", "translatey", "scale", "scalex", "scaley", "rotate",
     "skew", "skewx", "skewy"}
)  # fmt: skip
_PAINT_KEYWORDS = frozenset(
    {"none", "currentcolor", "inherit", "context-fill", "context-stroke", "transparent"}
)
_FONT_SIZE_KEYWORDS = frozenset(
    {"xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large",
     "smaller", "larger", "inherit"}
)  # fmt: skip
_FONT_SIZE_UNITS = frozenset({"px", "pt", "pc", "mm", "cm", "in", "em", "ex", "rem", "q"})
_FONT_WEIGHTS = frozenset({"normal", "bold", "bolder", "lighter", "inherit"})
_TEXT_ANCHORS = frozenset({"start", "middle", "end", "inherit"})
_FONT_STYLES = frozenset({"normal", "italic", "oblique", "inherit"})
_NUMERIC = ("number", "percentage", "dimension")
# `#` and a name: a fragment of this very document, which never leaves it.
LOCAL_REFERENCE = re.compile(r"#[\w.:-]+")


def _source(nodes: Iterable[ast.Node]) -> str:
    return tinycss2.serialize(nodes).strip()


def _meaningful(nodes: Iterable[ast.Node]) -> list[ast.Node]:
    return [node for node in nodes if node.type not in ("whitespace", "comment")]


def _local_url(node: ast.Node) -> str | None:
    """The reference of `url(...)` (quoted or not), or None when the node is no url()."""
    if isinstance(node, ast.URLToken):
        return node.value
    if isinstance(node, ast.FunctionBlock) and node.lower_name == "url":
        arguments = _meaningful(node.arguments)
        if len(arguments) == 1 and isinstance(arguments[0], ast.StringToken):
            return arguments[0].value
        return ""
    return None


def _check_function(name: str, function: ast.FunctionBlock) -> None:
    allowed = TRANSFORM_FUNCTIONS if name == "transform" else COLOR_FUNCTIONS
    if function.lower_name not in allowed:
        raise Refused(f"the CSS function {function.lower_name}() is not allowed (in {name})")
    for argument in function.arguments:
        if argument.type in ("whitespace", "comment", *_NUMERIC) or (
            isinstance(argument, ast.LiteralToken) and argument.value in (",", "/")
        ):
            continue
        raise Refused(f"{function.lower_name}() takes numbers only (in {name})")


def _check_token(name: str, node: ast.Node) -> None:
    """One token of a value: harmless on its own, or refused naming what it is."""
    if node.type in ("whitespace", "comment", "ident", "hash", *_NUMERIC):
        return
    if isinstance(node, ast.LiteralToken) and node.value in (",", "/"):
        return
    if isinstance(node, ast.StringToken) and name in STRING_PROPERTIES:
        return
    reference = _local_url(node)
    if reference is not None:
        if name not in URL_PROPERTIES:
            raise Refused(f"url() is not allowed in {name}")
        if not LOCAL_REFERENCE.fullmatch(reference):
            raise Refused(
                f"url({reference}) in {name} refers outside the design: only url(#id) is allowed"
            )
        return
    if isinstance(node, ast.FunctionBlock):
        _check_function(name, node)
        return
    raise Refused(f"the value of {name} may not contain {_source([node])!r}")


def _is_color(node: ast.Node) -> bool:
    # tinycss2 reads a single token too (its type stubs name only strings and lists).
    return parse_color(node) is not None  # type: ignore[arg-type]


def _keyword(node: ast.Node) -> str | None:
    return node.lower_value if isinstance(node, ast.IdentToken) else None


def _positive_number(node: ast.Node) -> bool:
    if isinstance(node, ast.DimensionToken):
        return node.value > 0 and node.lower_unit in _FONT_SIZE_UNITS
    return isinstance(node, ast.NumberToken | ast.PercentageToken) and node.value > 0


def _single(values: list[ast.Node]) -> ast.Node | None:
    return values[0] if len(values) == 1 else None


def _is_colour_value(values: list[ast.Node]) -> bool:
    single = _single(values)
    return single is not None and (_keyword(single) in _PAINT_KEYWORDS or _is_color(single))


def _is_paint(values: list[ast.Node]) -> bool:
    first, rest = values[0], values[1:]
    fallback_ok = len(rest) <= 1 and all(
        _is_color(node) or _keyword(node) == "none" for node in rest
    )
    return (_local_url(first) is not None and fallback_ok) or _is_colour_value(values)


def _is_font_size(values: list[ast.Node]) -> bool:
    single = _single(values)
    return single is not None and (
        _keyword(single) in _FONT_SIZE_KEYWORDS or _positive_number(single)
    )


def _is_font_weight(values: list[ast.Node]) -> bool:
    single = _single(values)
    return single is not None and (
        _keyword(single) in _FONT_WEIGHTS
        or (isinstance(single, ast.NumberToken) and 1 <= single.value <= 1000)
    )


def _one_of(keywords: frozenset[str]) -> Callable[[list[ast.Node]], bool]:
    def accepts(values: list[ast.Node]) -> bool:
        single = _single(values)
        return single is not None and _keyword(single) in keywords

    return accepts


# The properties the renderer reads for text boxes, and paints: their own grammar, and what
# the refusal says the value must be.
_TYPED: dict[str, tuple[Callable[[list[ast.Node]], bool], str]] = {
    **{name: (_is_paint, "a colour, none or url(#id)") for name in PAINT_PROPERTIES},
    **{name: (_is_colour_value, "a colour") for name in COLOR_PROPERTIES - PAINT_PROPERTIES},
    "font-size": (_is_font_size, "a positive size"),
    "font-weight": (_is_font_weight, "normal, bold, bolder, lighter or 1-1000"),
    "text-anchor": (_one_of(_TEXT_ANCHORS), "start, middle or end"),
    "font-style": (_one_of(_FONT_STYLES), "normal, italic or oblique"),
}


def _check_typed(name: str, values: list[ast.Node]) -> None:
    typed = _TYPED.get(name)
    if typed is None:
        return
    accepts, must_be = typed
    if not accepts(values):
        raise Refused(f"{name} must be {must_be}, not {_source(values)!r}")


def check_value(name: str, value: str | list[ast.Node]) -> None:
    """A property's value (tokens, or the text of a presentation attribute)."""
    nodes = tinycss2.parse_component_value_list(value) if isinstance(value, str) else value
    values = _meaningful(nodes)
    if not values:
        raise Refused(f"{name} has no value")
    for node in values:
        _check_token(name, node)
    _check_typed(name, values)


def check_declarations(source: str | list[ast.Node], where: str) -> None:
    """A declaration list: a `style` attribute, or the body of a rule."""
    for item in tinycss2.parse_blocks_contents(source, skip_comments=True, skip_whitespace=True):
        if isinstance(item, ast.Declaration):
            if item.lower_name not in PROPERTIES:
                raise Refused(f"the CSS property {item.lower_name} is not allowed (in {where})")
            check_value(item.lower_name, item.value)
        elif isinstance(item, ast.AtRule):
            raise Refused(f"CSS at-rules such as @{item.lower_at_keyword} are not allowed")
        elif isinstance(item, ast.ParseError):
            raise Refused(f"{where} is not CSS that can be read ({item.message})")
        else:
            raise Refused(f"{where} holds a rule where declarations belong: {_source([item])!r}")


def _check_selector(prelude: list[ast.Node]) -> None:
    """A rule's selector: it chooses elements, so it may not fetch or open a block."""
    for node in prelude:
        if isinstance(node, ast.CurlyBracketsBlock | ast.AtKeywordToken | ast.ParseError) or (
            _local_url(node) is not None
        ):
            raise Refused(f"the CSS selector {_source(prelude)!r} is not allowed")


def check_style_sheet(text: str) -> None:
    """The text of a `<style>` element: rules of selectors and allowed declarations only."""
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if isinstance(rule, ast.AtRule):
            raise Refused(f"CSS at-rules such as @{rule.lower_at_keyword} are not allowed")
        if isinstance(rule, ast.ParseError):
            raise Refused(f"the <style> element is not CSS that can be read ({rule.message})")
        if isinstance(rule, ast.QualifiedRule):
            _check_selector(rule.prelude)
            check_declarations(rule.content, "a <style> rule")
