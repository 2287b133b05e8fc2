"""Flask CLI: app management (there is no console)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from api.mcp_cli import mcp_cli
from api.sandbox_cli import sandbox_cli
from services import app_service
from services.errors import AppError

apps_cli = AppGroup("apps", help="Create, import, list, enable and disable apps.")


def web_url(mode: str, code: str) -> str:
    """The public page of an app, as end users open it."""
    page = {"advanced-chat": "chat", "agent-chat": "chat"}.get(mode, mode)
    return f"{current_app.config['APP_WEB_URL'].rstrip('/')}/{page}/{code}"


def _fail(exc: AppError) -> None:
    raise click.ClickException(exc.message)


@apps_cli.command("create")
@click.option("--mode", type=click.Choice(["completion", "chat", "agent-chat"]), default="chat", show_default=True)
@click.option("--name", required=True)
@click.option("--model", default=None, help="Model name (default: DEFAULT_MODEL).")
@click.option("--pre-prompt", default="", help="Prompt template; {{variable}} placeholders become inputs.")
@click.option("--opening-statement", default="")
def create_command(mode: str, name: str, model: str | None, pre_prompt: str, opening_statement: str) -> None:
    """Create an app with a public site."""
    config = app_service.easy_model_config(model, pre_prompt, opening_statement)
    app, site = app_service.create_app_with_site(app_service.NewApp(name=name, mode=mode, model_config=config))
    click.echo(f"created {app.mode} app '{app.name}' code={site.code} url={web_url(app.mode, site.code)}")


@apps_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import a Dify DSL (.yml) export."""
    try:
        app, site = app_service.import_dsl(path.read_text(encoding="utf-8"))
    except AppError as exc:
        raise click.ClickException(f"{path.name}: {exc.message}") from None
    click.echo(f"imported {app.mode} app '{app.name}' code={site.code} url={web_url(app.mode, site.code)}")


@apps_cli.command("configure")
@click.argument("code")
@click.option("--base-url", help="OpenAI-compatible endpoint for this app (e.g. http://127.0.0.1:8000/v1).")
@click.option("--api-key", help="API key for --base-url.")
@click.option("--model", help="Model name sent upstream.")
@click.option("--provider", type=click.Choice(["openai", "demo"]), help="Force a provider.")
@click.option("--cache/--no-cache", default=None, help="Completion cache (completion apps).")
@click.option("--max-active-requests", type=int, help="Concurrent runs allowed (0 = server default).")
def configure_command(code: str, base_url: str | None, api_key: str | None, model: str | None,
                      provider: str | None, cache: bool | None, max_active_requests: int | None) -> None:
    """Set an app's model provider, completion cache and concurrency limit."""
    given = {"base_url": base_url, "api_key": api_key, "model": model, "provider": provider}
    try:
        app = app_service.configure_app(code, {k: v for k, v in given.items() if v}, cache, max_active_requests)
    except AppError as exc:
        _fail(exc)
    click.echo(f"configured '{app.name}' ({code})")


@apps_cli.command("list")
def list_command() -> None:
    """List apps: code, mode, site state, name, URL."""
    for app, site in app_service.list_apps():
        state = "enabled" if app.enable_site else "disabled"
        click.echo(f"{site.code}\t{app.mode}\t{state}\t{app.name}\t{web_url(app.mode, site.code)}")


@apps_cli.command("disable")
@click.argument("code")
def disable_command(code: str) -> None:
    """Disable the public site of an app."""
    _set_enabled(code, False)


@apps_cli.command("enable")
@click.argument("code")
def enable_command(code: str) -> None:
    """Enable the public site of an app."""
    _set_enabled(code, True)


def _set_enabled(code: str, enabled: bool) -> None:
    try:
        app = app_service.set_site_enabled(code, enabled)
    except AppError as exc:
        _fail(exc)
    click.echo(f"{'enabled' if enabled else 'disabled'} '{app.name}' ({code})")


@apps_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo chat app if there is no app yet; print its URL and code."""
    app, site, created = app_service.ensure_demo_app()
    click.echo(f"{'created' if created else 'found'} demo app '{app.name}'")
    click.echo(f"  app code: {site.code}")
    click.echo(f"  web URL:  {web_url(app.mode, site.code)}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(apps_cli)
    app.cli.add_command(mcp_cli)
    app.cli.add_command(sandbox_cli)
