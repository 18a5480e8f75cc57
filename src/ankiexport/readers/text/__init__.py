"""Reader for text lessons as teachers receive them: raw bytes to title, article, gap-fill, vocabulary, translation."""

# The names the rest of ankiexport (the YAML reader, readers.READERS) and the tests use; the modules hold the rest.

from .classify import field_label, is_gapfill_line, section_header
from .dates import date_from_stem
from .decode import VALUE_CONTROL, decode_lesson_bytes, describe_control, is_invisible, normalise_text
from .reader import read_text_lesson

__all__ = [
    "VALUE_CONTROL",
    "date_from_stem",
    "decode_lesson_bytes",
    "describe_control",
    "field_label",
    "is_gapfill_line",
    "is_invisible",
    "normalise_text",
    "read_text_lesson",
    "section_header",
]
