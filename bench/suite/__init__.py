"""The bench suite (issue 10): our server next to small reference programs, interleaved, in one run.

`python -m bench.suite [--quick]` (or `make bench` / `make bench-quick`); see bench/README.md.
"""
