"""Every number notebook 05 attributes to notebook 08 is one that notebook 08's committed outputs print.

Notebook 05 (section 6) quotes notebook 08's extrapolation measurements. Notebook 08 is re-run and rebuilt
independently, so its numbers can change; this test fails as soon as a quote in 05 is no longer printed by
08. A sentence of a notebook-05 markdown cell attributes its numbers to 08 when it names notebook 08 (a link
to ``08_positions_measured.ipynb`` or the words "notebook 08"). Each decimal number in such a sentence, and
each integer and position range ("16–31"), must appear in 08's outputs as a whole token; "08" itself is not
a quote.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NB05 = ROOT / "notebooks" / "05_positional_embeddings.ipynb"
NB08 = ROOT / "notebooks" / "08_positions_measured.ipynb"

NAMES_08 = re.compile(r"08_positions_measured\.ipynb|notebook 08", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*\[(])")
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s*[–-]\s*\d+)?(?![\w])")
LINK_TARGET = re.compile(r"\]\([^)]*\)")


def sentences_naming_08(markdown: str) -> list[str]:
    text = " ".join(markdown.split())
    return [s for s in SENTENCE_END.split(text) if NAMES_08.search(s)]


def quoted_numbers(sentence: str) -> list[str]:
    text = LINK_TARGET.sub("]", sentence)  # link targets are not quotes
    text = re.sub(r"notebook 08|\[?08\b", "", text, flags=re.IGNORECASE)
    return [n.strip().rstrip(".,") for n in NUMBER.findall(text)]


def outputs_text(path: Path) -> str:
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def quotes() -> list[tuple[str, str]]:
    found = []
    for cell in nbformat.read(NB05, as_version=4).cells:
        if cell.cell_type == "markdown":
            for sentence in sentences_naming_08(cell.source):
                found += [(number, sentence) for number in quoted_numbers(sentence)]
    return found


def printed(number: str, text: str) -> bool:
    if re.search(r"[–-]", number):  # a range of positions: 08 prints "16-31" (or with an en dash)
        low, high = re.split(r"\s*[–-]\s*", number)
        return re.search(rf"(?<!\d){low}\s*[–-]\s*{high}(?!\d)", text) is not None
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text) is not None


def test_the_helpers_find_numbers_and_ranges():
    sentence = "In [notebook 08](08_positions_measured.ipynb), beyond 16: 0.15 at positions 16–31 and 1.00 there."
    assert sentences_naming_08("First. " + sentence + " Section 13 is optional.") == [sentence]
    assert quoted_numbers(sentence) == ["16", "0.15", "16–31", "1.00"]
    assert printed("0.15", "sinusoidal 1.00 0.15 0.07") and not printed("0.15", "0.155")
    assert printed("16–31", "positions 1-15 16-31") and not printed("16–31", "116-310")
    assert not printed("1.00", "1.000") or printed("1.00", "1.00 ")


def test_notebook_05_quotes_notebook_08_somewhere():
    assert any(NAMES_08.search(c.source) for c in nbformat.read(NB05, as_version=4).cells
               if c.cell_type == "markdown")


@pytest.mark.parametrize(("number", "sentence"), quotes() or [("", "")])
def test_every_number_attributed_to_08_is_printed_by_08(number, sentence):
    if not number:
        pytest.skip("notebook 05 quotes no number from notebook 08")
    assert printed(number, outputs_text(NB08)), (
        f"notebook 05 quotes {number!r} from notebook 08, but 08's committed outputs do not print it: "
        f"{sentence}"
    )
