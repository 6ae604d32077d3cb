"""Check the slide decks of notebooks as an instructor would project them: 1280×720 in headless Chromium.

    python tools/check_slides.py notebooks/05_positional_embeddings.ipynb [more notebooks ...]
    python tools/check_slides.py --core notebooks/05_positional_embeddings.ipynb   # the core deck only
    python tools/check_slides.py --screenshots build/screenshots/check notebooks/01_*.ipynb

Builds each deck with ``tools/build_slides.py`` into a temporary folder, opens it in Chromium (Debian's
``/usr/bin/chromium`` driven by Playwright; no browser is downloaded) with **classic scrollbars shown**
(as on Windows and most Linux desktops) and prints, per slide:

- its number, reveal's ``h.v`` index, its heading and its part: ``core``, ``optional``, ``exercises``,
  ``solution``. The **core path** is every slide and sub-slide outside sections whose ``##`` heading
  contains ``(Optional)`` (and outside ``###`` sub-slides whose own heading does) and outside
  ``## Exercises``; see ``build_slides.slide_plan``. It is counted from the notebook's slide metadata, so
  no browser is needed for it (``tests/test_presenting.py`` checks ≤ 25 per notebook);
- the smallest rendered font size (CSS px on screen, after reveal's scale) of code, of outputs and of prose;
- problems: code/outputs under 18 px or prose under 20 px, the slide drawn at a scale below 1, content
  running past the 1280×720 slide (by how many px), an image not whole, a formula that failed, text under
  reveal's navigation arrows (bottom right), a visible scrollbar (an element whose content overflows its box).

It exits with 1 when any slide has a problem or the core path has more than 25 slides, else 0. One notebook
takes about 10–20 s (building the deck is most of it). ``tests/test_browser.py`` runs the same measurement
on every deck.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_slides  # noqa: E402

WIDTH, HEIGHT = build_slides.SLIDE_WIDTH, build_slides.SLIDE_HEIGHT
MIN_CODE_PX = 18.0  # code cells and their outputs
MIN_PROSE_PX = 20.0  # markdown text
MAX_CORE_SLIDES = build_slides.MAX_CORE_SLIDES
# Chromium flags: no sandbox (containers), no GPU; Playwright hides scrollbars in headless mode by default,
# which would hide the stray scrollbars a presenter sees, so that default is turned off.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
IGNORED_DEFAULT_ARGS = ["--hide-scrollbars"]

# Measure the current slide. Text is measured through its text nodes: every visible run of text counts,
# classified by where it sits (code input, output, markdown prose); its size is the computed font size
# times reveal's scale times any CSS zoom on the way up.
MEASURE_SLIDE = r"""() => {
  const slide = Reveal.getCurrentSlide();
  const W = window.innerWidth, H = window.innerHeight, scale = Reveal.getScale();
  const problems = [], fonts = {code: null, output: null, prose: null};
  const zoomOf = el => { let z = 1; for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const v = parseFloat(getComputedStyle(e).zoom); if (v && v !== 1) z *= v; } return z; };
  const controls = [...document.querySelectorAll('.reveal .controls button')]
      .filter(b => getComputedStyle(b).display !== 'none' && getComputedStyle(b).visibility !== 'hidden')
      .map(b => b.getBoundingClientRect()).filter(r => r.width > 0);
  const hits = (a, b) => a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  let underControls = [], bottom = 0, right = 0;
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('mjx-container, mjx-assistive-mml, .anchor-link, script, style, aside.notes'))
      continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const range = document.createRange(); range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    let kind = null;
    if (el.closest('.jp-OutputArea-output')) kind = 'output';
    else if (el.closest('.jp-RenderedMarkdown, .jp-MarkdownOutput, .jp-MarkdownCell'))
      kind = el.closest('pre') ? 'code' : 'prose';
    else if (el.closest('.jp-InputArea, .jp-CodeCell')) kind = 'code';
    if (kind) {
      const px = parseFloat(style.fontSize) * scale * zoomOf(el);
      if (fonts[kind] === null || px < fonts[kind]) fonts[kind] = Math.round(px * 10) / 10;
    }
    for (const r of rects) {
      bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right);
      if (controls.some(c => hits(r, c))) underControls.push(text.slice(0, 30));
    }
  }
  for (const el of slide.querySelectorAll('img, svg, canvas, table, pre')) {
    if (el.closest('mjx-container')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right);
  }
  if (bottom > H + 1) problems.push(`content runs ${Math.round(bottom - H)} px below the slide`);
  if (right > W + 1) problems.push(`content runs ${Math.round(right - W)} px past the right edge`);
  if (scale < 0.999) problems.push(`slide drawn at scale ${scale.toFixed(3)} (shrunk)`);
  const zoom = zoomOf(slide);
  if (zoom < 0.999) problems.push(`slide zoomed to ${zoom.toFixed(3)} (shrunk)`);
  slide.querySelectorAll('img').forEach((img, i) => {
    const r = img.getBoundingClientRect();
    if (!img.complete || img.naturalWidth === 0) problems.push(`image ${i + 1} is not loaded`);
    else if (r.top < -1 || r.left < -1 || r.bottom > H + 1 || r.right > W + 1)
      problems.push(`image ${i + 1} is not whole (top ${Math.round(r.top)}, bottom ${Math.round(r.bottom)})`);
  });
  if (slide.querySelector('mjx-merror, .MathJax_Error')) problems.push('a formula failed to render');
  if (underControls.length)
    problems.push(`text under the navigation arrows: ${JSON.stringify(underControls.slice(0, 3))}`);
  // A visible scrollbar: an element that scrolls (overflow auto/scroll) and whose content overflows it, or
  // that reserves room for a classic scrollbar.
  const scrollbars = [];
  for (const el of [slide, ...slide.querySelectorAll('*')]) {
    if (el.closest('mjx-container')) continue;
    const s = getComputedStyle(el);
    const scrollX = /(auto|scroll)/.test(s.overflowX), scrollY = /(auto|scroll)/.test(s.overflowY);
    if (!scrollX && !scrollY) continue;
    const barY = el.offsetWidth - el.clientWidth - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    const barX = el.offsetHeight - el.clientHeight - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth);
    const over = (scrollX && el.scrollWidth > el.clientWidth + 1) || (scrollY && el.scrollHeight > el.clientHeight + 1);
    if (over || (scrollY && barY > 0.5) || (scrollX && barX > 0.5)) {
      const near = el.querySelector('h1, h2, h3, h4') || el.closest('h1, h2, h3, h4');
      scrollbars.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')}` +
                      (near ? ` (beside heading ${JSON.stringify(near.textContent.replace('¶', '').trim().slice(0, 30))})` : ''));
    }
  }
  if (scrollbars.length) problems.push(`scrollbar on ${scrollbars.slice(0, 3).join(', ')}`);
  const heading = slide.querySelector('h1, h2, h3');
  return {problems, fonts, scale,
          heading: heading ? heading.textContent.replace('¶', '').trim().slice(0, 60) : ''};
}"""

# Visit every slide and measure it, in one call (layout is synchronous with transitions off).
MEASURE_DECK = f"""() => Reveal.getSlides().map(s => {{
    const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v || 0);
    return Object.assign({{h: i.h, v: i.v || 0}}, ({MEASURE_SLIDE})()); }})"""


def font_problems(fonts: dict) -> list[str]:
    problems = []
    for kind, minimum in (("code", MIN_CODE_PX), ("output", MIN_CODE_PX), ("prose", MIN_PROSE_PX)):
        size = fonts.get(kind)
        if size is not None and size < minimum - 0.05:
            problems.append(f"{kind} at {size:g} px (< {minimum:g})")
    return problems


@dataclass
class SlideReport:
    number: int
    index: str  # reveal's "h.v"
    heading: str
    part: str
    fonts: dict
    problems: list[str] = field(default_factory=list)


@dataclass
class DeckReport:
    notebook: Path
    slides: list[SlideReport]
    core: int
    parts: dict
    errors: list[str] = field(default_factory=list)  # deck-level: failed requests, slide count mismatch

    @property
    def failing(self) -> list[SlideReport]:
        return [slide for slide in self.slides if slide.problems]

    @property
    def ok(self) -> bool:
        return (
            not self.failing
            and not self.errors
            and (self.notebook.parent.name != "notebooks" or self.core <= MAX_CORE_SLIDES)
        )


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("COURSE_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def launch(playwright, executable: str | None = None):
    """Headless Chromium with classic scrollbars visible (Playwright's ``--hide-scrollbars`` left out)."""
    executable = executable or chromium_path()
    if executable is None:
        raise SystemExit(
            "Chromium is not installed (apt-get install chromium); set COURSE_CHROMIUM to its path"
        )
    return playwright.chromium.launch(
        executable_path=executable, args=CHROMIUM_ARGS, ignore_default_args=IGNORED_DEFAULT_ARGS
    )


def open_deck(browser, deck: Path, failures: list[str] | None = None):
    """A 1280×720 page showing ``deck`` with math typeset and transitions off."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    if failures is not None:
        page.on("requestfailed", lambda request: failures.append(f"{request.url[:120]} ({request.failure})"))
        page.on("pageerror", lambda error: failures.append(f"JavaScript error: {error}"))
    page.goto(deck.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    return page


def measure_deck(page, notebook: Path, plan: list | None = None) -> DeckReport:
    """Measure every slide of the open deck of ``notebook`` and match it with the notebook's slide plan."""
    plan = build_slides.slide_plan(notebook) if plan is None else plan
    results = page.evaluate(MEASURE_DECK)
    errors = []
    if len(results) != len(plan):
        errors.append(f"the deck has {len(results)} slides, the notebook's slide metadata {len(plan)}")
    slides = []
    for number, result in enumerate(results, start=1):
        planned = plan[number - 1] if number <= len(plan) else None
        slides.append(
            SlideReport(
                number=number,
                index=f"{result['h']}.{result['v']}",
                heading=(planned.heading if planned else result["heading"])[:60],
                part=planned.part if planned else "?",
                fonts=result["fonts"],
                problems=font_problems(result["fonts"]) + result["problems"],
            )
        )
    parts: dict[str, int] = {}
    for slide in plan:
        parts[slide.part] = parts.get(slide.part, 0) + 1
    return DeckReport(notebook, slides, parts.get("core", 0), parts, errors)


def check(
    notebooks: list[Path], core_only: bool = False, screenshots: Path | None = None
) -> list[DeckReport]:
    from playwright.sync_api import sync_playwright

    reports = []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        decks = build_slides.build(Path(folder), notebooks=notebooks, core=core_only)
        browser = launch(playwright)
        for notebook, deck in zip(notebooks, decks, strict=True):
            notebook = Path(notebook).resolve()
            content = json.loads(notebook.read_text(encoding="utf-8"))
            if core_only:
                content = build_slides.core_cells(content, notebook.parent.name)
            plan = build_slides.slide_plan(content, notebook.parent.name)
            failures: list[str] = []
            page = open_deck(browser, deck, failures)
            report = measure_deck(page, notebook, plan)
            report.errors += failures
            if screenshots:
                screenshots.mkdir(parents=True, exist_ok=True)
                for slide in report.failing:
                    h, v = slide.index.split(".")
                    page.evaluate(f"() => Reveal.slide({h}, {v})")
                    page.screenshot(path=str(screenshots / f"{notebook.stem}-slide{slide.number:02d}.png"))
            page.close()
            reports.append(report)
        browser.close()
    return reports


def fmt(size) -> str:
    return "-" if size is None else f"{size:g}"


def print_report(report: DeckReport, out=sys.stdout) -> None:
    name = f"{report.notebook.parent.name}/{report.notebook.name}"
    parts = ", ".join(f"{count} {part}" for part, count in report.parts.items())
    print(f"\n{name}: {len(report.slides)} slides ({parts})", file=out)
    print(
        f"{'#':>3} {'h.v':>5}  {'part':<9} {'code':>5} {'out':>5} {'prose':>5}  heading / problems", file=out
    )
    for slide in report.slides:
        f = slide.fonts
        print(
            f"{slide.number:>3} {slide.index:>5}  {slide.part:<9} {fmt(f.get('code')):>5} "
            f"{fmt(f.get('output')):>5} {fmt(f.get('prose')):>5}  {slide.heading}",
            file=out,
        )
        for problem in slide.problems:
            print(f"{'':>34}!! {problem}", file=out)
    for error in report.errors:
        print(f"!! {error}", file=out)
    verdict = "ok" if report.core <= MAX_CORE_SLIDES else f"TOO MANY (> {MAX_CORE_SLIDES})"
    if report.notebook.parent.name == "notebooks":
        print(f"core slides: {report.core} ({verdict})", file=out)
    print(
        f"slides with problems: {len(report.failing)} of {len(report.slides)}"
        + (f" (numbers {', '.join(str(s.number) for s in report.failing)})" if report.failing else ""),
        file=out,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--core", action="store_true", help="check the core deck (optional sections left out)"
    )
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of every failing slide here")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args(argv)
    for notebook in args.notebooks:
        if not notebook.is_file() or notebook.suffix != ".ipynb":
            parser.error(
                f"{notebook} is not a notebook file (give e.g. notebooks/05_positional_embeddings.ipynb)"
            )
    reports = check(args.notebooks, core_only=args.core, screenshots=args.screenshots)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "notebook": str(r.notebook.relative_to(build_slides.REPO_ROOT)),
                        "core": r.core,
                        "parts": r.parts,
                        "errors": r.errors,
                        "slides": [vars(s) for s in r.slides],
                    }
                    for r in reports
                ],
                indent=1,
            )
        )
    else:
        for report in reports:
            print_report(report)
    return 0 if all(report.ok for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
