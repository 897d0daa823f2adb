"""A change that means to leave the outputs alone leaves them byte for byte the same.

``identical.json`` holds the SHA-256 of what the builds of ``identical.py`` wrote when
it was recorded (``python tests/identical.py record``, after a change that alters the
outputs on purpose). The small projects are built here; the pamphlet's variants and
both corpora with ``python tests/identical.py check``.
"""

from __future__ import annotations

import json

import pytest

import identical


def test_the_small_projects_give_the_recorded_bytes() -> None:
    recorded = json.loads(identical.RECORD.read_text(encoding="utf-8"))["environment"]
    if recorded != identical.environment():
        pytest.skip("the record was taken with other libraries or fonts than this machine's: "
                    f"{recorded} against {identical.environment()}")
    assert identical.differences(identical.SMALL) == []
