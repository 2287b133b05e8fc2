"""The workflow engine: runs Dify DSL graphs and emits Dify's workflow events (pure Python)."""
from core.workflow.context import STOPPED_BY_USER, Limits, RunContext, RunResult
from core.workflow.engine import run_graph
from core.workflow.variables import workflow_variables

__all__ = ["STOPPED_BY_USER", "Limits", "RunContext", "RunResult", "run_graph", "workflow_variables"]
