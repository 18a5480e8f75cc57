"""Lets ``python -m ankiexport`` run the command line."""

from .cli import main

main()
