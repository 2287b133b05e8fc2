"""EXPLAIN (ANALYZE) of the statements the list endpoints really run, captured from the app in-process."""
from __future__ import annotations

from bench.suite.world import World


def list_plans(world: World, headers: dict, conversation: str, message: str) -> list[str]:
    """Markdown sections: each SELECT on conversations/messages of four list requests, with its plan."""
    from sqlalchemy import event

    from api.app import create_app
    from api.config import Config
    from api.extensions import db

    app = create_app(Config.from_env(world.env()))
    captured: list[tuple[str, object]] = []
    paths = ["/api/conversations?limit=20", f"/api/conversations?limit=20&last_id={conversation}",
             f"/api/messages?limit=20&conversation_id={conversation}",
             f"/api/messages?limit=20&conversation_id={conversation}&first_id={message}"]
    with app.app_context():
        def capture(conn, cursor, statement, parameters, context, executemany):
            tables = "conversations" in statement or "messages" in statement
            if statement.lstrip().upper().startswith("SELECT") and tables:
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        sections = []
        for path in paths:
            del captured[:]
            status = app.test_client().get(path, headers=headers).status_code
            sections.append(f"#### `GET {path}` ({status})\n")
            with db.engine.connect() as conn:
                for statement, parameters in list(captured):
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
                    sections.append("```\n" + statement.strip() + "\n\n" + "\n".join(r[0] for r in plan) + "\n```\n")
        event.remove(db.engine, "before_cursor_execute", capture)
        db.engine.dispose()
    return sections
