"""Tests of the MCP client (core/mcp) against SDK and hand-rolled loopback servers."""
