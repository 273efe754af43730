"""The graph engine: supersteps as pure functions (`algo`) under a thin async loop (`loop`).

Nothing here imports widgets or drawing code: the loop emits `events`, and streams, the stepping API and
the widgets subscribe to them.
"""
