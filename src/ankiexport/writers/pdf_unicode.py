"""A fix for reportlab's ToUnicode maps: characters beyond U+FFFF (𩸽, 𠀋) must extract as themselves."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.pdfbase import ttfonts

# reportlab writes "<05> <29E3D>" for a supplementary-plane character; a ToUnicode map holds UTF-16BE, so the
# destination must be the surrogate pair "<D867DE3D>" (pypdf: "Odd-length string", copy-paste: garbage).
_WIDE_ENTRY = re.compile(r"^(<[0-9A-F]{2}>) <([0-9A-F]{5,6})>$", re.MULTILINE)


def _utf16(match: re.Match[str]) -> str:
    return f"{match.group(1)} <{chr(int(match.group(2), 16)).encode('utf-16-be').hex().upper()}>"


def _fixed(original: Callable[[str, Sequence[int]], str]) -> Callable[[str, Sequence[int]], str]:
    def make_to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
        return _WIDE_ENTRY.sub(_utf16, original(fontname, subset))

    make_to_unicode_cmap.ankiexport_fixed = True  # type: ignore[attr-defined]
    return make_to_unicode_cmap


def fix_to_unicode() -> None:
    """Make reportlab write supplementary-plane characters as UTF-16 surrogate pairs (BMP entries are unchanged)."""
    current: Any = ttfonts.makeToUnicodeCMap
    if not getattr(current, "ankiexport_fixed", False):
        ttfonts.makeToUnicodeCMap = _fixed(current)
