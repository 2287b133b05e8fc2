"""An "auto" MCP server found to speak only legacy HTTP+SSE is not probed again per session (issue 11)."""
from __future__ import annotations

from api.extensions import db
from models import App
from services import mcp_service
from tests.factories import make_app
from tests.mcp.servers import _start_thread, sse_app


class RequestLog:
    """ASGI middleware recording (method, path) of every HTTP request the wrapped app receives."""

    def __init__(self, app):
        self.app, self.seen = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)


def test_auto_transport_is_detected_once_and_remembered(app, runner):
    served = RequestLog(sse_app())
    url, stop = _start_thread(served, "/mcp-prefix/sse")
    code = make_app(app, mode="agent-chat")["code"]
    try:
        added = runner.invoke(args=["mcp", "add", code, "legacy", url])
        assert added.exit_code == 0, added.output
        probes = [("POST", "/mcp-prefix/sse")]
        assert [r for r in served.seen if r in probes] == probes, "adding probes Streamable HTTP once"
        with app.app_context():
            entries = mcp_service.servers(db.session.execute(db.select(App)).scalar_one())
            assert entries[0]["transport"] == "auto"
            for a in (1, 2):
                outputs = mcp_service.call_tool(entries, app.config, "legacy", "add", {"a": a, "b": 40})
                assert outputs["text"] == str(a + 40)
    finally:
        stop()
    assert [r for r in served.seen if r in probes] == probes, "later sessions open the legacy transport directly"
    assert served.seen.count(("GET", "/mcp-prefix/sse")) == 3
