"""Runs of graphs built with other libraries, behind the same stepping API as wfkit's `Run` (see
`wfkit.seam`). Each adapter lives in its own module and imports its library only when used."""
