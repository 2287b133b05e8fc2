"""`flask apps`: create, import every shared DSL sample (or refuse it), list, enable/disable."""
from __future__ import annotations

import pytest

from api.extensions import db
from models import App
from tests.conftest import DSL_SAMPLES
from tests.core.test_dsl import EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_every_sample_or_refuse_naming_the_part(app, runner, name):
    mode, refusal = EXPECTED[name]
    result = runner.invoke(args=["apps", "import", str(DSL_SAMPLES / name)])
    with app.app_context():
        stored = db.session.execute(db.select(App)).scalars().all()
    if refusal is None:
        assert result.exit_code == 0, result.output
        assert f"imported {mode} app" in result.output
        assert [a.mode for a in stored] == [mode]
        assert (stored[0].workflow if mode in ("workflow", "advanced-chat") else stored[0].model_config)
    else:
        assert result.exit_code != 0
        assert name in result.output and refusal in result.output
        assert stored == [], "a refused DSL must leave nothing behind"


@pytest.mark.embedded
def test_create_list_disable_enable(app, runner):
    created = runner.invoke(args=["apps", "create", "--mode", "completion", "--name", "Writer",
                                  "--pre-prompt", "Write about {{topic}}"])
    assert created.exit_code == 0, created.output
    code = created.output.split("code=")[1].split()[0]
    listed = runner.invoke(args=["apps", "list"]).output
    assert f"{code}\tcompletion\tenabled\tWriter\thttp://127.0.0.1:5001/completion/{code}" in listed
    assert runner.invoke(args=["apps", "disable", code]).exit_code == 0
    assert f"{code}\tcompletion\tdisabled" in runner.invoke(args=["apps", "list"]).output
    assert runner.invoke(args=["apps", "enable", code]).exit_code == 0
    unknown = runner.invoke(args=["apps", "disable", "nope"])
    assert unknown.exit_code != 0 and "No app with code 'nope'" in unknown.output


@pytest.mark.embedded
def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["apps", "seed-demo"])
    second = runner.invoke(args=["apps", "seed-demo"])
    assert "created demo app" in first.output and "found demo app" in second.output
    code = first.output.split("app code: ")[1].split()[0]
    assert code in second.output and f"/chat/{code}" in first.output


def test_refused_unknown_kind_and_bad_yaml(app, runner, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("kind: plugin\nversion: 0.1.0\n")
    result = runner.invoke(args=["apps", "import", str(bad)])
    assert result.exit_code != 0 and "kind" in result.output
    bad.write_text("app: [unclosed\n")
    assert runner.invoke(args=["apps", "import", str(bad)]).exit_code != 0
