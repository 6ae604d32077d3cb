"""The slide decks and the website, checked in a real browser (headless Chromium driven by Playwright).

- Every slide of every deck (notebooks and solutions) at 1280×720: no element runs past the visible area,
  every image is loaded and whole, math is rendered; failing slides are listed by deck, slide number and
  heading, and screenshotted into build/screenshots/failing/.
- Every page of the website, crawled from index.html: no broken link or image, MathJax output on every page
  that has math, and no request leaves the build folder (everything offline).
- A few screenshots of slides and pages go to build/screenshots/ for people to look at.

Chromium is Debian's ``chromium`` package (``/usr/bin/chromium``; ``.ci/run`` installs it). Without it the
tests skip locally, but fail on CI (``CI`` or ``COURSE_REQUIRE_BROWSER`` set).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from utils.data import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import build_site  # noqa: E402
import build_slides  # noqa: E402

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
WIDTH, HEIGHT = build_slides.SLIDE_WIDTH, build_slides.SLIDE_HEIGHT
DECKS = build_slides.all_notebooks()
SHOWCASE = {"01_word_vectors_and_analogies", "05_positional_embeddings"}  # decks with screenshots
MAX_FAILING_SCREENSHOTS = 6


def file_path(url: str) -> Path:
    """The file a file:// URL names (also on Windows, where the URL path is /C:/...)."""
    return Path(url2pathname(urlparse(url).path)).resolve()


def record(line: str) -> None:
    """One line per deck/site into build/screenshots/summary.txt (readable under pytest-xdist, too)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with open(SCREENSHOTS / "summary.txt", "a", encoding="utf-8") as summary:
        summary.write(line + "\n")
    print(line)


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


def require_browser() -> str:
    path = chromium_path()
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
        chromium = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


def offline_page(browser, root: Path):
    """A 1280×720 page that records failed requests and refuses any request outside ``root``."""
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
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


# Everything that runs past the 1280×720 window, or an image that is not loaded or not whole.
MEASURE_SLIDE = """() => {
  const slide = Reveal.getCurrentSlide();
  const W = window.innerWidth, H = window.innerHeight, problems = [];
  let bottom = 0, right = 0;
  for (const el of slide.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('mjx-assistive-mml')) continue;
    bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right);
  }
  if (bottom > H + 1) problems.push(`content runs ${Math.round(bottom - H)} px below the slide`);
  if (right > W + 1) problems.push(`content runs ${Math.round(right - W)} px past the right edge`);
  slide.querySelectorAll('img').forEach((img, i) => {
    const r = img.getBoundingClientRect();
    if (!img.complete || img.naturalWidth === 0) problems.push(`image ${i + 1} is not loaded`);
    else if (r.top < -1 || r.left < -1 || r.bottom > H + 1 || r.right > W + 1)
      problems.push(`image ${i + 1} is not whole (top ${Math.round(r.top)}, bottom ${Math.round(r.bottom)})`);
  });
  if (slide.querySelector('mjx-merror, .MathJax_Error')) problems.push('a formula failed to render');
  const heading = slide.querySelector('h1, h2, h3');
  return {problems, heading: heading ? heading.textContent.replace('¶', '').trim().slice(0, 60) : ''};
}"""


UNRENDERED_MATH = r"""() => {
  const text = [...document.querySelectorAll('.jp-RenderedMarkdown')].map(e => e.innerText).join('\n');
  const match = text.match(/\$[^$\s][^$\n]{0,80}\$/);
  return match ? match[0] : null;
}"""


def wait_for_math(page) -> None:
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")


@pytest.fixture(scope="module")
def decks_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("slides")


@pytest.mark.parametrize("notebook", DECKS, ids=lambda p: p.stem)
def test_every_slide_fits_1280x720(browser, decks_dir, notebook):
    deck = build_slides.build(decks_dir, notebooks=[notebook])[0]
    page = offline_page(browser, decks_dir)
    page.goto(deck.as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    wait_for_math(page)
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    slides = page.evaluate("() => Reveal.getSlides().map(s => Reveal.getIndices(s))")
    assert slides, f"{deck.name} has no slides"
    # Visit and measure every slide in one call (layout is synchronous with transitions off).
    results = page.evaluate(f"""() => Reveal.getSlides().map(s => {{
        const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v || 0); return ({MEASURE_SLIDE})(); }})""")
    failing = []
    (SCREENSHOTS / "failing").mkdir(parents=True, exist_ok=True)
    for number, (indices, result) in enumerate(zip(slides, results, strict=True), start=1):
        where = f"{notebook.parent.name}/{notebook.name} slide {number}/{len(slides)} ({result['heading']!r})"
        screenshot = None
        if result["problems"]:
            failing.append(f"{where}: {'; '.join(result['problems'])}")
            if len(failing) <= MAX_FAILING_SCREENSHOTS:
                screenshot = SCREENSHOTS / "failing" / f"{notebook.stem}-slide{number:02d}.png"
        elif notebook.stem in SHOWCASE and number in (1, 3):
            screenshot = SCREENSHOTS / f"slides-{notebook.stem}-{number:02d}.png"
        if screenshot:
            page.evaluate(f"() => Reveal.slide({indices['h']}, {indices.get('v') or 0})")
            page.screenshot(path=str(screenshot))
    failing += page.failures
    page.close()
    record(f"{deck.name}: {len(slides)} slides checked, {len(failing)} problems")
    assert not failing, (
        f"{len(failing)} of {len(slides)} slides do not fit 1280×720 or fail offline:\n" + "\n".join(failing)
    )


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
