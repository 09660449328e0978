"""The design's dependency rules (docs/architecture.md, "Who may call whom"), checked on the source.

Every module under ``platform/klankbord`` is parsed with :mod:`ast`, so imports inside functions,
``from . import x`` and ``importlib.import_module("...")`` / ``__import__("...")`` with a literal
name count as much as the imports at the top. Each rule is one test and fails with the offending
``module:line`` entries. ``test_checker_catches_*`` feed the checker small synthetic bad modules,
so a rule that silently matches nothing fails too.

``KNOWN_VIOLATIONS`` lists what parallel work still has to fix (each entry names who); an entry
that no longer occurs fails :func:`test_known_violations_are_not_stale`, so it is deleted when
the fix lands.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "platform" / "klankbord"

#: Packages with their own tables, services and views (or, for analysis, a library).
DOMAINS = ("accounts", "surveys", "meetings", "reports", "jobs", "embeddings", "analysis")
#: Domain packages whose models every other domain may use: tenancy (``OrgScoped``,
#: ``Organisation``, ``Role``, ``User``) is the floor every tenant-owned table stands on.
SHARED_MODELS = ("accounts",)
#: Web stack packages the analysis library never imports.
WEB_STACK = ("flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "flask_babel", "flask_login")
#: Module names that hold services (``x.services`` or a package ``x.services.*``) or seams.
SERVICE_MODULES = ("services", "seam")
#: Query builders that jobs must leave to other domains' services.
QUERY_CALLS = frozenset({"select", "delete", "insert", "update", "get", "exists"})

#: (rule, module or package prefix, what it reaches) -> who removes it. Matching is by prefix,
#: so ``klankbord.reports.services`` also covers the modules of a future package of that name.
KNOWN_VIOLATIONS: dict[tuple[str, str, str], str] = {
    # The reports services package still reads survey rounds, answers, meetings and ideas itself
    # (scopes, questions, aggregates, clustering, curation, themes, assembly): the texts have
    # seams (``surveys.seam.scope_free_text``, ``meetings.seam.scope_ideas``; tests/jobs/
    # test_seams.py shows they give what ``collect_texts`` gives), the counted rows of the
    # aggregates and releases do not yet. Open work of issue 17.
    ("foreign-models", "klankbord.reports.services", "klankbord.surveys.models"): "reports split",
    ("foreign-models", "klankbord.reports.services", "klankbord.meetings.models"): "reports split",
    # reports/releases.py counts rows and sums record keys straight from the survey and meeting
    # tables (and uses ``services._idea_filters``); a follow-up after the reports split.
    ("foreign-models", "klankbord.reports.releases", "klankbord.surveys.models"): "reports split",
    ("foreign-models", "klankbord.reports.releases", "klankbord.meetings.models"): "reports split",
    # ``surveys.services.submit_with_retry`` commits inside its retry loop; the submission path
    # belongs to the perf helper (move the loop to respondent.py, the view that calls it).
    ("services-commit", "klankbord.surveys.services", "commit"): "perf helper",
}


#: GET handlers that commit, each because it writes one audit event and nothing else: who read
#: or took data (an export, a share link opened) and who was refused must be on record even
#: though reading changes nothing. (module or package prefix, handler) -> why. Stale entries fail.
AUDITED_READS: dict[tuple[str, str], str] = {
    ("klankbord.reports.views", "export_csv"): "audit event 'export' (who took which report)",
    ("klankbord.reports.views", "export_pdf"): "audit event 'export' (who took which report)",
    ("klankbord.reports.views", "trends_csv"): "audit event 'export' (who took which report)",
    ("klankbord.reports.views", "shared"): "audit event 'share_link_viewed' (a link was used)",
}


# The checker -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One module: its dotted name, whether it is a package ``__init__``, and its text."""

    name: str
    text: str
    is_package: bool = False


@dataclass(frozen=True)
class Violation:
    rule: str
    module: str
    line: int
    target: str
    detail: str = ""

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.module}:{self.line} -> {self.target}{extra}"


@dataclass(frozen=True)
class Import:
    module: str
    line: int
    target: str
    #: Names bound by the import in the importing module (for ``from x import A as B``: B).
    bound: tuple[str, ...] = ()


def load_tree(package_dir: Path = PACKAGE_DIR) -> dict[str, Source]:
    """Every ``.py`` module of the package, by dotted name."""
    sources = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir.parent).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts)
        sources[name] = Source(name, path.read_text(encoding="utf-8"), is_package)
    return sources


def _resolve(source: Source, module: str | None, level: int) -> str:
    if not level:
        return module or ""
    base = source.name.split(".")
    if not source.is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(source: Source, known: set[str]) -> list[Import]:
    """Everything ``source`` imports, at any depth, as absolute dotted names.

    ``from pkg import name`` counts as ``pkg.name`` when that is a module of the tree (``known``),
    else as ``pkg``; string imports through ``importlib.import_module``/``__import__`` count when
    their name is a literal (relative ones resolved against their literal ``package``).
    """
    found: list[Import] = []
    for node in ast.walk(ast.parse(source.text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = (alias.asname or alias.name.split(".")[0],)
                found.append(Import(source.name, node.lineno, alias.name, bound))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(source, node.module, node.level)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if candidate in known else base
                bound = (alias.asname or alias.name,)
                found.append(Import(source.name, node.lineno, target, bound))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in ("import_module", "__import__") or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue  # a computed name: nothing to check statically
            text = first.value
            if text.startswith("."):
                level = len(text) - len(text.lstrip("."))
                package = next(
                    (a.value for a in node.args[1:2] if isinstance(a, ast.Constant)), None
                ) or next(
                    (
                        k.value.value
                        for k in node.keywords
                        if k.arg == "package" and isinstance(k.value, ast.Constant)
                    ),
                    None,
                )
                if package is None:
                    package = source.name if source.is_package else source.name.rpartition(".")[0]
                parts = package.split(".")
                text = ".".join([*parts[: len(parts) - (level - 1)], text.lstrip(".")])
            found.append(Import(source.name, node.lineno, text))
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def domain_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "klankbord" and parts[1] in DOMAINS:
        return parts[1]
    return None


def _all_imports(tree: dict[str, Source]) -> list[Import]:
    known = set(tree)
    return [imp for source in tree.values() for imp in imports_of(source, known)]


def check_analysis_is_pure(tree: dict[str, Source]) -> list[Violation]:
    """``klankbord.analysis`` imports nothing of Klankbord outside itself, nor the web stack."""
    out = []
    for imp in _all_imports(tree):
        if not _under(imp.module, "klankbord.analysis"):
            continue
        top = imp.target.split(".")[0]
        if (top == "klankbord" and not _under(imp.target, "klankbord.analysis")) or (
            top in WEB_STACK
        ):
            out.append(Violation("analysis-pure", imp.module, imp.line, imp.target))
    return out


def check_core_imports_no_domain(tree: dict[str, Source]) -> list[Violation]:
    """``klankbord.core`` sits below every domain: it may use ``extensions`` and ``config`` only.

    Not even the analysis library: core is what every page needs, and a helper that wants
    analysis (the ``bidi`` filter uses the scrubber's placeholders) lives in app setup.
    """
    allowed = ("klankbord.core", "klankbord.extensions", "klankbord.config")
    out = []
    for imp in _all_imports(tree):
        if not _under(imp.module, "klankbord.core") or not _under(imp.target, "klankbord"):
            continue
        if imp.target == "klankbord" or any(_under(imp.target, a) for a in allowed):
            continue
        out.append(Violation("core-no-domain", imp.module, imp.line, imp.target))
    return out


def check_no_cli_or_app_setup(tree: dict[str, Source]) -> list[Violation]:
    """Domains and core are wired up by the factory; they never import it (or the CLI root)."""
    out = []
    for imp in _all_imports(tree):
        inside = domain_of(imp.module) or _under(imp.module, "klankbord.core")
        if inside and any(_under(imp.target, t) for t in ("klankbord.cli", "klankbord.app_setup")):
            target = ".".join(imp.target.split(".")[:2])
            out.append(Violation("no-cli-or-app-setup", imp.module, imp.line, target))
    return out


def _foreign(imp: Import) -> tuple[str, list[str]] | None:
    """(the other domain, the rest of the dotted path) when ``imp`` reaches into another domain."""
    other = domain_of(imp.target)
    if other is None or other == domain_of(imp.module):
        return None
    return other, imp.target.split(".")[2:]


def check_foreign_models(tree: dict[str, Source]) -> list[Violation]:
    """No module imports another domain's ``models`` (tenancy models of accounts excepted)."""
    out = []
    for imp in _all_imports(tree):
        foreign = _foreign(imp)
        if foreign and foreign[0] not in SHARED_MODELS and foreign[1][:1] == ["models"]:
            out.append(Violation("foreign-models", imp.module, imp.line, imp.target))
    return out


def check_private_modules(tree: dict[str, Source]) -> list[Violation]:
    """No module imports another domain's private (``_name``) modules."""
    out = []
    for imp in _all_imports(tree):
        foreign = _foreign(imp)
        if foreign and any(part.startswith("_") for part in foreign[1]):
            out.append(Violation("private-modules", imp.module, imp.line, imp.target))
    return out


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def check_jobs_call_services(tree: dict[str, Source]) -> list[Violation]:
    """Jobs never build queries on other domains' models (accounts included): they call services."""
    known = set(tree)
    out = []
    for source in tree.values():
        if not _under(source.name, "klankbord.jobs"):
            continue
        foreign_names: dict[str, str] = {}
        for imp in imports_of(source, known):
            other = domain_of(imp.target)
            if other and other != "jobs" and imp.target.split(".")[2:3] == ["models"]:
                for name in imp.bound:
                    foreign_names[name] = imp.target
        for node in ast.walk(ast.parse(source.text)):
            if not (isinstance(node, ast.Call) and _call_name(node) in QUERY_CALLS):
                continue
            used = sorted(
                {
                    n.id
                    for arg in [*node.args, *(k.value for k in node.keywords)]
                    for n in ast.walk(arg)
                    if isinstance(n, ast.Name) and n.id in foreign_names
                }
            )
            for name in used:
                out.append(
                    Violation(
                        "jobs-call-services",
                        source.name,
                        node.lineno,
                        foreign_names[name],
                        f"{_call_name(node)}({name})",
                    )
                )
    return out


def _is_commit(node: ast.AST) -> bool:
    """``<...>.session.commit()`` (``db.session.commit()``, ``self.session.commit()``)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
        and isinstance(node.func.value, ast.Attribute)
        and node.func.value.attr == "session"
    )


def is_service_module(name: str) -> bool:
    parts = name.split(".")
    return domain_of(name) is not None and any(p in SERVICE_MODULES for p in parts[2:])


def check_services_do_not_commit(tree: dict[str, Source]) -> list[Violation]:
    """Services (``*.services``, service packages) and seams (``*.seam``) flush, never commit."""
    out = []
    for source in tree.values():
        if not is_service_module(source.name):
            continue
        for node in ast.walk(ast.parse(source.text)):
            if _is_commit(node):
                out.append(Violation("services-commit", source.name, node.lineno, "commit"))
    return out


def _route_methods(decorator: ast.expr) -> set[str] | None:
    """The HTTP methods of a route decorator, or None when it is not one."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return None
    attr = decorator.func.attr
    if attr in ("get", "post", "put", "patch", "delete"):
        return {attr.upper()}
    if attr != "route":
        return None
    for keyword in decorator.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, ast.List | ast.Tuple):
            return {e.value.upper() for e in keyword.value.elts if isinstance(e, ast.Constant)}
    return {"GET"}


def _commit_line(func: ast.AST, functions: dict[str, ast.AST], seen: set[str]) -> int | None:
    """Line of a commit in ``func`` or in a same-module function it calls (transitively)."""
    for node in ast.walk(func):
        if _is_commit(node):
            return node.lineno
        name = _call_name(node) if isinstance(node, ast.Call) else None
        if name in functions and name not in seen:
            seen.add(name)
            if _commit_line(functions[name], functions, seen) is not None:
                return node.lineno
    return None


def check_get_handlers_do_not_commit(tree: dict[str, Source]) -> list[Violation]:
    """A handler that answers GET only never commits, itself or through its module's helpers."""
    out = []
    for source in tree.values():
        functions = {
            n.name: n
            for n in ast.walk(ast.parse(source.text))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for func in functions.values():
            methods = [m for d in func.decorator_list if (m := _route_methods(d)) is not None]
            if not methods or any(m - {"GET", "HEAD"} for m in methods):
                continue
            line = _commit_line(func, functions, {func.name})
            if line is not None:
                out.append(Violation("get-commits", source.name, line, "commit", func.name))
    return out


RULES = {
    "analysis-pure": check_analysis_is_pure,
    "core-no-domain": check_core_imports_no_domain,
    "no-cli-or-app-setup": check_no_cli_or_app_setup,
    "foreign-models": check_foreign_models,
    "private-modules": check_private_modules,
    "jobs-call-services": check_jobs_call_services,
    "services-commit": check_services_do_not_commit,
    "get-commits": check_get_handlers_do_not_commit,
}


def _known(violation: Violation) -> tuple | None:
    if violation.rule == "get-commits":
        for key in AUDITED_READS:
            if _under(violation.module, key[0]) and violation.detail == key[1]:
                return key
    for key in KNOWN_VIOLATIONS:
        rule, prefix, target = key
        if (
            rule == violation.rule
            and _under(violation.module, prefix)
            and _under(violation.target, target)
        ):
            return key
    return None


_TREE: dict[str, Source] | None = None


def tree() -> dict[str, Source]:
    global _TREE
    if _TREE is None:
        _TREE = load_tree()
    return _TREE


def assert_rule(rule: str) -> None:
    found = [v for v in RULES[rule](tree()) if _known(v) is None]
    assert not found, f"rule {rule!r} broken by:\n  " + "\n  ".join(sorted(map(str, found)))


# The rules, one test each ----------------------------------------------------------------------


def test_the_tree_is_found():
    names = set(tree())
    assert {"klankbord.app_setup", "klankbord.analysis", "klankbord.jobs.retention"} <= names
    assert len(names) > 80


def test_analysis_imports_nothing_of_klankbord_flask_or_sqlalchemy():
    assert_rule("analysis-pure")


def test_every_analysis_module_loads_in_a_bare_interpreter():
    """Import every submodule of ``klankbord.analysis`` in a fresh interpreter: no web stack."""
    modules = sorted(n for n in tree() if _under(n, "klankbord.analysis"))
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {WEB_STACK!r})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "platform")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert len(modules) >= 10


def test_core_imports_no_domain():
    assert_rule("core-no-domain")


def test_no_domain_imports_the_cli_or_app_setup():
    assert_rule("no-cli-or-app-setup")


def test_no_module_imports_another_domains_models():
    assert_rule("foreign-models")


def test_no_module_imports_another_domains_private_modules():
    assert_rule("private-modules")


def test_jobs_call_services_instead_of_querying_other_domains():
    assert_rule("jobs-call-services")


def test_services_do_not_commit():
    assert_rule("services-commit")


def test_get_handlers_do_not_commit():
    assert_rule("get-commits")


def test_known_violations_are_not_stale():
    """Each allowed violation still occurs; delete the entry once its fix is merged."""
    found = {_known(v) for rule in RULES.values() for v in rule(tree())}
    stale = sorted(set(KNOWN_VIOLATIONS) - found)
    assert not stale, "fixed, delete from KNOWN_VIOLATIONS: " + ", ".join(map(str, stale))
    stale = sorted(set(AUDITED_READS) - found)
    assert not stale, "no longer commits, delete from AUDITED_READS: " + ", ".join(map(str, stale))
    assert all(key[0] in RULES for key in KNOWN_VIOLATIONS)


# The checker catches what it should -----------------------------------------------------------


def _synthetic(**modules: str) -> dict[str, Source]:
    """A tiny tree: keyword ``surveys__models`` is module ``klankbord.surveys.models``."""
    out = {}
    for key, text in modules.items():
        name = "klankbord." + key.replace("__", ".")
        is_package = name.endswith(".init")
        name = name.removesuffix(".init")
        out[name] = Source(name, text, is_package)
    return out


def _lines(violations: list[Violation]) -> list[str]:
    return sorted(str(v) for v in violations)


def test_checker_catches_an_impure_analysis_module():
    bad = _synthetic(
        analysis__init="from .scrub import scrub\n",
        analysis__scrub="import re\n",
        analysis___bad=(
            "import numpy\n"
            "def f():\n"
            "    from flask import current_app\n"
            "    from ..surveys import models\n"
            "    import importlib\n"
            "    importlib.import_module('sqlalchemy.orm')\n"
            "    from . import scrub\n"
        ),
        surveys__models="",
    )
    assert _lines(check_analysis_is_pure(bad)) == [
        "klankbord.analysis._bad:3 -> flask",
        "klankbord.analysis._bad:4 -> klankbord.surveys.models",
        "klankbord.analysis._bad:6 -> sqlalchemy.orm",
    ]


def test_checker_catches_core_importing_a_domain_and_domains_importing_the_factory():
    bad = _synthetic(
        core__helpers=(
            "from klankbord.extensions import db\n"
            "from klankbord.core.time import utcnow\n"
            "def f():\n"
            "    from klankbord.meetings.services import x\n"
            "    from klankbord.analysis.scrub import PLACEHOLDERS\n"
        ),
        surveys__cli="from klankbord.cli import demo_base_url\n",
        meetings__init="def register(app):\n    from klankbord import app_setup\n",
        app_setup="",
        cli="from klankbord.accounts import services\n",
    )
    assert _lines(check_core_imports_no_domain(bad)) == [
        "klankbord.core.helpers:4 -> klankbord.meetings.services",
        "klankbord.core.helpers:5 -> klankbord.analysis.scrub",
    ]
    assert _lines(check_no_cli_or_app_setup(bad)) == [
        "klankbord.meetings:2 -> klankbord.app_setup",
        "klankbord.surveys.cli:1 -> klankbord.cli",
    ]


def test_checker_catches_foreign_models_and_private_modules():
    bad = _synthetic(
        embeddings__services=(
            "from klankbord.accounts.models import OrgScoped\n"  # tenancy: allowed
            "from klankbord.embeddings.models import TextEmbedding\n"  # its own: allowed
            "from klankbord.analysis import text_key\n"  # public: allowed
            "def f():\n"
            "    from klankbord.surveys.models import Answer\n"
            "    from klankbord.analysis._embed import MAX_CHARS\n"
            "    from klankbord.analysis import _titles\n"
        ),
        analysis___titles="",
        analysis___embed="",
        surveys__models="",
        embeddings__models="",
        accounts__models="",
    )
    assert _lines(check_foreign_models(bad)) == [
        "klankbord.embeddings.services:5 -> klankbord.surveys.models"
    ]
    assert _lines(check_private_modules(bad)) == [
        "klankbord.embeddings.services:6 -> klankbord.analysis._embed",
        "klankbord.embeddings.services:7 -> klankbord.analysis._titles",
    ]


def test_checker_catches_a_job_that_queries_and_a_service_that_commits():
    bad = _synthetic(
        jobs__retention=(
            "from sqlalchemy import delete, select\n"
            "from klankbord.jobs.models import Notification\n"
            "def purge():\n"
            "    from klankbord.surveys.models import Answer as A\n"
            "    select(Notification)\n"  # its own table: allowed
            "    db.session.execute(delete(A).where(A.id == 1))\n"
            "    db.session.get(A, 1)\n"
        ),
        jobs__models="",
        surveys__models="",
        surveys__services__scopes="def f():\n    db.session.commit()\n",
        surveys__views="def v():\n    db.session.commit()\n",  # views commit: allowed
    )
    assert _lines(check_jobs_call_services(bad)) == [
        "klankbord.jobs.retention:6 -> klankbord.surveys.models (delete(A))",
        "klankbord.jobs.retention:7 -> klankbord.surveys.models (get(A))",
    ]
    assert _lines(check_services_do_not_commit(bad)) == [
        "klankbord.surveys.services.scopes:2 -> commit"
    ]


def test_checker_catches_a_get_handler_that_commits_through_a_helper():
    bad = _synthetic(
        reports__views=(
            "def _audit():\n"
            "    db.session.commit()\n"
            "@bp.get('/a')\n"
            "def a():\n"
            "    _audit()\n"
            "@bp.route('/b')\n"
            "def b():\n"
            "    db.session.commit()\n"
            "@bp.route('/c', methods=['GET', 'POST'])\n"
            "def c():\n"
            "    db.session.commit()\n"  # also answers POST: allowed
            "@bp.post('/d')\n"
            "def d():\n"
            "    _audit()\n"
        ),
    )
    assert _lines(check_get_handlers_do_not_commit(bad)) == [
        "klankbord.reports.views:5 -> commit (a)",
        "klankbord.reports.views:8 -> commit (b)",
    ]


def test_known_violations_match_by_prefix():
    key = ("foreign-models", "klankbord.reports.services", "klankbord.surveys.models")
    later = Violation("foreign-models", "klankbord.reports.services.aggregates", 1, key[2])
    assert key in KNOWN_VIOLATIONS and _known(later) == key
    assert _known(Violation("foreign-models", "klankbord.reports.views", 1, key[2])) is None
