"""Every number notebook 05 attributes to notebook 08 is one that notebook 08's committed outputs print.

Notebook 05 (sections 6, 8 and 13) quotes notebook 08's extrapolation measurements. Notebook 08 is re-run and
rebuilt independently, so its numbers can change; this test fails as soon as a quote in 05 is no longer printed
by 08. A paragraph of a notebook-05 markdown cell attributes its numbers to 08 when it names notebook 08 (a link
to ``08_positions_measured.ipynb`` or the words "notebook 08"). Two checks:

- each number in such a paragraph (decimals, integers, position ranges such as "16–63") appears in 08's outputs
  as a whole token; "08" itself and section numbers ("optional section 13") are not quotes;
- where 05 gives a *method's* number for a task ("task A: … ALiBi 0.98 ± 0.00", or a markdown table with a
  row per task and a column per method), the number (with its ± sd when given) is that method's "beyond 16"
  cell in 08's table for that task, not merely a number printed somewhere (review of 05, item 3).
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


# --- (task, method, number) against notebook 08's tables -------------------------------------------------

METHOD_ALIASES = {  # how 05 names a row of 08's tables (lower case) -> 08's row label
    "order-blind floor": "order-blind", "floor": "order-blind", "nope": "none", "no positions": "none",
    "none": "none", "learned": "learned", "sinusoidal": "sinusoidal", "rope": "rope", "alibi": "alibi",
    "interpolated": "interpolated",
}
ALIAS = "|".join(sorted(map(re.escape, METHOD_ALIASES), key=len, reverse=True))
VALUE = r"\d+\.\d+(?:\s*±\s*\d+\.\d+)?"
METHOD_VALUE = re.compile(rf"(?<![\w-])({ALIAS})(?![\w-])[\s:(]*({VALUE})", re.IGNORECASE)
TASK = re.compile(r"\btask ([AB])\b", re.IGNORECASE)


def normal(value: str) -> str:
    return " ± ".join(part.strip() for part in value.split("±"))


def table_rows_08(text: str) -> dict[tuple[str, str], str]:
    """{(task, method): its "beyond 16" cell} from 08's printed tables and its interpolation lines."""
    rows: dict[tuple[str, str], str] = {}
    task, column = None, None
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        header = re.fullmatch(r"task ([AB])", cells[0])
        if header and "beyond 16" in cells:
            task, column = header.group(1), cells.index("beyond 16")
            continue
        interpolation = re.match(rf"task ([AB]), beyond 16: rope ({VALUE}), interpolated ({VALUE})", line)
        if interpolation:
            letter, plain, interpolated = interpolation.groups()
            rows[letter, "interpolated"] = normal(interpolated)
            assert rows.get((letter, "rope"), normal(plain)) == normal(plain), line
            continue
        if task is None or not line.strip():
            task = None
            continue
        if len(cells) > column:
            rows[task, cells[0]] = normal(cells[column])
    return rows


def method_quotes_in_prose(paragraph: str) -> list[tuple[str | None, str, str]]:
    """(task or None, 08's row label, value) for each "method number" of ``paragraph``, the task being the last
    "task A"/"task B" named before it."""
    found = []
    for match in METHOD_VALUE.finditer(paragraph):
        tasks = TASK.findall(paragraph[: match.start()])
        found.append((tasks[-1].upper() if tasks else None, METHOD_ALIASES[match.group(1).lower()],
                      normal(match.group(2))))
    return found


def method_quotes_in_tables(markdown: str) -> list[tuple[str | None, str, str]]:
    """(task, 08's row label, value) for each cell of a markdown table whose rows name a task and whose
    header names methods."""
    found, methods = [], None
    for line in markdown.splitlines():
        if not line.strip().startswith("|"):
            methods = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if methods is None:
            methods = [METHOD_ALIASES.get(cell.lower()) for cell in cells]
            methods = [m or next((v for k, v in METHOD_ALIASES.items() if k in cell.lower()), None)
                       for m, cell in zip(methods, cells, strict=True)]
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the separator row
        task = TASK.search(cells[0])
        for method, cell in zip(methods, cells, strict=False):
            value = re.match(VALUE, cell.replace("\\*", "").strip())
            if method and value:
                found.append((task.group(1).upper() if task else None, method, normal(value.group(0))))
    return found


def method_quotes() -> list[tuple[str | None, str, str, str]]:
    found = []
    for cell in nbformat.read(NB05, as_version=4).cells:
        if cell.cell_type != "markdown" or not NAMES_08.search(cell.source):
            continue
        found += [(*q, "table") for q in method_quotes_in_tables(cell.source)]
        for paragraph in paragraphs_naming_08(cell.source):
            found += [(*q, paragraph) for q in method_quotes_in_prose(paragraph)]
    return found


def test_the_table_helpers_read_08_and_05():
    printed_08 = ("task A              T=16    beyond 16       erased\n"
                  "none         0.97 ± 0.00  0.51 ± 0.01  0.97 ± 0.00\n"
                  "learned      1.00 ± 0.00          n/a  0.23 ± 0.01\n"
                  "order-blind         0.33         0.15\n\n"
                  "task A, beyond 16: rope 0.51 ± 0.03, interpolated 0.08 ± 0.01\n")
    assert table_rows_08(printed_08) == {("A", "none"): "0.51 ± 0.01", ("A", "learned"): "n/a",
                                         ("A", "order-blind"): "0.15", ("A", "interpolated"): "0.08 ± 0.01"}
    assert method_quotes_in_prose("Task A: ALiBi 0.98 ± 0.00, no better than no positions (NoPE 0.51); "
                                  "task B (floor 0.13): RoPE 0.32±0.07") == [
        ("A", "alibi", "0.98 ± 0.00"), ("A", "none", "0.51"), ("B", "order-blind", "0.13"),
        ("B", "rope", "0.32 ± 0.07")]
    table = ("| beyond 16 | order-blind floor | NoPE | RoPE |\n|---|---|---|---|\n"
             "| task B: repeat | 0.13 | 0.06 ± 0.06 \\* | 0.32 ± 0.07 |")
    assert method_quotes_in_tables(table) == [("B", "order-blind", "0.13"), ("B", "none", "0.06 ± 0.06"),
                                              ("B", "rope", "0.32 ± 0.07")]


def test_notebook_05_quotes_08s_methods_and_says_it_is_the_committed_run():
    quotes = method_quotes()
    assert {(task, method) for task, method, *_ in quotes} >= {
        ("A", "alibi"), ("A", "rope"), ("A", "none"), ("A", "sinusoidal"), ("A", "order-blind"),
        ("B", "alibi"), ("B", "rope"), ("B", "order-blind"), ("A", "interpolated")}
    for cell in nbformat.read(NB05, as_version=4).cells:  # 08 marks these tables NBVAL_IGNORE_OUTPUT
        if cell.cell_type == "markdown" and NAMES_08.search(cell.source) and (
                method_quotes_in_tables(cell.source) or any(method_quotes_in_prose(p)
                                                            for p in paragraphs_naming_08(cell.source))):
            assert "committed run" in cell.source, cell.source


@pytest.mark.parametrize(("task", "method", "value", "where"), method_quotes() or [(None, "", "", "")])
def test_each_method_number_is_that_methods_cell_in_08s_table(task, method, value, where):
    if not method:
        pytest.skip("notebook 05 quotes no method's number from notebook 08")
    assert task is not None, f"notebook 05 quotes {method} {value} from notebook 08 without naming the task: {where}"
    rows = table_rows_08(outputs_text(NB08))
    assert (task, method) in rows, f"08 prints no {method!r} row for task {task}: {where}"
    printed_value = rows[task, method]
    same = value == printed_value if "±" in value else value == printed_value.split(" ± ")[0]
    assert same, f"05 quotes task {task}, {method} {value}; 08 prints {printed_value}: {where}"
