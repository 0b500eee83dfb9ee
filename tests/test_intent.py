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


@pytest.mark.parametrize(("comment", "flagged"), [
    ("# catch and ignore any exceptions here so the main workflow goes on", False),
    ("# best effort: the replica is rebuilt tomorrow", False),
    ("# send the event to the bus", True),  # describes the call
    ("# raise the priority of urgent events", True),
])
def test_a_comment_opening_the_try_body_explains_only_a_deliberate_fallback(comment, flagged):
    code = SWALLOW.format(try_comment="", except_comment="").replace(
        "    try:\n", f"    try:\n        {comment}\n")
    assert bool(_findings(code, "PY002")) is flagged


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


def test_a_task_started_by_a_finalizer_has_no_owner_to_keep_it():
    code = """
    import asyncio


    class Client:
        def __del__(self):
            asyncio.get_event_loop().create_task(self._close())

        def reconnect(self):
            asyncio.get_event_loop().create_task(self._open())
    """
    assert [f.line for f in _findings(code, "PY012")] == [10]


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
    ('error = e.args[0]\n            results[event] = error\n            log.debug(error)', False),
    ('error = "failed"\n            results[event] = error\n            log.debug(e)', True),
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


def test_releasing_reaping_and_cache_updates_are_best_effort():
    code = """
    def local_gateway_clean(self, runner):
        servers = self.gateway_servers.pop(runner.id, [])
        for s in servers:
            try:
                s.stop(force=True)
            except Exception:
                pass


    def restart(supervisor):
        try:
            stop_worker(supervisor, "runner")
        except Exception:
            pass
        start_worker(supervisor, "runner")


    def poll(self):
        try:
            self.process.wait(1)
        except Exception:
            pass
        return self.process.returncode


    def forget(key):
        try:
            cache.delete(key)
        except Exception:
            pass


    def remember(redis_client, cache_key, name):
        try:
            redis_client.set(cache_key, name)
        except Exception:
            pass


    async def step(page):
        try:
            await page.request_gc()
        except Exception:
            pass
    """
    assert _findings(code, "PY002") == []


def test_stopping_or_waiting_on_business_objects_is_still_work():
    code = """
    def pause(orders, subscriptions):
        for order in orders:
            try:
                order.stop()
            except Exception:
                pass
        try:
            stop_subscription(subscriptions)
        except Exception:
            pass
        try:
            orders.wait()
        except Exception:
            pass
    """
    assert [f.line for f in _findings(code, "PY002")] == [6, 10, 14]


def test_a_logging_handler_and_a_telemetry_module_never_raise():
    handler = """
    import logging


    class QueueHandler(logging.Handler):
        def report_lost(self):
            try:
                self.queue.put_nowait(self.make_record())
            except Exception:
                pass
    """
    assert _findings(handler, "PY002") == []
    observe = textwrap.dedent("""
    def observe(name, value):
        try:
            write_observation(name, value)
        except Exception as e:
            log.debug("observe failed: %s", e)
    """)
    for module in ("app/metrics.py", "app/sandbox/otel_relay.py", "app/tracing.py"):
        assert scan_files({module: observe}, ["PY001"]) == [], module
    assert len(scan_files({"app/relay.py": observe}, ["PY001"])) == 1


def test_an_attempt_checked_right_after_is_a_fallback():
    code = """
    def working_dir(candidates):
        for candidate in candidates:
            try:
                create_dir(candidate)
            except Exception:
                pass
            if is_writable(candidate):
                return candidate


    def publish(event):
        try:
            send(event)
        except Exception:
            pass
        if event.urgent:
            page_someone()
    """
    assert [f.line for f in _findings(code, "PY002")] == [15]


def test_a_probe_that_falls_through_to_the_next_check_answers_no():
    code = """
    def looks_encoded(value):
        try:
            b64decode(value)
            return True
        except Exception:
            pass
        return looks_encrypted(value)
    """
    assert _findings(code, "PY002") == []


def test_local_values_and_checks_are_not_actions():
    code = """
    def run_query(query):
        args = {}
        try:
            args = yaml.safe_load(query)
            url = args["url"]
            args.pop("url", None)
        except Exception:
            pass
        return fetch(args)


    def handle_image(image):
        try:
            Image.open(image).verify()
        except Exception:
            return None
        return compress(image)


    def extract(html):
        result = {}
        try:
            extractor = JSONLDExtractor()
            extractor.feed(html)
            result["json-ld"] = extractor.data
        except Exception as e:
            logger.debug("JSON-LD extraction failed: %s", e)
        return result
    """
    assert _findings(code, "PY002") == []
    assert _findings(code, "PY001") == []


def test_an_inner_handler_that_records_the_error_lets_the_outer_move_on():
    code = """
    def delete_all(self, items):
        for item in items:
            try:
                with transaction.atomic():
                    try:
                        item.delete()
                    except Exception as error:
                        self.log["errors"].append({"id": item.id, "error": error})
                        raise
            except Exception:
                continue


    def delete_rest(self, items):
        for item in items:
            try:
                with transaction.atomic():
                    try:
                        item.delete()
                    except Exception:
                        raise
            except Exception:
                continue
    """
    assert [f.line for f in _findings(code, "PY002")] == [23]


@pytest.mark.parametrize(("docstring", "flagged"), [
    ("Reset the backoff. Never raises: this only tunes a polling interval.", False),
    ("Load the anchors; invalid files are skipped.", False),
    ("Skip the header row and push every line.", True),
    ("Errors on single rows are swallowed at debug level so the delete is never broken.", False),
    ("Push the rows; the broker has swallowed them before.", True),
])
def test_a_docstring_that_says_failures_are_tolerated(docstring, flagged):
    code = f'''
    def record(rows):
        """{docstring}"""
        try:
            push(rows)
        except Exception as e:
            logger.debug("push failed: %s", e)
    '''
    assert bool(_findings(code, "PY001")) is flagged


def test_an_error_returned_after_the_attempt_is_handed_over():
    code = """
    def run_query(self, query):
        try:
            self.execute(query)
            data = self.fetch()
            error = None
        except Exception as error:
            logger.debug(error)
            data = None
        return data, error


    def run_other(self, query):
        try:
            self.execute(query)
            data = self.fetch()
        except Exception as exc:
            logger.debug(exc)
            data = None
        return data
    """
    assert [f.line for f in _findings(code, "PY001")] == [17]


def test_a_traceback_logged_at_debug_is_logged_on_purpose():
    code = """
    import traceback


    def bind(conn):
        try:
            conn.open()
        except Exception as e:
            log.info("bind failed: %s", e)
            log.debug(traceback.format_exc())
    """
    assert _findings(code, "PY001") == []


def test_a_telemetry_task_may_be_left_to_run():
    code = """
    import asyncio


    async def startup(user):
        asyncio.create_task(send_usage_telemetry_task())
        asyncio.create_task(send_welcome_email(user))
    """
    assert [f.line for f in _findings(code, "PY012")] == [7]


def test_a_conversion_whose_result_is_dropped_is_a_test():
    code = """
    def headers_for(body, headers):
        try:
            json.loads(body)
            headers["Content-Type"] = "application/json"
        except Exception:
            pass
        return headers


    def ping(url):
        try:
            requests.get(url)
        except Exception:
            pass


    def save(store, key, value):
        try:
            store.set(key, value)
        except Exception:
            pass
    """
    assert [f.line for f in _findings(code, "PY002")] == [14, 21]


def test_a_value_built_from_a_class_and_collected_is_no_work():
    code = """
    def lookup(qs, arg):
        try:
            int(arg)
            qs.append(Q(pk=arg))
        except Exception:
            pass
        return qs


    def publish_all(sent, events):
        for event in events:
            try:
                sent.append(publish(event))
            except Exception:
                pass
    """
    assert [f.line for f in _findings(code, "PY002")] == [15]


def test_last_used_bookkeeping_is_best_effort_but_not_the_login_around_it():
    code = """
    def login(user, password):
        authenticated = False
        try:
            check, details = check_user_pass(user, password)
            if check:
                authenticated = True
                try:
                    container = find_container(details)
                    container.update_last_authentication()
                except Exception as e:
                    log.debug("no container: %s", e)
        except Exception as e:
            log.debug("authentication failed: %s", e)
        return authenticated
    """
    assert [f.line for f in _findings(code, "PY001")] == [13]


def test_an_async_twin_shares_the_documented_tolerance_of_its_sync_variant():
    code = '''
    class Memory:
        def _link(self, rows):
            """Link entities to the memory. Non-fatal on any failure."""
            try:
                push(rows)
            except Exception as e:
                logger.debug("link failed: %s", e)


    class AsyncMemory:
        async def _link(self, rows):
            """Async variant of `Memory._link`."""
            try:
                await push(rows)
            except Exception as e:
                logger.debug("link failed: %s", e)

        async def _store(self, rows):
            """Async variant of `Memory._store`."""
            try:
                await push(rows)
            except Exception as e:
                logger.debug("store failed: %s", e)
    '''
    assert [f.line for f in _findings(code, "PY001")] == [23]


def test_an_event_sent_to_an_apm_agent_is_telemetry():
    code = """
    import newrelic.agent


    def fetch(url):
        data = get(url)
        if not data:
            try:
                newrelic.agent.record_custom_event("fetch_empty", {"url": url})
            except Exception:
                log.debug("event failed")
            raise FetchError(url)
        return data
    """
    assert _findings(code, "PY001") == []
    assert _findings(code.replace("newrelic.agent.record_custom_event", "orders.record_event")
                     .replace("import newrelic.agent", "import orders"), "PY001") != []


def test_an_attempt_answered_in_the_else_branch_is_a_predicate():
    code = """
    import subprocess


    def check_prog(command):
        try:
            subprocess.call(command)
        except Exception:
            return False
        else:
            return True
    """
    assert _findings(code, "PY002") == []
    assert _findings(code.replace("        else:\n            return True\n", ""), "PY002") != []


def test_a_value_computed_in_the_else_branch_falls_back_to_a_default():
    code = """
    def start_url(user, category):
        try:
            check_permission(user, category)
        except:
            return None
        else:
            return reverse("start", category.slug)
    """
    assert _findings(code, "PY002") == []
    # without the value, the handler hides a failed action
    assert _findings(code.replace('        else:\n            return reverse("start", '
                                  'category.slug)\n', ""), "PY002") != []


def test_an_earlier_handler_of_the_same_try_explains_the_bypass():
    code = """
    def export(cursor, position):
        try:
            cursor.scroll(position)
        except ScrollError:
            {comment}
            pass
        except Exception:
            pass
    """
    explained = "# bypassing the error: the end of the records was reached"
    assert _findings(code.format(comment=explained), "PY002") == []
    assert _findings(code.format(comment="# TODO"), "PY002") != []


def test_an_attempt_that_returns_on_success_before_another_way_is_a_fallback():
    code = """
    from django.core.cache import cache


    def bump(key, current):
        try:
            cache.incr(key)
            return
        except Exception:
            pass
        {after}
    """
    assert _findings(code.format(after="cache.set(key, current + 1, None)"), "PY002") == []
    # nothing after the attempt: the failure is simply dropped
    assert _findings(code.format(after=""), "PY002") != []


def test_a_value_computed_by_the_attempt_and_a_default_after_it_is_not_another_way():
    code = """
    def login(conn, user):
        try:
            conn.bind(user)
            return user.name
        except Exception as e:
            logger.debug(f"bind failed {e}")
        return ""
    """
    assert _findings(code, "PY001") != []


def test_a_command_line_commands_low_log_is_informational():
    code = """
    import click
    import logging

    log = logging.getLogger(__name__)


    @click.command()
    def update():
        try:
            rebuild_index()
        except Exception as e:
            log.info(f"Error during update: {e}")


    def refresh_all():
        try:
            rebuild_index()
        except Exception as e:
            log.debug(f"Error during update: {e}")
    """
    assert {f.line: f.severity.value for f in _findings(code, "PY001")} == {
        12: "info", 19: "high"}


def test_a_failure_logged_at_info_is_seen_and_only_misses_its_traceback():
    code = """
    import logging

    log = logging.getLogger(__name__)


    def sync():
        try:
            push()
        except Exception as e:
            log.info(f"sync failed: {e}")
    """
    [finding] = _findings(code, "PY001")
    assert finding.severity.value == "info" and "only the traceback is missing" in finding.message
    assert finding.fix is not None and finding.fix.safety.value == "safe"
