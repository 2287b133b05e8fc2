"""`flask sandbox check`: runs main() in the real sandbox, or says why it cannot."""
import pytest


def test_check_runs_both_languages_in_the_sandbox(runner):
    result = runner.invoke(args=["sandbox", "check"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.output.splitlines())
    assert lines["python3"].strip().startswith("3.") and lines["javascript"].strip().startswith("v")
    assert lines["packages"].strip() == "(none)"


class TestWithoutIsolation:
    @pytest.fixture
    def app_overrides(self):
        return {"CODE_SANDBOX_BWRAP": "/bin/false"}

    def test_check_explains_a_host_without_isolation(self, runner):
        result = runner.invoke(args=["sandbox", "check"])
        assert result.exit_code == 1
        assert "Code execution is unavailable: the code sandbox cannot isolate code on this host" in result.output
