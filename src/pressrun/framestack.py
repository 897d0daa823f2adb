"""Room on CPython's frame stack for WeasyPrint's deep recursion.

CPython keeps the frames of Python calls in chunks of 16 KiB. When a call does not fit in
the last chunk it maps a new one, and when that call returns it unmaps it again. A layout
goes up and down a recursion of box functions thousands of times a page; where its depth
hovers at a chunk's end, every crossing costs a ``mmap``, a page fault and a ``munmap``
(CPython issue gh-142183: 3.13 and 3.14 keep one spare chunk since March 2026; 3.11 and
3.12 do not). Which depth that is depends on how deep the caller was: on Python 3.11.7,
``pressrun pdf`` made 65,000 of each for the Manifesto and 379,000 for Ten Days, where
WeasyPrint alone on the same HTML made 30,000 for Ten Days.

``with_room`` calls a function from a frame that asks for 512 KiB of value stack it never
uses: CPython maps a chunk of 1 MiB for that frame, and the calls below it have the other
half, about 1,700 frames, before they reach its end (the Manifesto: 825 maps in all). Pages of
it that are not used are never touched, so they cost no memory.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

ROOM = 1 << 16
"""Slots of 8 bytes in the calling frame's value stack (512 KiB)."""


def with_room(function: Callable[[], T]) -> T:
    """``function()``, with room below it on CPython's frame stack for deep recursion."""
    return function()


if sys.implementation.name == "cpython":  # a frame's size is its code's stack size there
    with_room.__code__ = with_room.__code__.replace(co_stacksize=ROOM)
