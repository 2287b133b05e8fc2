"""Template-transform bounds: run time, memory and output size, and stop while a template renders."""
import resource
import threading
import time

import pytest

from core.workflow import Limits
from tests.workflow.support import edge, end, graph, run, start, template

NESTED_LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}done"
LONG_OUTPUT = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"


def _render(source: str, **ctx_fields):
    began = time.monotonic()
    nodes = [start(), template("t", source), end(out=["t", "output"])]
    result, events = run(graph(nodes, [edge("start", "t"), edge("t", "end")]), **ctx_fields)
    return result, events.finished("t"), time.monotonic() - began


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_nested_loops_time_out_with_a_clear_error():
    result, finished, elapsed = _render(NESTED_LOOPS, limits=Limits(template_timeout=1.0))
    assert result.status == "failed" and result.error == "Template rendering timed out after 1s"
    assert finished["status"] == "failed" and finished["error"] == result.error
    assert elapsed < 3.0


@pytest.mark.parametrize("source", ["{{ 'x'.center(10**9) }}", "{{ 'x' | center(1000000000) }}",
                                    "{{ '%1000000000s' % 'x' }}", "{{ ('x' ~ '\\n') | indent(1000000000) }}"])
def test_huge_allocations_fail_fast_in_bounded_memory(source):
    before = _max_rss_mb()
    result, _, elapsed = _render(source, limits=Limits(template_timeout=5.0))
    assert result.status == "failed", result.outputs
    assert "memory limit" in result.error or "exceeds 80000 characters" in result.error, result.error
    assert elapsed < 4.0 and _max_rss_mb() - before < 100


def test_output_beyond_the_limit_stops_rendering_early():
    result, _, elapsed = _render(LONG_OUTPUT, limits=Limits(template_max_length=1000, template_timeout=10.0))
    assert result.status == "failed" and result.error == "Output length exceeds 1000 characters"
    assert elapsed < 2.0


def test_output_within_the_limit_is_kept_whole():
    result, _, _ = _render("{% for i in range(3) %}{{ i }}{% endfor %}" + "y" * 500,
                           limits=Limits(template_max_length=503))
    assert result.status == "succeeded" and result.outputs == {"out": "012" + "y" * 500}


def test_stop_ends_a_running_template_promptly():
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    result, finished, elapsed = _render(NESTED_LOOPS, should_stop=stop.is_set, limits=Limits(template_timeout=30.0))
    assert result.status == "stopped" and finished["status"] == "stopped"
    assert elapsed < 1.5


def test_renders_after_a_failure_start_clean_and_warm_renders_are_fast():
    assert _render("{{ 'x'.center(10**9) }}")[0].status == "failed"
    assert _render("{{ 6 * 7 }}")[0].outputs == {"out": "42"}
    began = time.monotonic()
    for number in range(20):  # a renderer process is reused: no interpreter start-up per template
        assert _render("{{ n }}".replace("n", str(number)))[0].outputs == {"out": str(number)}
    assert time.monotonic() - began < 1.0
