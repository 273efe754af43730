"""The wfkit benchmark: the same workloads on wfkit, LangGraph and plain Python, interleaved in one run.

Run it from the repository root with `python -m bench` (`--quick` for a smoke run, `--markdown` for the
README table). `libs` adapts the two graph libraries to one namespace, `workloads` builds the runs,
`timing` measures them side by side, `targets` derives the overheads and judges issue 7's targets, and
`report` prints the tables.
"""
