"""The readiness score: transparent, versioned, computed from sites and severities.

Formula (scoring_version 1):
- each rule weighs by its severity: critical 10, high 6, medium 3, low 1, info 0;
- a rule is applicable only where its artifact exists (no Dockerfile, no DOCKER rules);
- a rule's pass ratio = 1 - failing sites / examined sites (1.0 when nothing was examined);
  suppressed findings count as passing sites, and are shown as suppressed;
- a category's score = 100 × weighted mean of its applicable rules' pass ratios, or N/A;
- overall = 100 × weighted mean over all applicable rules; grade A ≥ 90, B ≥ 80, C ≥ 70,
  D ≥ 60, else F.
- a file that does not parse was not checked: it makes no family applicable, the score says
  how many files it leaves out, and when no file at all could be checked the score is N/A
  (a broken run never looks clean).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalog import Rule
from .model import Category, Diagnostic, Finding, Severity, SiteCount
from .result import ScanResult, ServiceOwner

SCORING_VERSION = "1"
WEIGHTS = {Severity.CRITICAL: 10, Severity.HIGH: 6, Severity.MEDIUM: 3, Severity.LOW: 1,
           Severity.INFO: 0}
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))


@dataclass(frozen=True, slots=True)
class RuleScore:
    rule_id: str
    category: Category
    weight: int
    examined: int
    failed: int
    suppressed: int

    @property
    def ratio(self) -> float:
        return 1.0 if self.examined == 0 else max(0.0, 1 - self.failed / self.examined)


@dataclass(frozen=True, slots=True)
class CategoryScore:
    category: Category
    score: float | None  # None = not applicable
    findings: int
    suppressed: int


@dataclass(frozen=True, slots=True)
class Score:
    overall: float | None
    grade: str
    categories: dict[Category, CategoryScore]
    rules: dict[str, RuleScore]
    total_weight: int
    unchecked_files: int = 0  # files that did not parse, so no rule judged them

    def points_recoverable(self, rule_id: str) -> float:
        """Overall points gained if every failing site of this rule were fixed."""
        rs = self.rules.get(rule_id)
        if rs is None or not self.total_weight:
            return 0.0
        return round(100 * rs.weight * (1 - rs.ratio) / self.total_weight, 1)


def unparsed_files(result: ScanResult) -> dict[str, int]:
    """Per file kind, how many files a PARSE diagnostic says were not checked."""
    return _unparsed(result.diagnostics)


def _unparsed(diagnostics: list[Diagnostic]) -> dict[str, int]:
    from .discover import classify

    counts: dict[str, int] = {}
    for path in {d.path for d in diagnostics if d.kind == "PARSE" and d.path}:
        kind = classify(path)
        if kind is not None:
            counts[kind.value] = counts.get(kind.value, 0) + 1
    return counts


def _checked(files: dict[str, int], unparsed: dict[str, int]) -> dict[str, int]:
    return {kind: max(0, n - unparsed.get(kind, 0)) for kind, n in files.items()}


def _applicable(family: str, rule_id: str, sites: dict[str, SiteCount],
                files: dict[str, int]) -> bool:
    if family == "python":
        return files.get("python", 0) > 0
    if family == "docker":
        return files.get("dockerfile", 0) > 0
    if family == "compose":
        return files.get("compose", 0) > 0
    if family == "k8s":
        return files.get("kubernetes", 0) > 0
    if family == "service":
        return sites.get(rule_id) is not None and sites[rule_id].examined > 0
    return True


def grade_for(score: float | None) -> str:
    if score is None:
        return "N/A"
    for threshold, grade in GRADES:
        if score >= threshold:
            return grade
    return "F"


def compute_score(result: ScanResult) -> Score:
    unparsed = unparsed_files(result)
    return _score(_rule_table(result, result.rules), result.sites,
                  _checked(result.stats.files, unparsed), sum(unparsed.values()),
                  _tally(result.findings))


# Per rule: [findings, of which active (not suppressed)].
_Tally = dict[str, list[int]]


def _tally(findings: list[Finding]) -> _Tally:
    tally: _Tally = {}
    for finding in findings:
        counts = tally.get(finding.rule_id)
        if counts is None:
            counts = tally[finding.rule_id] = [0, 0]
        counts[0] += 1
        if not finding.suppressed:
            counts[1] += 1
    return tally


# Per rule, in catalog order: id, category, family, weight (looked up once per report).
_RuleTable = list[tuple[str, Category, str, int]]


def _rule_table(result: ScanResult, rules: dict[str, Rule]) -> _RuleTable:
    return [(rule_id, rule.category, rule.family, WEIGHTS[result.config.severity_of(rule)])
            for rule_id, rule in rules.items()]


def _score(rules: _RuleTable, sites: dict[str, SiteCount], files: dict[str, int],
           unchecked: int, tally: _Tally, *, by_category: bool = True) -> Score:
    """The score of these sites and findings; `by_category=False` leaves the categories out
    (a service's score is its overall figure)."""
    rule_scores: dict[str, RuleScore] = {}
    no_findings = (0, 0)
    for rule_id, category, family, weight in rules:
        if not _applicable(family, rule_id, sites, files):
            continue
        found, active = tally.get(rule_id, no_findings)
        count = sites.get(rule_id)
        examined = max(count.examined if count else 0, found)
        rule_scores[rule_id] = RuleScore(rule_id, category, weight, examined, active,
                                         found - active)
    categories: dict[Category, CategoryScore] = {}
    if by_category:
        members_of: dict[Category, list[RuleScore]] = {category: [] for category in Category}
        for rs in rule_scores.values():
            members_of[rs.category].append(rs)
        for category, members in members_of.items():
            categories[category] = CategoryScore(
                category, _weighted(members),
                sum(rs.failed for rs in members), sum(rs.suppressed for rs in members),
            )
    overall = _weighted(list(rule_scores.values()))
    code_files = sum(n for kind, n in files.items() if kind != "text")
    if unchecked and code_files <= 0 and not any(rs.failed for rs in rule_scores.values()):
        # nothing could be checked: no score rather than a clean one
        overall = None
        categories = {cat: CategoryScore(cat, None, cs.findings, cs.suppressed)
                      for cat, cs in categories.items()}
    return Score(overall, grade_for(overall), categories, rule_scores,
                 sum(rs.weight for rs in rule_scores.values()), unchecked)


def _weighted(members: list[RuleScore]) -> float | None:
    weight = sum(rs.weight for rs in members)
    if not members:
        return None
    if weight == 0:
        return 100.0
    return round(100 * sum(rs.weight * rs.ratio for rs in members) / weight, 1)


@dataclass(frozen=True, slots=True)
class ServiceScore:
    """One service of a monorepo, scored on its own files."""

    name: str
    kind: str
    path: str  # where the application object is defined
    root: str  # the directory its code lives under ("" = the repository root)
    overall: float | None
    grade: str
    findings: int


def service_scores(result: ScanResult) -> list[ServiceScore]:
    """A score per detected service, from the findings and sites of the files it owns: its
    code, the Dockerfiles that build it and the Compose/Kubernetes files that run it. A
    per-file rule counts the sites it examined in those files; a repository-wide rule counts
    the service's findings as failing sites, or one passing site where the service has an
    artifact of that rule's kind and no finding. Repository rules (REPO*) judge the repository,
    not a service, and stay out of service scores."""
    if result.scored is not None and result.scored[0] is result.findings:
        return list(result.scored[1])
    owners = result.service_owners if result.project is None else service_owners(
        result.project)
    if not owners:
        return []
    rules = {rid: rule for rid, rule in result.rules.items() if rule.family != "repo"}
    table = _rule_table(result, rules)
    # Each file's findings tallied once by rule, and each path once under every directory
    # above it: a service's files are looked up and their tallies added, never searched or
    # counted again (services share Compose files with hundreds of findings).
    tally_of: dict[str, _Tally] = {}
    for finding in result.findings:
        if finding.rule_id in rules:
            counts = tally_of.setdefault(finding.path, {}).setdefault(finding.rule_id, [0, 0])
            counts[0] += 1
            if not finding.suppressed:
                counts[1] += 1
    paths = {*result.file_sites, *(f.path for f in result.findings)}
    diagnostics_of: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        diagnostics_of.setdefault(diagnostic.path, []).append(diagnostic)
    under: dict[str, list[str]] = {}
    for path in paths.union(diagnostics_of):
        end = path.rfind("/")
        while end > 0:
            under.setdefault(path[:end], []).append(path)
            end = path.rfind("/", 0, end)
    per_file_rules = {rule_id for counts in result.file_sites.values() for rule_id in counts}
    # repository-wide rules: (id, family, sites examined in the whole repository)
    wide = [(rule_id, rule.family, (result.sites.get(rule_id) or SiteCount()).examined)
            for rule_id, rule in rules.items() if rule_id not in per_file_rules]
    families: dict[str, str] = {}

    def family_of(path: str) -> str:
        family = families.get(path)
        if family is None:
            family = families[path] = _family_of(path)
        return family

    scores = []
    for name, kind, app_path, root, owned_files in owners:
        owned = set(owned_files)
        mine = sorted(owned.union(under.get(root, ())) if root else owned)
        kinds = {family_of(p) for p in owned} | {"service"}
        tally: _Tally = {}
        for path in mine:
            for rule_id, (found, active) in tally_of.get(path, {}).items():
                counts = tally.setdefault(rule_id, [0, 0])
                counts[0] += found
                counts[1] += active
        sums: dict[str, list[int]] = {}  # per rule: examined, failed
        for path in mine:
            for rule_id, count in result.file_sites.get(path, {}).items():
                total = sums.get(rule_id)
                if total is None:
                    sums[rule_id] = [count.examined, count.failed]
                else:
                    total[0] += count.examined
                    total[1] += count.failed
        sites = {rule_id: SiteCount(examined, failed) for rule_id, (examined, failed)
                 in sums.items() if examined and rule_id in rules}
        for rule_id, family, examined in wide:
            failed = tally[rule_id][0] if rule_id in tally else 0
            passing = 1 if examined and family in kinds else 0
            if max(failed, passing):
                sites[rule_id] = SiteCount(max(failed, passing), failed)
        unparsed = _unparsed([d for p in mine for d in diagnostics_of.get(p, ())])
        score = _score(table, sites, _checked(_files_of(mine, family_of), unparsed),
                       sum(unparsed.values()), tally, by_category=False)
        scores.append(ServiceScore(name, kind, app_path, root, score.overall, score.grade,
                                   sum(active for _, active in tally.values())))
    return scores


def service_owners(project: Any) -> list[ServiceOwner]:
    """(name, kind, app path, root, files it owns) of each service that ships: its code, the
    Dockerfiles that build it and the Compose/Kubernetes files that run it. An app in an
    example, a fixture or dev tooling is not scored."""
    from .project.deployment import deployment_of
    from .project.services import services_of

    if getattr(project.python, "pending", False):
        return []  # the selected rules read no Python: no service model is built for scores
    deployment = deployment_of(project)
    return [(svc.name, svc.kind, svc.path, svc.root,
             sorted({svc.path, *svc.files, *svc.dockerfiles, *(r.path for r in svc.runners)}))
            for svc in services_of(project) if deployment.role_of(svc.path).judged]


def _family_of(path: str) -> str:
    from .discover import classify

    kind = classify(path)
    if kind is None:
        return ""
    if kind.value == "yaml":
        return "compose" if "compose" in path.rsplit("/", 1)[-1] else "k8s"
    return {"python": "python", "dockerfile": "docker"}.get(kind.value, "")


def _files_of(paths: list[str], family_of: Callable[[str], str]) -> dict[str, int]:
    """File counts of the service's own files, so only its kinds of rules apply."""
    families = {"python": "python", "docker": "dockerfile", "compose": "compose",
                "k8s": "kubernetes"}
    files: dict[str, int] = {}
    for path in paths:
        key = families.get(family_of(path))
        if key:
            files[key] = files.get(key, 0) + 1
    return files
