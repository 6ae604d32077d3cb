"""The slide decks and the website, checked in a real browser (headless Chromium driven by Playwright).

- Every slide of every deck (notebooks and solutions) at 1280×720, measured by ``tools/check_slides.py``
  (classic scrollbars shown): code and outputs at ≥ 18 px and prose at ≥ 20 px on screen, drawn at scale 1
  (nothing shrunk), nothing running past the slide, every image loaded and whole, math rendered, no text
  under reveal's navigation arrows, no scrollbar; failing slides are listed by deck, slide number and
  heading, and screenshotted into build/screenshots/failing/.
- Every deck and every site page: axe-core (vendored in tools/vendor/axe-core) finds no serious or critical
  accessibility violation (contrast, links told apart by colour only, scrollable regions reachable by
  keyboard, images with alt text, …); a deck is checked in reveal's print view, where every slide is laid out.
- No rendered page or slide shows a raw Markdown table (a ``|---|`` row or pipe-framed lines left as text),
  and no table cell shows the ``\\|`` escape.
- Every page of the website, crawled from index.html: no broken link or image, MathJax output on every page
  that has math, and no request leaves the build folder (everything offline); at 1280×800 and on a phone
  (390×844) the navigation bar holds all its links (also "next →"), the title is not squeezed, and
  nothing is wider than the window.
- A few screenshots of slides and pages go to build/screenshots/ for people to look at (one on a phone).

Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``; ``.ci/run`` installs it). Without it the
tests skip locally, but fail on CI (``CI`` or ``COURSE_REQUIRE_BROWSER`` set).
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from utils.data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import build_site  # noqa: E402
import build_slides  # noqa: E402
import check_slides  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
WIDTH, HEIGHT = build_slides.SLIDE_WIDTH, build_slides.SLIDE_HEIGHT
DECKS = build_slides.all_notebooks()
SHOWCASE = {"01_word_vectors_and_analogies", "05_positional_embeddings"}  # decks with screenshots
MAX_FAILING_SCREENSHOTS = 6
AXE = REPO_ROOT / "tools" / "vendor" / "axe-core" / "axe.min.js"
SITE_VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def file_path(url: str) -> Path:
    """The file a file:// URL names (also on Windows, where the URL path is /C:/...)."""
    return Path(url2pathname(urlparse(url).path)).resolve()


def record(line: str) -> None:
    """One line per deck/site into build/screenshots/summary.txt (readable under pytest-xdist, too)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with open(SCREENSHOTS / "summary.txt", "a", encoding="utf-8") as summary:
        summary.write(line + "\n")
    print(line)


def require_browser() -> str:
    path = check_slides.chromium_path()
    if path is None:
        message = "Chromium is not installed (apt-get install chromium; .ci/run does this)"
        if os.environ.get("CI") or os.environ.get("COURSE_REQUIRE_BROWSER"):
            pytest.fail(message + " — required on CI")
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI") or os.environ.get("COURSE_REQUIRE_BROWSER"):
            pytest.fail("playwright is not installed (it is in requirements.txt)")
        pytest.skip("playwright is not installed")
    return path


@pytest.fixture(scope="module")
def browser():
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = check_slides.launch(playwright, executable)  # classic scrollbars shown
        yield chromium
        chromium.close()


def offline_page(browser, root: Path, viewport: dict | None = None):
    """A page (default 1280×720) that records failed requests and refuses any request outside ``root``."""
    page = browser.new_page(viewport=viewport or {"width": WIDTH, "height": HEIGHT})
    page.failures = []
    page.on("requestfailed", lambda request: page.failures.append(f"{request.url[:120]} ({request.failure})"))
    page.on("pageerror", lambda error: page.failures.append(f"JavaScript error: {error}"))

    def route(route):
        url = route.request.url
        if url.startswith("data:") or (
            url.startswith("file://") and Path(root).resolve() in file_path(url).parents
        ):
            route.continue_()
        else:
            page.failures.append(f"request outside the build (not offline): {url[:120]}")
            route.abort()

    page.route("**/*", route)
    return page


UNRENDERED_MATH = r"""() => {
  const text = [...document.querySelectorAll('.jp-RenderedMarkdown')].map(e => e.innerText).join('\n');
  const match = text.match(/\$[^$\s][^$\n]{0,80}\$/);
  return match ? match[0] : null;
}"""


def wait_for_math(page) -> None:
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")


AXE_RUN = """async (context) => {
  // preload off: axe would re-fetch the style sheets (for css-orientation-lock), which file:// refuses
  const result = await axe.run(context || document, {resultTypes: ['violations'], preload: false});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, count: v.nodes.length,
    where: v.nodes.slice(0, 3).map(n => n.target.join(' ').slice(-90)),
    why: (v.nodes[0].failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240)}));
}"""


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations of the page, one line each."""
    page.add_script_tag(path=str(AXE))
    return [
        f"{v['impact']} {v['id']} ×{v['count']} at {v['where']}: {v['why']}" for v in page.evaluate(AXE_RUN)
    ]


# A raw Markdown table left as text: a |---| row, or two lines framed by pipes, in a paragraph or list item.
RAW_TABLE_SEPARATOR = re.compile(r"\|\s*:?-{3,}:?\s*\|")
PIPE_FRAMED = re.compile(r"^\s*\|.*\|\s*$", re.M)
TEXT_BLOCK = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1>", re.S)
TABLE_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S)


def raw_markdown_tables(page_html: str) -> list[str]:
    """Lines of ``page_html``'s paragraphs and list items (code blocks left out) that are a Markdown table
    left unrendered, and table cells that show a ``\\|`` escape."""
    page_html = re.sub(r"<pre\b.*?</pre>", "", page_html, flags=re.S)
    found = []
    for _, block in TEXT_BLOCK.findall(page_html):
        text = html.unescape(re.sub(r"<[^>]+>", "", block))
        framed = PIPE_FRAMED.findall(text)
        if RAW_TABLE_SEPARATOR.search(text) or len(framed) >= 2:
            found.append("raw table: " + (framed or [text])[0].strip()[:100])
    for cell in TABLE_CELL.findall(page_html):
        if "\\|" in cell:
            found.append(
                "table cell shows the \\| escape: " + html.unescape(re.sub(r"<[^>]+>", "", cell))[:80]
            )
    return found


def test_raw_markdown_tables_are_found():
    assert raw_markdown_tables("<p>| a | b |\n|---|---|\n| 1 | 2 |</p>")
    assert raw_markdown_tables("<ul><li>list\n| a | b |\n| 1 | 2 |</li></ul>")
    assert raw_markdown_tables("<table><tr><td><code>&lt;\\|endoftext\\|&gt;</code></td></tr></table>")
    assert not raw_markdown_tables("<p>norm $\\|x\\|$ and |x| here</p><pre>| a |\n| b |</pre>")
    assert not raw_markdown_tables("<table><tr><td>a</td></tr></table>")


@pytest.fixture(scope="module")
def built_deck(tmp_path_factory):
    """``built_deck(notebook)``: its deck, built once per test process into one folder."""
    folder = tmp_path_factory.mktemp("slides")
    decks: dict[Path, Path] = {}

    def deck(notebook: Path) -> Path:
        if notebook not in decks:
            decks[notebook] = build_slides.build(folder, notebooks=[notebook])[0]
        return decks[notebook]

    return deck


@pytest.mark.parametrize("notebook", DECKS, ids=lambda p: p.stem)
def test_every_slide_is_legible_at_1280x720(browser, built_deck, notebook):
    """tools/check_slides.py's measurement: fonts, fit, scale 1, nothing under the arrows, no scrollbar."""
    deck = built_deck(notebook)
    failures: list[str] = []
    page = check_slides.open_deck(browser, deck, failures)
    report = check_slides.measure_deck(page, notebook)
    failing = []
    (SCREENSHOTS / "failing").mkdir(parents=True, exist_ok=True)
    for slide in report.slides:
        where = f"{notebook.parent.name}/{notebook.name} slide {slide.number}/{len(report.slides)} ({slide.heading!r})"
        screenshot = None
        if slide.problems:
            failing.append(f"{where}: {'; '.join(slide.problems)}")
            if len(failing) <= MAX_FAILING_SCREENSHOTS:
                screenshot = SCREENSHOTS / "failing" / f"{notebook.stem}-slide{slide.number:02d}.png"
        elif notebook.stem in SHOWCASE and slide.number in (1, 3):
            screenshot = SCREENSHOTS / f"slides-{notebook.stem}-{slide.number:02d}.png"
        if screenshot:
            h, v = slide.index.split(".")
            page.evaluate(f"() => Reveal.slide({h}, {v})")
            page.screenshot(path=str(screenshot))
    failing += report.errors + failures
    page.close()
    record(f"{deck.name}: {len(report.slides)} slides checked, {len(failing)} problems")
    assert not failing, (
        f"{len(failing)} of {len(report.slides)} slides are not legible at 1280×720 or fail offline "
        f"(python tools/check_slides.py {notebook.parent.name}/{notebook.name}):\n" + "\n".join(failing)
    )


def test_the_slide_check_catches_each_problem(browser, tmp_path):
    """tools/check_slides.py on a made-up deck: small text, a slide too tall, text under the arrows and a
    scrollbar are each named, and a plain slide passes."""

    def cell(text):
        return {"cell_type": "markdown", "source": text, "metadata": {"slideshow": {"slide_type": "slide"}}}

    tall = "\n\n".join(f"Paragraph {n}." for n in range(40))
    cells = [
        cell("# 99 · Made up"),
        cell("## 1. Fine\n\nA short slide."),
        cell('## 2. Small\n\n<span style="font-size: 12px">tiny print</span>'),
        cell("## 3. Tall\n\n" + tall),
        cell(
            '## 4. Corner\n\n<p style="margin-top: 560px; text-align: right">text in the arrows\' corner</p>'
        ),
        cell(
            '## 5. Scroll\n\n<div style="overflow: auto; height: 60px"><p>a</p><p>b</p><p>c</p><p>d</p></div>'
        ),
    ]
    notebook = tmp_path / "notebooks" / "99_made_up.ipynb"
    notebook.parent.mkdir()
    for number, made_up in enumerate(cells):
        made_up["id"] = f"cell{number}"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    deck = build_slides.build(tmp_path / "decks", notebooks=[notebook])[0]
    page = check_slides.open_deck(browser, deck)
    report = check_slides.measure_deck(page, notebook)
    page.close()
    problems = {slide.heading: " ".join(slide.problems) for slide in report.slides}
    assert problems["1. Fine"] == "" and problems["99 · Made up"] == ""
    assert "prose at 12 px" in problems["2. Small"]
    assert "below the slide" in problems["3. Tall"]
    assert "under the navigation arrows" in problems["4. Corner"]
    assert "scrollbar" in problems["5. Scroll"]
    assert report.core == 6 and not report.errors


@pytest.mark.parametrize("notebook", DECKS, ids=lambda p: p.stem)
def test_deck_has_no_serious_accessibility_violation_and_no_raw_table(browser, built_deck, notebook):
    deck = built_deck(notebook)
    problems = raw_markdown_tables(deck.read_text(encoding="utf-8"))
    page = offline_page(browser, deck.parent)
    page.goto(deck.as_uri() + "?print-pdf")  # reveal's print view lays out every slide, so axe sees them all
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    wait_for_math(page)
    problems += axe_violations(page) + page.failures
    page.close()
    record(f"{deck.name}: axe-core and raw-table check, {len(problems)} problems")
    assert not problems, f"{notebook.parent.name}/{notebook.name}:\n" + "\n".join(problems)


SITE_SOURCES = {
    build_site.site_path(path): path for path in build_site.notebook_files() + build_site.markdown_files()
}
SITE_PAGES = sorted(SITE_SOURCES) + ["solutions/index.html"]
SITE_SHOWCASE = {"index.html", "notebooks/05_positional_embeddings.html", "solutions/index.html"}
MATH = re.compile(r"\$[^$\s][^$\n]*\$")


def has_math(repo_path: str | None) -> bool:
    """Whether the page's Markdown (outside code) holds a $…$ formula."""
    if repo_path is None:
        return False
    text = (REPO_ROOT / repo_path).read_text(encoding="utf-8")
    if repo_path.endswith(".ipynb"):
        cells = json.loads(text)["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    text = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)
    return bool(MATH.search(text))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The website, built once per test process (each pytest-xdist worker builds its own)."""
    root = tmp_path_factory.mktemp("site").resolve()
    build_site.build(root)
    return root


def test_every_site_page_is_reached_from_the_index(site):
    """Crawl the links of the built pages (no browser needed) from index.html; every page is reached."""
    seen, queue = set(), ["index.html"]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        html = (site / name).read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"#:]+\.html)(?:#[^"]*)?"', html):
            target = (site / name).parent.joinpath(href).resolve()
            if target.exists() and site in target.parents:
                queue.append(target.relative_to(site).as_posix())
    record(f"site: {len(seen)} pages reached by following links from index.html")
    assert sorted(seen) == sorted(SITE_PAGES), f"unreached: {sorted(set(SITE_PAGES) - seen)}"


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_page_links_images_math_offline(browser, site, name):
    page = offline_page(browser, site)
    page.goto((site / name).as_uri())
    wait_for_math(page)
    problems = []
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        if href.startswith("file://") and not file_path(href).exists():
            problems.append(f"broken link to {href}")
    for image in page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => ({src: i.src.slice(0, 80), ok: i.complete && i.naturalWidth > 0}))"
    ):
        if not image["ok"]:
            problems.append(f"image not loaded: {image['src']}")
    # After MathJax: formulas rendered where the source has math, none in error, no "$…$" left as text.
    rendered = page.eval_on_selector_all("mjx-container", "m => m.length")
    if has_math(SITE_SOURCES.get(name)) and rendered == 0:
        problems.append("the page has math but MathJax rendered nothing")
    leftover = page.evaluate(UNRENDERED_MATH)
    if leftover:
        problems.append(f"math left unrendered: {leftover!r}")
    errors = page.eval_on_selector_all("mjx-merror", "m => m.length")
    if errors:
        problems.append(f"{errors} formulas failed to render")
    problems += page.failures
    if name in SITE_SHOWCASE:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / ("site-" + name.replace("/", "-").replace(".html", ".png"))))
    page.close()
    record(f"site page {name}: {rendered} formulas rendered, {len(problems)} problems")
    assert not problems, f"{name}:\n" + "\n".join(problems)


# The navigation bar keeps every link inside it (also "next →" on a phone), the page title is not squeezed
# into a narrow column, and nothing is wider than the window (no sideways scrolling).
LAYOUT = """() => {
  const problems = [], W = window.innerWidth;
  const nav = document.querySelector('nav.course-nav');
  if (!nav) return ['no navigation bar'];
  const box = nav.getBoundingClientRect();
  for (const a of nav.querySelectorAll('a')) {
    const r = a.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      problems.push(`navigation link ${JSON.stringify(a.textContent)} sticks out of the navigation bar`);
    if (a.scrollWidth > a.clientWidth + 1 && getComputedStyle(a).display !== 'inline')
      problems.push(`navigation link ${JSON.stringify(a.textContent)} is cut`);
  }
  const title = document.querySelector('h1');
  if (title) {
    const r = title.getBoundingClientRect();
    if (r.width < Math.min(300, 0.6 * W)) problems.push(`the title is squeezed into ${Math.round(r.width)} px`);
  }
  const wide = document.documentElement.scrollWidth;
  if (wide > W + 1) {
    const culprit = [...document.querySelectorAll('main *')].find(e => e.getBoundingClientRect().right > W + 1);
    problems.push(`the page is ${wide} px wide in a ${W} px window` +
                  (culprit ? ` (${culprit.tagName.toLowerCase()}.${[...culprit.classList].join('.')})` : ''));
  }
  return problems;
}"""


@pytest.mark.parametrize("viewport", sorted(SITE_VIEWPORTS))
@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_page_layout(browser, site, name, viewport):
    page = offline_page(browser, site, SITE_VIEWPORTS[viewport])
    page.goto((site / name).as_uri())
    problems = page.evaluate(LAYOUT) + page.failures
    if viewport == "phone" and name in SITE_SHOWCASE:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / ("phone-" + name.replace("/", "-").replace(".html", ".png"))))
    page.close()
    assert not problems, f"{name} at {viewport} {SITE_VIEWPORTS[viewport]}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_page_accessibility_and_tables(browser, site, name):
    problems = raw_markdown_tables((site / name).read_text(encoding="utf-8"))
    page = offline_page(browser, site, SITE_VIEWPORTS["desktop"])
    page.goto((site / name).as_uri())
    wait_for_math(page)
    problems += axe_violations(page) + page.failures
    page.close()
    record(f"site page {name}: axe-core and raw-table check, {len(problems)} problems")
    assert not problems, f"{name}:\n" + "\n".join(problems)
