"""`flask mcp`: attach MCP servers to apps and probe them."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from core.mcp import McpClientError
from services import app_service, mcp_service
from services.errors import AppError

mcp_cli = AppGroup("mcp", help="MCP servers: probe, add to an app, list, remove.")
TRANSPORT = click.Choice(["auto", "streamable", "sse"])


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    pairs = [value.split(":", 1) for value in values]
    if any(len(pair) != 2 for pair in pairs):
        raise click.BadParameter("headers look like 'Name: value'", param_hint="--header")
    return {name.strip(): value.strip() for name, value in pairs}


@mcp_cli.command("probe")
@click.argument("url")
@click.option("--header", "headers", multiple=True, help="'Name: value', repeatable.")
@click.option("--transport", type=TRANSPORT, default="auto", show_default=True)
def probe_command(url: str, headers: tuple[str, ...], transport: str) -> None:
    """Connect to an MCP server and print its info and tools."""
    entry = {"url": url, "headers": _headers(headers), "transport": transport}
    try:
        info = mcp_service.probe(entry, current_app.config)
    except McpClientError as exc:
        raise click.ClickException(exc.message) from None
    server = info["server_info"] or {}
    click.echo(f"server: {server.get('name')} {server.get('version', '')}".rstrip())
    click.echo(f"protocol: {info['protocol_version']} over {info['transport']}")
    for tool in info["tools"]:
        click.echo(f"  {tool['name']}: {(tool.get('description') or '').strip()}")
        click.echo(f"    input: {json.dumps(tool.get('inputSchema') or {}, ensure_ascii=False)}")


@mcp_cli.command("add")
@click.argument("code")
@click.argument("name")
@click.argument("url")
@click.option("--header", "headers", multiple=True, help="'Name: value', repeatable.")
@click.option("--transport", type=TRANSPORT, default="auto", show_default=True)
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds per MCP request.")
def add_command(code: str, name: str, url: str, headers: tuple[str, ...], transport: str, timeout: float) -> None:
    """Attach an MCP server to the app with site CODE (it is probed first)."""
    try:
        app = app_service.get_app_by_code(code)
        entry = mcp_service.add_server(app, name, url, _headers(headers), transport, current_app.config, timeout)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"added '{name}' ({entry['id']}) with tools: {', '.join(entry['tools']) or '(none)'}")


@mcp_cli.command("list")
@click.argument("code")
def list_command(code: str) -> None:
    """List the MCP servers of an app."""
    try:
        app = app_service.get_app_by_code(code)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    for entry in mcp_service.servers(app):
        click.echo(f"{entry['name']}\t{entry['id']}\t{entry['transport']}\t{entry['url']}\t"
                   f"{','.join(entry.get('tools', []))}")


@mcp_cli.command("remove")
@click.argument("code")
@click.argument("name")
def remove_command(code: str, name: str) -> None:
    """Detach an MCP server from an app."""
    try:
        mcp_service.remove_server(app_service.get_app_by_code(code), name)
    except AppError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"removed '{name}'")
