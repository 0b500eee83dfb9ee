"""Deliberate handlers are recognised; what swallowing costs sets PY002's severity."""

from __future__ import annotations

import textwrap

import pytest

from prodready.model import Severity
from prodready.testing import scan_files


def _findings(code: str, rule: str) -> list:
    return [f for f in scan_files({"app/work.py": textwrap.dedent(code)}, [rule])
            if f.rule_id == rule]


SWALLOW = """
def publish(event):
    try:
        send(event){try_comment}
    except Exception:{except_comment}
        pass
"""


@pytest.mark.parametrize("comment", [
    "  # noqa: BLE001", "  # noqa: E722, S110", "  # noqa", "  # nosec",
    "  # pylint: disable=broad-except", "  # pylint: disable=broad-exception-caught",
    "  # pylint: disable=W0703", "  # the next sync resends everything",
])
def test_a_marked_or_explained_handler_is_not_swallowing(comment):
    code = SWALLOW.format(try_comment="", except_comment=comment)
    assert _findings(code, "PY002") == []


@pytest.mark.parametrize("comment", ["  # noqa: E501", "  # type: ignore", "  # ok",
                                     "  # pylint: disable=line-too-long",
                                     "  # TODO: handle this properly"])
def test_a_comment_for_another_concern_is_no_intent(comment):
    code = SWALLOW.format(try_comment="", except_comment=comment)
    assert [f.line for f in _findings(code, "PY002")] == [5]


def test_a_disable_comment_on_the_try_line_counts():
    code = SWALLOW.format(try_comment="", except_comment="").replace(
        "    try:", "    try:  # noqa: S110")
    assert _findings(code, "PY002") == []


def test_a_failed_action_is_reported_and_a_value_fallback_is_not():
    code = """
    def publish(event):
        try:
            send(event)
        except Exception:
            pass


    def config(path):
        try:
            return parse(path)
        except Exception:
            return None
    """
    found = {f.line: f.severity for f in _findings(code, "PY002")}
    assert found == {5: Severity.HIGH}


def test_work_lost_in_a_loop_is_reported_but_a_search_for_a_candidate_is_not():
    code = """
    def drain(items):
        for item in items:
            try:
                handle(item)
            except Exception:
                continue


    def encoding(blob, codecs):
        for codec in codecs:
            try:
                blob.decode(codec)
                return codec
            except Exception:
                pass
    """
    found = {f.line: (f.severity, "lost" in f.message) for f in _findings(code, "PY002")}
    assert found == {6: (Severity.HIGH, True)}


def test_predicates_metrics_cleanup_and_nested_handlers_are_deliberate():
    code = """
    def valid(value):
        try:
            check(value)
            return True
        except Exception:
            return False


    def has_access(user):
        try:
            return lookup(user)
        except Exception:
            return False


    def send_all(event):
        try:
            send(event)
        except Exception:
            metrics.send_errors.labels("x").inc()


    def stop(path, conn):
        try:
            conn.close()
            os.remove(path)
        except Exception:
            pass


    def run(job):
        try:
            job.run()
        except Exception:
            logger.error("job failed")
            try:
                job.mark_failed()
            except Exception:
                pass
    """
    assert _findings(code, "PY002") == []


def test_business_verbs_are_not_cleanup():
    code = """
    def refund(orders, order_id):
        try:
            orders.cancel(order_id)
            orders.remove(order_id)
        except Exception:
            pass
    """
    assert [f.line for f in _findings(code, "PY002")] == [6]


def test_debug_logging_on_purpose_is_not_py001():
    code = """
    def beat():
        try:
            send_heartbeat()
        except Exception:
            logger.debug("heartbeat failed", exc_info=True)


    def refresh():
        try:
            delete_rows()
        except Exception:
            logger.info("delete failed, will overwrite by id")


    def sync(order):
        try:
            push(order)
        except Exception as exc:
            logger.debug("sync failed: %s", exc)
    """
    found = _findings(code, "PY001")
    assert [f.line for f in found] == [19]
    assert found[0].fix is not None  # the fix is only offered where no intent was found


def test_a_reviewed_dangling_task_is_not_py012():
    code = """
    import asyncio


    async def main(app):
        asyncio.create_task(app.warm())  # noqa: RUF006
        asyncio.create_task(app.poll())
    """
    assert [f.line for f in _findings(code, "PY012")] == [7]



def test_work_collected_by_a_builder_is_work():
    code = """
    def dedupe(findings, candidates):
        changed = []
        for finding in findings:
            for match in candidates:
                try:
                    changed.extend(mark_duplicate(finding, match))
                    break
                except Exception as exc:
                    logger.debug("could not deduplicate %s: %s", finding, exc)
        return changed
    """
    assert [f.line for f in _findings(code, "PY001")] == [9]


@pytest.mark.parametrize(("handler", "flagged"), [
    ('log.debug("no policy: %s", e)\n            return {"status": "error"}, 503', False),
    ('log.debug("no policy: %s", e)\n            results.append({"error": str(e)})', False),
    ('log.debug("no policy: %s", e)\n            results.append({"error": "failed"})', True),
])
def test_an_error_handed_to_the_caller_is_not_hidden(handler, flagged):
    code = f"""
    def publish_all(events, results):
        for event in events:
            try:
                publish(event)
            except Exception as e:
                {handler.replace(chr(10) + '            ', chr(10) + '                ')}
    """
    assert bool(_findings(code, "PY001")) is flagged
