"""`BaseCheckpointSaver.get_next_version`: the numbering LangGraph's savers give a key's versions."""

import pytest

from wfkit.checkpoint import InMemorySaver
from wfkit.errors import ArgumentTypeError


def test_versions_count_up_from_one():
    saver = InMemorySaver()
    assert [saver.get_next_version(v, None) for v in (None, 1, 7)] == [1, 2, 8]


@pytest.mark.parametrize("bad", ["3", 1.5, True])
def test_a_version_that_is_not_an_int_is_named(bad):
    with pytest.raises(ArgumentTypeError) as err:
        InMemorySaver().get_next_version(bad)
    assert str(err.value) == f"get_next_version: `current` must be an int or None, got {bad!r}"
