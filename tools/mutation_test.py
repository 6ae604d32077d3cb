#!/usr/bin/env python
"""Mutation testing of ``utils/`` modules with the unit tests that cover them (a maintainer tool, not CI).

    python tools/mutation_test.py utils/positional.py utils/exercises/nb05.py
    python tools/mutation_test.py utils/exercises/ --jobs 2
    python tools/mutation_test.py utils/word_vectors.py --sample 150 --seed 0
    python tools/mutation_test.py utils/similarity.py --tests tests/test_word_vectors.py --list

Each mutant is one small change to one module (an operator swapped, a comparison flipped, ``and``/``or``
swapped, a ``not`` or a unary minus dropped, a number + 1, a bool negated, a ``return x`` turned into
``return None``, an ``if``/``while`` condition replaced by ``False``; with ``--strings`` also every plain
string literal). The unit tests that cover the mutated line run against it; a mutant is *killed* when
they fail, *survived* when they pass. Per module the script prints mutants, killed, survived, the kill
rate and every survivor as ``file:line  kind: before -> after``, and writes the details to
``mutants/<module>.json`` (git-ignored).

Why not mutmut? mutmut 3 skips every decorated function ("ignore decorated functions" in
``mutmut/mutation/file_mutation.py``), and every exercise checker is registered with ``@exercise(...)``;
its trampolines would also change the bytecode that ``utils.exercises.is_stub`` compares. This runner
mutates the module's AST instead and needs nothing beyond pytest.

How it stays fast: the parent process imports the third-party packages once (torch, NumPy, gensim, ...)
and forks one child per mutant; the child imports the *mutated* module from memory (a snapshot of the file
taken at start, so edits made meanwhile do not mix in) and runs ``pytest -x`` on only the tests that
executed the mutated lines in a traced baseline run (a line run at import time selects all chosen test
files; a line run in a fixture, its whole test file). Notebooks never run: ``-p no:nbval -o addopts=``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "mutants"

# Test files that are not unit tests of utils/ (browsers, notebooks, whole-course checks) never run here.
NOT_UNIT_TESTS = {"test_browser.py", "test_course.py", "test_presenting.py", "test_links.py",
                  "test_determinism.py", "test_environment.py", "test_imports.py"}

PYTEST_ARGS = ["-x", "-q", "-p", "no:randomly", "-p", "no:nbval", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-o", "addopts=", "-W", "ignore", "--rootdir", str(ROOT)]

# --- mutations ---------------------------------------------------------------------------------------

BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
               ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.LShift: ast.RShift,
               ast.RShift: ast.LShift, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitAnd}
COMPARE_FLIPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
                 ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}


@dataclass
class Mutant:
    path: str  # relative to the repository root
    line: int
    kind: str
    before: str
    after: str
    node_index: int  # position of the mutated node in _walk order
    choice: int  # which of that node's mutations
    lines: tuple[int, int] = (0, 0)  # the lines the mutated node spans
    status: str = "not run"
    seconds: float = 0.0
    tests: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.path}:{self.line}  {self.kind}: {_short(self.before)} -> {_short(self.after)}"


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, ast.AST | None, bool]]:
    """Every node with its parent, in a fixed order, and whether it lies in a place not worth mutating:
    annotations (lazy under ``from __future__ import annotations``), docstrings and bare string statements,
    and the literal parts of f-strings (message wording; see ``--strings``)."""
    stack: list[tuple[ast.AST, ast.AST | None, bool]] = [(tree, None, False)]
    while stack:
        node, parent, skip = stack.pop()
        yield node, parent, skip
        children = []
        for name, value in ast.iter_fields(node):
            child_skip = skip or name in ("annotation", "returns") or isinstance(node, ast.JoinedStr)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                child_skip = True
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                child_skip = True
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    children.append((child, node, child_skip))
        stack.extend(reversed(children))


def _replace_child(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list) and any(item is old for item in value):
            value[[id(item) for item in value].index(id(old))] = new
            return
    raise LookupError("child not found")


def _false_like(node: ast.AST) -> ast.Constant:
    return ast.copy_location(ast.Constant(value=False), node)


def _mutations(node: ast.AST, parent: ast.AST | None, strings: bool) -> list[tuple[str, Callable[[], ast.AST]]]:
    """The mutations of one node: (kind, apply) pairs; ``apply`` changes the node (or its parent) in place
    and returns the node that now stands in its place, for the report."""
    found: list[tuple[str, Callable[[], ast.AST]]] = []

    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in BINOP_SWAPS:
        def swap(node=node):
            node.op = BINOP_SWAPS[type(node.op)]()
            return node
        found.append(("operator", swap))
    elif isinstance(node, ast.Compare):
        for k, op in enumerate(node.ops):
            if type(op) in COMPARE_FLIPS:
                def flip(node=node, k=k):
                    node.ops[k] = COMPARE_FLIPS[type(node.ops[k])]()
                    return node
                found.append(("comparison", flip))
    elif isinstance(node, ast.BoolOp):
        def swap_bool(node=node):
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            return node
        found.append(("and/or", swap_bool))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)) and parent is not None:
        def drop(node=node, parent=parent):
            _replace_child(parent, node, node.operand)
            return node.operand
        found.append(("drop not" if isinstance(node.op, ast.Not) else "drop minus", drop))
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            def negate(node=node):
                node.value = not node.value
                return node
            found.append(("constant", negate))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            def plus_one(node=node):
                node.value = node.value + 1
                return node
            found.append(("constant +1", plus_one))
        elif isinstance(value, str) and strings:
            def wrap(node=node):
                node.value = f"XX{node.value}XX"
                return node
            found.append(("string", wrap))
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        def return_none(node=node):
            node.value = ast.copy_location(ast.Constant(value=None), node.value)
            return node
        found.append(("return None", return_none))
    if isinstance(node, (ast.If, ast.While, ast.IfExp)) and not isinstance(node.test, ast.Constant):
        def never(node=node):
            node.test = _false_like(node.test)
            return node.test
        found.append(("condition False", never))
    return found


def find_mutants(path: Path, source: str, strings: bool) -> list[Mutant]:
    relative = path.relative_to(ROOT).as_posix()
    mutants = []
    for index, (node, parent, skip) in enumerate(_walk(ast.parse(source))):
        if skip:
            continue
        for choice, (kind, _) in enumerate(_mutations(node, parent, strings)):
            mutated = ast.parse(source)
            _, before, after = apply_mutation(mutated, index, choice, strings)
            mutants.append(Mutant(relative, node.lineno, kind, before, after, index, choice,
                                  (node.lineno, node.end_lineno or node.lineno)))
    return mutants


def apply_mutation(tree: ast.AST, index: int, choice: int, strings: bool) -> tuple[ast.AST, str, str]:
    """Mutate ``tree`` in place; returns the new node and the before/after text for the report."""
    for i, (node, parent, _) in enumerate(_walk(tree)):
        if i != index:
            continue
        kind, apply = _mutations(node, parent, strings)[choice]
        if kind == "condition False":
            before = ast.unparse(node.test)
            return apply(), before, "False"
        if isinstance(node, ast.Constant):
            shown = parent if parent is not None and len(ast.unparse(parent)) <= 60 else node
            before = ast.unparse(shown)
            new_node = apply()
            return new_node, before, ast.unparse(shown)
        before = ast.unparse(node)
        new_node = apply()
        ast.fix_missing_locations(tree)
        return new_node, before, ast.unparse(new_node)
    raise IndexError(index)


# --- running pytest in forked children ---------------------------------------------------------------


class SnapshotModule(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports one module from a code object (the snapshot, mutated or not) instead of its file."""

    def __init__(self, name: str, path: Path, code, is_package: bool):
        self.name, self.path, self.code, self.is_package = name, path, code, is_package

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=str(self.path), is_package=self.is_package)
        if self.is_package:
            spec.submodule_search_locations = [str(self.path.parent)]
        spec.has_location = True
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.code, module.__dict__)


def _forget_project_modules() -> None:
    """Drop every module imported from this repository (not its .venv) so the child imports them afresh."""
    venv = ROOT / ".venv"
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin:
            resolved = Path(origin).resolve()
            if resolved.is_relative_to(ROOT) and not resolved.is_relative_to(venv):
                del sys.modules[name]


class LineCoverage:
    """A pytest plugin that records, for each line of one file, which tests executed it."""

    def __init__(self, filename: str):
        self.filename = filename
        self.key = "import"
        self.lines: dict[int, set[str]] = defaultdict(set)

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename != self.filename:
            return None
        self.lines[frame.f_lineno].add(self.key)
        return self._local

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines[frame.f_lineno].add(self.key)
        return self._local

    def plugin(self):
        import pytest

        coverage = self

        def phase(item, key):
            coverage.key = key
            yield
            coverage.key = "import"

        class Plugin:
            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_setup(self, item):
                yield from phase(item, "file:" + item.nodeid.split("::")[0])

            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_call(self, item):
                yield from phase(item, "test:" + item.nodeid)

            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_teardown(self, item):
                yield from phase(item, "file:" + item.nodeid.split("::")[0])

        return Plugin()


def run_child(name: str, path: Path, code, is_package: bool, args: list[str], log: str | None = None,
              coverage_file: str | None = None) -> int:
    """Fork; the child imports ``code`` as module ``name`` and runs pytest with ``args``. Returns the pid."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    try:  # the child
        target = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, 1)
        os.dup2(target, 2)
        os.chdir(ROOT)
        _forget_project_modules()
        sys.meta_path.insert(0, SnapshotModule(name, path, code, is_package))
        import gc

        import pytest

        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # unit tests need no third-party pytest plugin
        gc.freeze()  # pytest's gc.collect() at exit would otherwise walk torch's whole heap in every child
        plugins = []
        coverage = None
        if coverage_file:
            coverage = LineCoverage(str(path))
            plugins.append(coverage.plugin())
            sys.settrace(coverage._global)
        status = pytest.main(args, plugins=plugins)
        sys.settrace(None)
        if coverage is not None:
            with open(coverage_file, "w") as handle:
                json.dump({str(line): sorted(keys) for line, keys in coverage.lines.items()}, handle)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(status))
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(99)


def wait(pid: int, timeout: float) -> tuple[str, int]:
    """Wait for child ``pid`` at most ``timeout`` seconds: ("exit", code), ("signal", n) or ("timeout", 0)."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                return "signal", os.WTERMSIG(status)
            return "exit", os.WEXITSTATUS(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", 0
        time.sleep(0.01)


# --- choosing tests -----------------------------------------------------------------------------------


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def default_tests(path: Path) -> list[Path]:
    """The unit-test files that name the module: ``utils.x``/``from utils import x``, ``test_mutants_x``;
    for ``utils/exercises/nbNN.py`` the files that check exercise ids ``"NN.k"``."""
    name, _ = module_name(path)
    short = name.rsplit(".", 1)[-1]
    patterns = [re.escape(name) + r"\b", rf"from utils import [^\n]*\b{re.escape(short)}\b"]
    match = re.fullmatch(r"utils\.exercises\.nb(\d\d)", name)
    if match:
        patterns = [rf"""["']{match.group(1)}\.\d""", rf"\bnb{match.group(1)}\b"]
    chosen = []
    for test in sorted((ROOT / "tests").glob("test_*.py")):
        if test.name in NOT_UNIT_TESTS:
            continue
        text = test.read_text(encoding="utf-8")
        if test.stem == f"test_mutants_{short}" or any(re.search(p, text) for p in patterns):
            chosen.append(test)
    return chosen


def _third_party_imports(files: list[Path]) -> list[str]:
    names = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    local = {"utils", "tests", "conftest"} | {f.stem for f in files}
    return sorted(n for n in names if n.split(".")[0] not in local)


def warm_up(files: list[Path]) -> None:
    """Import the third-party packages the module and its tests use, once, before any fork."""
    import pytest  # noqa: F401

    for name in _third_party_imports(files):
        try:
            importlib.import_module(name)
        except Exception:  # an optional dependency: the child will report it if it matters
            pass
    _forget_project_modules()


# --- one module ---------------------------------------------------------------------------------------


def test_selection(mutant: Mutant, coverage: dict[int, list[str]], files: list[str]) -> list[str]:
    keys = set()
    for line in range(mutant.lines[0], mutant.lines[1] + 1):
        keys.update(coverage.get(line, ()))
    if "import" in keys:
        return list(files)
    whole = sorted(k[5:] for k in keys if k.startswith("file:"))
    tests = sorted(k[5:] for k in keys if k.startswith("test:") and k[5:].split("::")[0] not in whole)
    return whole + tests


def test_stages(selection: list[str], short_name: str) -> list[list[str]]:
    """Split a selection in two runs: first the tests of one file (the module's own test file, else the
    file with the most selected tests), then the rest only if the first run passed. Most mutants die in
    the first run, which collects one file instead of all of them."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for arg in selection:
        by_file[arg.split("::")[0]].append(arg)
    if len(by_file) <= 1:
        return [selection] if selection else []
    first = min(by_file, key=lambda f: (short_name not in Path(f).stem, "::" in by_file[f][0],
                                        -len(by_file[f]), f))
    return [by_file[first], [arg for f, args in by_file.items() if f != first for arg in args]]


def run_module(path: Path, tests: list[Path], args: argparse.Namespace) -> dict:
    relative = path.relative_to(ROOT).as_posix()
    source = path.read_text(encoding="utf-8")  # the snapshot every mutant of this run starts from
    name, is_package = module_name(path)
    mutants = find_mutants(path, source, args.strings)
    if args.sample and args.sample < len(mutants):
        total = len(mutants)
        mutants = sorted(random.Random(args.seed).sample(mutants, args.sample), key=lambda m: m.node_index)
        print(f"{relative}: sampling {args.sample} of {total} mutants (seed {args.seed})")
    stem = relative.replace("/", "_").removesuffix(".py")
    previous = None
    if args.survivors:  # re-run only what survived last time (a killed mutant stays killed as tests grow)
        previous = json.loads((OUT_DIR / f"{stem}.json").read_text(encoding="utf-8"))
        listed = {(m["node_index"], m["choice"]): m for m in previous["details"]}
        for mutant in mutants:
            old = listed.get((mutant.node_index, mutant.choice))
            if old and (old["line"], old["before"], old["after"]) != (mutant.line, mutant.before, mutant.after):
                print(f"{relative}: the file changed since {stem}.json was written; run it in full")
                return {"module": relative, "error": "changed"}
        mutants = [m for m in mutants if str(listed.get((m.node_index, m.choice), {}).get("status", ""))
                   .startswith("survived")]
        print(f"{relative}: re-running the {len(mutants)} survivors of {previous['mutants']} mutants")
    test_files = [t.relative_to(ROOT).as_posix() for t in tests]
    print(f"{relative}: {len(mutants)} mutants; tests: {' '.join(test_files) or '(none)'}", flush=True)
    if args.list:
        for mutant in mutants:
            print("  " + mutant.describe())
        return {"module": relative, "mutants": len(mutants)}
    OUT_DIR.mkdir(exist_ok=True)
    log = OUT_DIR / f"{stem}.baseline.log"
    coverage_file = tempfile.mktemp(suffix=".json", dir=OUT_DIR)
    start = time.monotonic()
    code = compile(ast.parse(source), str(path), "exec")
    pid = run_child(name, path, code, is_package, PYTEST_ARGS + test_files, str(log), coverage_file)
    how, status = wait(pid, args.baseline_timeout)
    baseline = time.monotonic() - start
    if (how, status) != ("exit", 0):
        print(f"{relative}: the unmutated snapshot does not pass its tests ({how} {status}); see {log}")
        print(log.read_text(errors="replace")[-3000:])
        return {"module": relative, "error": "baseline failed"}
    coverage = {int(k): v for k, v in json.loads(Path(coverage_file).read_text()).items()}
    os.unlink(coverage_file)
    timeout = args.timeout_factor * baseline + 5
    print(f"{relative}: baseline passed in {baseline:.1f} s (traced); timeout per mutant {timeout:.0f} s",
          flush=True)

    short_name = name.rsplit(".", 1)[-1]
    queue = list(mutants)
    running: dict[int, tuple[Mutant, float, list[list[str]], object]] = {}
    done = 0

    def launch(mutant: Mutant, stages: list[list[str]], code, started: float) -> None:
        pid = run_child(name, path, code, is_package, PYTEST_ARGS + stages[0])
        running[pid] = (mutant, started, stages[1:], code)

    while queue or running:
        while queue and len(running) < args.jobs:
            mutant = queue.pop(0)
            mutant.tests = test_selection(mutant, coverage, test_files)
            if not mutant.tests:
                mutant.status = "survived (no test runs this line)"
                done += 1
                continue
            tree = ast.parse(source)
            apply_mutation(tree, mutant.node_index, mutant.choice, args.strings)
            try:
                mutated = compile(tree, str(path), "exec")
            except (SyntaxError, ValueError, TypeError) as error:
                mutant.status = f"invalid ({type(error).__name__})"
                done += 1
                continue
            launch(mutant, test_stages(mutant.tests, short_name), mutated, time.monotonic())
        finished = []
        for pid, (mutant, started, later, mutated) in list(running.items()):
            result = os.waitpid(pid, os.WNOHANG)
            if result[0]:
                status = result[1]
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
                if code == 0 and later:  # passed the first file: run the other selected tests
                    del running[pid]
                    launch(mutant, later, mutated, started)
                    continue
                mutant.status = {0: "survived", 1: "killed", 2: "killed"}.get(code, f"error (exit {code})")
            elif time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                mutant.status = "killed (timeout)"
            else:
                continue
            mutant.seconds = round(time.monotonic() - started, 2)
            finished.append(pid)
        for pid in finished:
            del running[pid]
            done += 1
            if args.progress and done % 25 == 0:
                print(f"  {done}/{len(mutants)} …", flush=True)
        if not finished:
            time.sleep(0.01)

    if previous is not None:  # merge: the mutants killed last time count as killed
        rerun = {(m.node_index, m.choice): m for m in mutants}
        mutants = [rerun.get((d["node_index"], d["choice"])) or Mutant(**{**d, "lines": tuple(d["lines"])})
                   for d in previous["details"]]
    counts = Counter(m.status.split(" ")[0] for m in mutants)
    counted = [m for m in mutants if not m.status.startswith("invalid")]
    killed = sum(m.status.startswith("killed") for m in counted)
    survivors = [m for m in counted if m.status.startswith("survived")]
    errors = [m for m in counted if m.status.startswith("error")]
    rate = 100.0 * killed / len(counted) if counted else 100.0
    elapsed = time.monotonic() - start
    print(f"{relative}: {len(counted)} mutants, {killed} killed, {len(survivors)} survived"
          f" ({sum('no test' in m.status for m in survivors)} on lines no chosen test runs)"
          f"{f', {len(errors)} errors' if errors else ''} -> kill rate {rate:.1f}%  [{elapsed:.0f} s]")
    for mutant in survivors + errors:
        note = "" if mutant.status == "survived" else f"  [{mutant.status}]"
        print("  " + mutant.describe() + note)
    report = {"module": relative, "tests": test_files, "mutants": len(counted), "killed": killed,
              "survived": len(survivors), "errors": len(errors), "kill_rate": round(rate, 1),
              "seconds": round(elapsed), "sampled": bool(args.sample), "statuses": dict(counts),
              "details": [asdict(m) for m in mutants]}
    suffix = ".after" if previous is not None else ""
    (OUT_DIR / f"{stem}{suffix}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="+", help="utils/ files or folders (every .py inside), in order")
    parser.add_argument("--tests", nargs="+", type=Path, help="test files to use (default: those naming "
                        "the module, see default_tests)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--sample", type=int, default=0, help="run a seeded random sample of N mutants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strings", action="store_true", help="also mutate plain string literals")
    parser.add_argument("--timeout-factor", type=float, default=3.0,
                        help="a mutant is killed by timeout after factor × baseline + 5 s (default 3)")
    parser.add_argument("--baseline-timeout", type=float, default=600.0)
    parser.add_argument("--list", action="store_true", help="only list the mutants")
    parser.add_argument("--survivors", action="store_true", help="re-run only the survivors recorded in "
                        "mutants/<module>.json by the last full run (after adding tests); writes "
                        "mutants/<module>.after.json")
    parser.add_argument("--progress", action="store_true", help="print a line every 25 mutants")
    args = parser.parse_args(argv)

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread per child: the forks share the cores
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("COURSE_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    paths: list[Path] = []
    for item in args.modules:
        target = (Path.cwd() / item).resolve()
        paths.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    chosen = {path: [t.resolve() for t in args.tests] if args.tests else default_tests(path) for path in paths}
    warm_up(paths + sorted({t for tests in chosen.values() for t in tests}) + [ROOT / "tests" / "conftest.py"])
    reports = [run_module(path, chosen[path], args) for path in paths]
    if not args.list and len(reports) > 1:
        print("\nmodule                              mutants  killed  survived  kill rate")
        for r in reports:
            if "kill_rate" in r:
                print(f"{r['module']:<36}{r['mutants']:>7}{r['killed']:>8}{r['survived']:>10}"
                      f"{r['kill_rate']:>10.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
