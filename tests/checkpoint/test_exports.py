"""`wfkit.checkpoint` exports exactly its public names, and importing it stays light."""

import subprocess
import sys

import wfkit.checkpoint


def test_the_public_names_of_wfkit_checkpoint():
    assert wfkit.checkpoint.__all__ == ["BaseCheckpointSaver", "Checkpoint", "InMemorySaver", "JsonSerde",
                                        "PendingWrite", "PostgresSaver", "SqliteSaver", "WaitingThread"]
    assert all(getattr(wfkit.checkpoint, name).__name__ == name for name in wfkit.checkpoint.__all__)


def test_importing_wfkit_checkpoint_loads_neither_pydantic_nor_wfkit_messages():
    # The engine imports the checkpoint contract; pydantic and messages come in only when a graph uses them.
    code = ("import sys, wfkit.checkpoint; "
            "print(sorted(m for m in ('pydantic', 'wfkit.messages', 'anthropic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
