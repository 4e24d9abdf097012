"""What a render is asked for, and the engine's version, without the engine itself.

The API and CLI processes name formats and build cache keys; only the render workers draw. Kept
apart from `engine.py` so that importing these does not load MuPDF (about 110 MiB) into every
API process and every `laurel` command.
"""

from typing import Literal

# Part of every cache key: changing how things are drawn makes old renders unreachable.
ENGINE_VERSION = "mupdf-1"
PNG_DPI = 144
Format = Literal["pdf", "png", "svg"]
