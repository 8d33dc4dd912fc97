"""Fuzzing `gkgen check` and `gkgen build` with mutations of the real reports in content/reports.

Each example takes one body's reports from content/ (with the whole agency registry), mutates one file
(byte flips, truncation, YAML lines moved or re-indented, odd numerals, control and bidi characters,
path-ish agency ids and folder names), and runs both commands in-process. Whatever the input:

- the exit code is 0 or 1 (2 is an internal error), and check and build agree;
- no traceback, no 内部错误, no raw control character; no line that starts with "::" but gkgen's own
  annotations (with GITHUB_ACTIONS=true, drawn for half the examples), escaped as GitHub specifies;
- every diagnostic line has the `path:line:col: severity[rule]: ` shape;
- each command finishes within TIME_LIMIT seconds;
- a failed build leaves the pre-existing site/ byte for byte as it was.

A CI run tries FUZZ_EXAMPLES examples (derandomized: the same ones every run, so CI cannot flake on a
new random draw). Longer, random runs: GKGEN_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gkgen import cli
from tests.helpers import REPO

CI_EXAMPLES = 120
FUZZ_EXAMPLES = int(os.environ.get("GKGEN_FUZZ_EXAMPLES", CI_EXAMPLES))
TIME_LIMIT = 30  # seconds per command: generous for a loaded 2-core CI machine; a hang is far beyond
REPORTS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "content" / "reports").glob("*/*.*"))
YAML_REPORTS = [r for r in REPORTS if r.endswith(".yaml")]

DIAGNOSTIC = re.compile(r"^(?!::)\S.*?:\d+:\d+: (error|warning|note)\[[a-z_-]+\]: ")
OTHER_LINES = ("  hint: ", "检查通过：", "检查未通过：", "构建完成", "构建失败：")
ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=(?P<file>[^,:]*),line=\d+,col=\d+,title=(?P<title>[a-z_-]+)::(?P<data>.*)$"
)
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# -- what goes into a mutation -------------------------------------------------------------------

ODD_NUMERALS = [
    "010", "0x10", "1:30", "!!str 5", "0o10", "1_000", ".inf", ".nan", "-.inf", "1.0e+999999999",
    "1.0e+5000", "9" * 5000, "1.0e+30", "9223372036854775808", "-1", "2.5", "1e5", "&a 1", "*a",
    "'1'", "+5", "00", "0.0000001", "１２", "٣", "~", "yes", "", "[]", "{}", "- 1", "\"\"", "1e",
]  # fmt: skip
WEIRD_CHARS = (
    "\x00\x01\x07\x08\t\n\r\x1b\x7f\x85\x9b\u00a0\u200b\u200e\u202e\u2028\u2066\ufeff\ufffd：，［］０１"
)
PATHISH = [
    "../../etc/passwd", "410204-wuyi/../x", "410204-wuyi\n", "410204-wuyi ", " 410204-wuyi", "CON", ".",
    "..", "a" * 300, "a/b", "a\\b", "%2e%2e", "410204-WUYI", "410204_wuyi", "\u202e410204-wuyi", "-x-",
    "x\x00y", "https://evil.org/", "javascript:alert(1)", "410204-wuyi\u0301",
]  # fmt: skip

unicode_text = st.text(
    alphabet=st.one_of(st.sampled_from(WEIRD_CHARS), st.characters(codec="utf-8")), min_size=1, max_size=12
)
numerals = st.one_of(
    st.sampled_from(ODD_NUMERALS),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


KINDS = [
    "flip",
    "truncate",
    "line",
    "indent",
    "numeral",
    "unicode",
    "scalar",
    "value",
    "value",
    "value",
    "agency-id",
    "folder-name",
]  # fmt: skip  ("value" three times: the validators have the most branches to reach)
TOP_KEYS = [
    "agency", "year", "format", "title", "published", "source", "entered_by", "notes", "method", "doubts", "format_note",
    "active", "requests", "appeals", "active_extra", "acknowledged",
]  # fmt: skip
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), unicode_text)
row_keys = st.sampled_from(["rules", "fees", "procurement", "new", "total", "review", "label", "group", "values",
                            "rule", "note", "url", "title"])  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=8), st.dictionaries(row_keys, inner, max_size=4)),
    max_leaves=20,
)

group_or_any = st.one_of(
    st.sampled_from(["rules", "fees", "procurement", "nothing"]), st.lists(json_scalars), json_values
)


def items(*keys: str, value=json_values):
    """Mappings with some of ``keys``, each with any value: the shape a validator expects, wrong inside."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, value))


# Values shaped like the real ones one level down, so that the validators of nested items run too.
SHAPES = {
    "active_extra": st.lists(
        st.fixed_dictionaries(
            {}, optional={"label": json_values, "group": group_or_any, "values": json_values}
        ),
        max_size=3,
    ),
    "acknowledged": st.lists(items("rule", "note"), max_size=3),
    "source": items("url", "title", "archived", "sha256"),
    "doubts": st.dictionaries(
        st.sampled_from(["requests.new.natural", "active.extra.1.issued", "active.fees.amount", "x"]),
        json_values,
        max_size=3,
    ),
    "active": st.dictionaries(row_keys, json_values, max_size=3),
    "requests": st.dictionaries(row_keys, json_values, max_size=3),
    "appeals": st.dictionaries(row_keys, json_values, max_size=3),
}


@st.composite
def mutation(draw) -> tuple[str, str, object]:
    """(report file, kind, the drawn parameters)."""
    kind = draw(st.sampled_from(KINDS))
    target = draw(
        st.sampled_from(YAML_REPORTS if kind in ("numeral", "scalar", "value", "agency-id") else REPORTS)
    )
    if kind == "flip":
        return (
            target,
            kind,
            draw(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=4)),
        )
    if kind == "truncate":
        return target, kind, draw(st.floats(0, 1))
    if kind == "line":
        return target, kind, (draw(st.sampled_from(["delete", "duplicate", "swap"])), draw(st.floats(0, 1)),
                               draw(st.floats(0, 1)))  # fmt: skip
    if kind == "indent":
        return (
            target,
            kind,
            (draw(st.floats(0, 1)), draw(st.sampled_from(["", " ", "  ", "    ", "\t", "- "]))),
        )
    if kind == "numeral":
        return target, kind, (draw(st.floats(0, 1)), draw(numerals))
    if kind == "unicode":
        return target, kind, (draw(st.floats(0, 1)), draw(unicode_text))
    if kind == "scalar":
        key = draw(st.sampled_from(["title", "entered_by", "notes", "published", "year", "format"]))
        return target, kind, (key, draw(st.one_of(unicode_text, numerals)))
    if kind == "value":  # any shape where the validator expects another: lists, mappings, null, numbers
        key = draw(st.sampled_from(TOP_KEYS))
        return (
            target,
            kind,
            (key, draw(st.one_of(json_values, SHAPES[key]) if key in SHAPES else json_values)),
        )
    if kind == "agency-id":
        return target, kind, (draw(st.booleans()), draw(st.sampled_from(PATHISH)))
    return target, kind, draw(st.one_of(st.sampled_from(PATHISH), unicode_text))


def mutate(data: bytes, kind: str, params) -> bytes:
    if kind == "flip":
        out = bytearray(data)
        for where, byte in params:
            out[min(int(where * len(out)), len(out) - 1)] = byte
        return bytes(out)
    if kind == "truncate":
        return data[: int(params * len(data))]
    text = data.decode("utf-8")
    lines = text.split("\n")
    if kind == "line":
        how, a, b = params
        i, j = min(int(a * len(lines)), len(lines) - 1), min(int(b * len(lines)), len(lines) - 1)
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines).encode("utf-8")
    if kind == "indent":
        where, prefix = params
        i = min(int(where * len(lines)), len(lines) - 1)
        lines[i] = prefix + lines[i].lstrip(" ")
        return "\n".join(lines).encode("utf-8")
    if kind == "numeral":
        where, numeral = params
        spots = list(re.finditer(r"(?<=[\[ ,])-?\d+(?=[,\]])", text))
        if not spots:
            return text.encode("utf-8")
        spot = spots[min(int(where * len(spots)), len(spots) - 1)]
        return (text[: spot.start()] + numeral + text[spot.end() :]).encode("utf-8")
    if kind == "unicode":
        where, inserted = params
        i = int(where * len(text))
        return (text[:i] + inserted + text[i:]).encode("utf-8", "surrogatepass")
    if kind == "scalar":
        key, value = params
        quoted = json.dumps(value, ensure_ascii=bool(value) and value[0] == "!")  # YAML reads JSON strings
        return re.sub(rf"(?m)^{key}: .*$", lambda _: f"{key}: {quoted}", text, count=1).encode("utf-8")
    if kind == "value":  # appended: a key written twice is an error, and the later value is validated too
        key, value = params
        return (text.rstrip("\n") + f"\n{key}: {json.dumps(value, ensure_ascii=False)}\n").encode("utf-8")
    raise AssertionError(kind)


# -- the archive ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workplace():
    """A folder for the examples, a built site to keep, and GKGEN_JOBS=1 (in-process, no fork)."""
    saved = {k: os.environ.get(k) for k in ("GKGEN_JOBS", "GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    os.environ["GKGEN_JOBS"] = "1"
    os.environ.pop("GITHUB_ACTIONS", None)
    os.environ["SOURCE_DATE_EPOCH"] = "1767225600"  # 2026-01-01
    folder = Path(tempfile.mkdtemp(prefix="gkgen-fuzz-"))
    try:
        site = folder / "site"
        code, output = gkgen("build", "--root", str(archive_with(folder / "first", None)), "--out", str(site))
        assert code == 0, output
        yield folder, site, tree_digest(site)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def archive_with(root: Path, changed: tuple[str, bytes, str | None] | None) -> Path:
    """The registry and one body's reports (the changed file's body), with the change applied."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO / "content" / "agencies", root / "content" / "agencies")
    rel = changed[0] if changed else YAML_REPORTS[0]
    body = Path(rel).parent
    shutil.copytree(REPO / body, root / body)
    if changed:
        rel, data, folder_name = changed
        (root / rel).write_bytes(data)
        if folder_name is not None:
            os.rename(root / body, root / body.parent / folder_name)
    return root


def gkgen(*argv: str) -> tuple[int, str]:
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream), contextlib.redirect_stdout(stream):
        code = cli.main(list(argv))
    return code, stream.getvalue()


def tree_digest(folder: Path) -> str:
    h = hashlib.blake2b()
    for p in sorted(folder.rglob("*")):
        h.update(p.relative_to(folder).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def assert_well_formed(code: int, output: str, elapsed: float) -> None:
    assert code in (0, 1), output
    assert elapsed < TIME_LIMIT
    assert "Traceback" not in output and "内部错误" not in output, output
    assert not RAW_CONTROL.search(output), output
    for line in output.splitlines():
        if line.startswith("::"):  # only gkgen's own annotations, and only under GitHub Actions
            assert os.environ.get("GITHUB_ACTIONS") == "true", line
            assert_annotation(line)
        else:
            assert DIAGNOSTIC.match(line) or line.startswith(OTHER_LINES), line


def assert_annotation(line: str) -> None:
    """A GitHub workflow command as gkgen writes it, escaped as GitHub specifies."""
    match = ANNOTATION.match(line)
    assert match, line
    for part in match.group("file", "title", "data"):
        assert not re.search(r"%(?!25|0D|0A|3A|2C)", part), line  # every % of the text is escaped


def usable_folder_name(name: str) -> bool:
    return "/" not in name and "\x00" not in name and name not in (".", "..") and len(name.encode()) < 200


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,  # each command has TIME_LIMIT instead
    derandomize="GKGEN_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutation(), st.booleans())
def test_mutated_reports_are_refused_cleanly_or_built(workplace, change, in_github_actions: bool) -> None:
    folder, site, site_digest = workplace
    if in_github_actions:
        os.environ["GITHUB_ACTIONS"] = "true"
    else:
        os.environ.pop("GITHUB_ACTIONS", None)
    target, kind, params = change
    data = (REPO / target).read_bytes()
    folder_name = None
    if kind == "agency-id":
        _, value = params  # params[0]: the registry is renamed too (below)
        quoted = json.dumps(value)
        data = re.sub(rb"(?m)^agency: .*$", lambda _: f"agency: {quoted}".encode(), data, count=1)
    elif kind == "folder-name":
        folder_name = params if usable_folder_name(params) else None
    else:
        data = mutate(data, kind, params)
    root = archive_with(folder / "archive", (target, data, folder_name))
    if kind == "agency-id" and params[0]:  # the registry names the body so too
        for registry in (root / "content" / "agencies").glob("*.yaml"):
            text = registry.read_text(encoding="utf-8")
            registry.write_text(text.replace(f"id: {Path(target).parent.name}\n", f"id: {quoted}\n"), "utf-8")

    started = time.perf_counter()
    check_code, output = gkgen("check", "--root", str(root))
    assert_well_formed(check_code, output, time.perf_counter() - started)

    event(
        f"{kind}{':' + params[0] if kind == 'value' else ''}: {'built' if check_code == 0 else 'refused'}"
    )  # --hypothesis-show-statistics
    out = site if check_code else folder / "fresh-site"  # a good build goes elsewhere: site/ is the witness
    started = time.perf_counter()
    build_code, output = gkgen("build", "--root", str(root), "--out", str(out), "--no-cache")
    assert_well_formed(build_code, output, time.perf_counter() - started)
    assert build_code == check_code, output
    assert tree_digest(site) == site_digest
    shutil.rmtree(folder / "fresh-site", ignore_errors=True)
