"""Every number notebook 05 attributes to notebook 08 is one that notebook 08's committed outputs print.

Notebook 05 (section 6) quotes notebook 08's extrapolation measurements. Notebook 08 is re-run and rebuilt
independently, so its numbers can change; this test fails as soon as a quote in 05 is no longer printed by
08. A paragraph of a notebook-05 markdown cell attributes its numbers to 08 when it names notebook 08 (a link
to ``08_positions_measured.ipynb`` or the words "notebook 08"). Each number in such a paragraph (decimals,
integers, position ranges such as "16–63") must appear in 08's outputs as a whole token; "08" itself and
section numbers ("optional section 13") are not quotes.
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
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s*[–-]\s*\d+)?(?![\w])")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
NOT_QUOTES = re.compile(r"notebook 08|(?:optional )?sections? \d+(?:[–-]\d+)?", re.IGNORECASE)


def paragraphs_naming_08(markdown: str) -> list[str]:
    """The paragraphs of a markdown cell (blank-line separated; headings left out) that name notebook 08.

    A paragraph that names notebook 08 attributes its numbers to it, in whichever sentence they stand.
    """
    prose = "\n".join(line for line in markdown.splitlines() if not line.lstrip().startswith("#"))
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", prose)]
    return [block for block in blocks if NAMES_08.search(block)]


def quoted_numbers(paragraph: str) -> list[str]:
    """The numbers of ``paragraph`` that quote a measurement: not link targets, not "notebook 08", not
    section numbers."""
    text = NOT_QUOTES.sub(" ", LINK_TARGET.sub("]", paragraph))
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
            for paragraph in paragraphs_naming_08(cell.source):
                found += [(number, paragraph) for number in quoted_numbers(paragraph)]
    return found


def printed(number: str, text: str) -> bool:
    if re.search(r"[–-]", number):  # a range of positions: 08 prints "16-31" (or with an en dash)
        low, high = re.split(r"\s*[–-]\s*", number)
        return re.search(rf"(?<!\d){low}\s*[–-]\s*{high}(?!\d)", text) is not None
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text) is not None


def test_the_helpers_find_numbers_and_ranges():
    paragraph = ("In [notebook 08](08_positions_measured.ipynb), beyond 16: 0.15 at positions 16–31. RoPE "
                 "0.08 there (optional section 13).")
    assert paragraphs_naming_08("First.\n\n" + paragraph + "\n\nLlama 3.1 is not quoted.") == [paragraph]
    assert paragraphs_naming_08("### Llama 3.1's scaling\n\n" + paragraph) == [paragraph]
    assert quoted_numbers(paragraph) == ["16", "0.15", "16–31", "0.08"]
    assert printed("0.15", "sinusoidal 1.00 0.15 0.07") and not printed("0.15", "0.155")
    assert printed("16–31", "positions 1-15 16-31") and not printed("16–31", "116-310")
    assert not printed("1.00", "1.000") or printed("1.00", "1.00 ")


def test_notebook_05_quotes_notebook_08_somewhere():
    assert any(NAMES_08.search(c.source) for c in nbformat.read(NB05, as_version=4).cells
               if c.cell_type == "markdown")


@pytest.mark.parametrize(("number", "paragraph"), quotes() or [("", "")])
def test_every_number_attributed_to_08_is_printed_by_08(number, paragraph):
    if not number:
        pytest.skip("notebook 05 quotes no number from notebook 08")
    assert printed(number, outputs_text(NB08)), (
        f"notebook 05 quotes {number!r} from notebook 08, but 08's committed outputs do not print it: "
        f"{paragraph}"
    )
