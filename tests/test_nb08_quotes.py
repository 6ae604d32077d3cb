"""Every sentence notebook 08 quotes from notebook 05 is found verbatim in notebook 05's markdown.

Notebook 08 (section 7, "Notebook 05's claims, measured") puts notebook 05's words in curly quotes “…” and
tests them. Curly quotes in notebook 08 and its solutions are used for nothing else, so every one is checked.
Whitespace (line breaks inside a quote) is normalised on both sides.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
QUOTED = re.compile(r"“([^”]+)”")


def markdown_of(relative: str) -> str:
    notebook = json.loads((REPO_ROOT / relative).read_text(encoding="utf-8"))
    text = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    return " ".join(text.split())


def quotes_in(relative: str) -> list[str]:
    return [" ".join(quote.split()) for quote in QUOTED.findall(markdown_of(relative))]


QUOTES = quotes_in("notebooks/08_positions_measured.ipynb")


def test_notebook_08_quotes_notebook_05():
    assert len(QUOTES) >= 5, QUOTES


@pytest.mark.parametrize("quote", QUOTES + quotes_in("solutions/08_positions_measured_solutions.ipynb"))
def test_each_quote_is_verbatim_in_notebook_05(quote):
    assert quote in markdown_of("notebooks/05_positional_embeddings.ipynb"), (
        f"notebook 08 quotes notebook 05 as “{quote}”, but notebook 05's markdown no longer says it: quote "
        "the current wording (or change notebook 05 back)."
    )


def test_the_quote_pattern_finds_quotes_across_lines():
    assert QUOTED.findall("as “one\ntwo” and “three”") == ["one\ntwo", "three"]
