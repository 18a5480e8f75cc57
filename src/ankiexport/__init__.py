"""ankiexport: turns weekly English lessons into Anki decks and printable worksheets."""

__version__ = "0.1.0"
