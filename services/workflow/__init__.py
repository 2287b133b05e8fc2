"""Workflow and chatflow runs: enqueued by the web process, executed by RQ workers."""
