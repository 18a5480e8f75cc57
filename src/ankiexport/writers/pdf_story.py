"""A worksheet story whose long runs of paragraphs are made as the layout reaches them, so that a long lesson's tens of
thousands of paragraphs are never in memory at once (each is dropped once drawn)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

Item = TypeVar("Item")


class Lazy(Sequence[Any], Generic[Item]):
    """The flowables ``make(item)`` gives for ``items``, one each, made anew whenever they are asked for."""

    def __init__(self, items: Sequence[Item], make: Callable[[Item], Any]) -> None:
        self.items = items
        self.make = make

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self.make(item) for item in self.items[index]]
        return self.make(self.items[index])

    def __iter__(self) -> Iterator[Any]:
        return map(self.make, self.items)


class Story:
    """The flowable list reportlab's document template consumes, made on demand from flowables and ``Lazy`` runs.

    The template only looks at, takes from and puts back at the front of its list (``len``, ``[i]``, ``[:i]``,
    ``del [0]``, ``del [:i]``, ``insert(0, x)``, ``[0:0] = xs``); those are all this supports, each without moving
    the rest (a list's ``del [0]`` is quadratic over a story of 100,000 paragraphs). Anything else is an error.
    """

    def __init__(self, parts: Iterable[Any]) -> None:
        parts = list(parts)
        self._left = sum(len(part) if isinstance(part, Lazy) else 1 for part in parts)  # not yet made
        self._source = flowables(parts)
        self._ahead: list[Any] = []  # made and not yet taken, the first one last

    def __len__(self) -> int:
        return len(self._ahead) + self._left

    def _make(self, count: int) -> None:
        """At least ``count`` flowables made (or all there are)."""
        while len(self._ahead) < count and self._left:
            self._ahead.insert(0, next(self._source))
            self._left -= 1

    @staticmethod
    def _front(index: int | slice) -> int:
        """How many flowables from the front ``index`` covers: an index, or a slice from the start."""
        if isinstance(index, slice):
            if index.start not in (None, 0) or index.step not in (None, 1) or index.stop is None:
                raise TypeError(f"a story is only sliced from its start, not {index}")
            return int(index.stop)
        if index < 0:
            raise TypeError("a story is only indexed from its start")
        return index + 1

    def __getitem__(self, index: int | slice) -> Any:
        ahead = self._ahead
        if type(index) is int and 0 <= index < len(ahead):  # the template looks at its first flowables again and again
            return ahead[-1 - index]
        count = self._front(index)
        self._make(count)
        if isinstance(index, slice):
            return self._ahead[len(self._ahead) - count :][::-1]
        if count > len(self._ahead):
            raise IndexError(index)
        return self._ahead[-count]

    def __delitem__(self, index: int | slice) -> None:
        count = self._front(index)
        if not isinstance(index, slice) and count != 1:
            raise TypeError("only the first flowable of a story is deleted")
        self._make(count)
        del self._ahead[max(len(self._ahead) - count, 0) :]

    def __setitem__(self, index: slice, flowables: Iterable[Any]) -> None:
        if not isinstance(index, slice) or self._front(index) != 0:
            raise TypeError("flowables are only put back at the start of a story")
        self._ahead.extend(reversed(list(flowables)))

    def insert(self, index: int, flowable: Any) -> None:
        if index != 0:
            raise TypeError("flowables are only put back at the start of a story")
        self._ahead.append(flowable)


def flowables(parts: Iterable[Any]) -> Iterator[Any]:
    """The flowables of a story's parts, ``Lazy`` runs made one by one."""
    return itertools.chain.from_iterable(part if isinstance(part, Lazy) else (part,) for part in parts)
