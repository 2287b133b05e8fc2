"""Completion and chat runs: preparation, execution, stop, resume."""
