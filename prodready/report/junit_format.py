"""JUnit XML: one test case per rule that ran, failing with one failure per open finding.

A rule that found nothing to examine (no site of its kind in the repository) is a skipped
test case, not a passed one.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from . import Report


def render(report: Report) -> str:
    result = report.result
    by_rule: dict[str, list] = {rule_id: [] for rule_id in sorted(result.rules)}
    for finding in report.open_findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    scored = report.score.rules
    idle = {rule_id for rule_id, found in by_rule.items()
            if not found and (rule_id not in scored or scored[rule_id].examined == 0)}
    failures = sum(1 for found in by_rule.values() if found)
    suites = ET.Element("testsuites", name="prodready", tests=str(len(by_rule)),
                        failures=str(failures))
    suite = ET.SubElement(suites, "testsuite", name="prodready", tests=str(len(by_rule)),
                          failures=str(failures), errors="0", skipped=str(len(idle)),
                          time=f"{result.stats.duration_s:.3f}")
    for rule_id, found in by_rule.items():
        rule = result.rules.get(rule_id)
        case = ET.SubElement(suite, "testcase", name=f"{rule_id} {rule.slug}" if rule else rule_id,
                             classname=f"prodready.{rule.family}" if rule else "prodready")
        if rule_id in idle:
            ET.SubElement(case, "skipped", message="nothing in the repository for this rule")
        for finding in found:
            failure = ET.SubElement(case, "failure", type=finding.severity.value,
                                    message=f"{finding.path}:{finding.line}: {finding.message}")
            failure.text = f"{finding.path}:{finding.line}:{finding.column} {finding.message}"
    unchecked = [d for d in result.diagnostics if d.kind in ("PARSE", "INTERNAL")]
    if unchecked:  # files that could not be checked are errors of the run, not failures
        suite.set("errors", str(len(unchecked)))
        case = ET.SubElement(suite, "testcase", name="files parse", classname="prodready")
        for d in unchecked:
            error = ET.SubElement(case, "error", type=d.kind,
                                  message=f"{d.path}:{d.line or 1}: {d.message}")
            error.text = f"{d.path}:{d.line or 1} {d.message}"
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
