"""`flask sandbox`: check the code sandbox on this host, install extra Python packages for code nodes."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from services.errors import AppError
from services.workflow import code_sandbox

sandbox_cli = AppGroup("sandbox", help="The code-node sandbox: check it, add Python packages.")


@sandbox_cli.command("check")
def check_command() -> None:
    """Run a Python and a JavaScript main() in the sandbox; print versions and extra packages."""
    try:
        report = code_sandbox.check(current_app.config)
    except AppError as exc:
        raise click.ClickException(exc.message)
    click.echo(f"python3:    {report.python}")
    click.echo(f"javascript: {report.node}")
    click.echo(f"packages:   {', '.join(report.packages) or '(none)'}")


@sandbox_cli.command("install")
@click.argument("packages", nargs=-1, required=True)
def install_command(packages: tuple[str, ...]) -> None:
    """pip-install PACKAGES into CODE_SANDBOX_PYTHON_PACKAGES for code nodes (e.g. json_repair jieba)."""
    try:
        present = code_sandbox.install_packages(current_app.config, list(packages))
    except AppError as exc:
        raise click.ClickException(exc.message)
    click.echo(f"installed into {current_app.config['CODE_SANDBOX_PYTHON_PACKAGES']}: {', '.join(present)}")
