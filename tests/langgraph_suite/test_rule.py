"""The rule that decides which of LangGraph's tests count for wfkit, on small sources written here."""

import textwrap

import lgsuite_rule


def verdicts(source: str) -> dict[str, str | None]:
    return {v.test: v.reason for v in lgsuite_rule.verdicts(textwrap.dedent(source))}


def test_a_test_using_only_the_public_api_counts_and_annotations_do_not_count_as_use():
    assert verdicts("""
        from langgraph.checkpoint.base import BaseCheckpointSaver
        from langgraph.graph import StateGraph
        def test_public(sync_checkpointer: BaseCheckpointSaver) -> None:
            StateGraph(dict)
    """) == {"test_public": None}


def test_internal_names_are_found_through_helpers_classes_fixtures_and_decorators():
    assert verdicts("""
        import pytest
        from typing import Annotated
        from typing_extensions import TypedDict
        from langgraph.channels.delta import DeltaChannel
        from langgraph.graph.message import _messages_delta_reducer, add_messages
        from langgraph.pregel._retry import run_with_retry
        class State(TypedDict):
            items: Annotated[list, DeltaChannel(add_messages)]
        def build():
            return State
        @pytest.fixture
        def retrying():
            return run_with_retry
        def test_through_a_class_via_a_helper():
            build()
        def test_private_name():
            _messages_delta_reducer([], [])
        def test_through_a_fixture(retrying):
            pass
        @pytest.mark.parametrize("f", [run_with_retry])
        def test_through_a_decorator(f):
            pass
        def test_public_only():
            add_messages([], [])
    """) == {
        "test_through_a_class_via_a_helper": "uses `langgraph.channels.delta.DeltaChannel`",
        "test_private_name": "uses `langgraph.graph.message._messages_delta_reducer`",
        "test_through_a_fixture": "uses `langgraph.pregel._retry.run_with_retry`",
        "test_through_a_decorator": "uses `langgraph.pregel._retry.run_with_retry`",
        "test_public_only": None,
    }


def test_fixtures_that_inspect_the_implementation_set_a_test_aside_and_test_classes_are_read():
    assert verdicts("""
        from tests.any_str import AnyStr
        def test_snap(snapshot):
            pass
        def test_mock(mocker):
            pass
        class TestThings:
            def test_method(self):
                AnyStr()
    """) == {"test_snap": "asks for the `snapshot` fixture", "test_mock": "asks for the `mocker` fixture",
             "TestThings::test_method": None}


def test_the_runners_executable_task_is_internal_though_its_module_is_public():
    assert verdicts("""
        from langgraph.types import PregelExecutableTask, PregelTask
        def test_runner_task():
            PregelExecutableTask(name="a")
        def test_snapshot_task():
            PregelTask("id", "a", ())
    """) == {"test_runner_task": "uses `langgraph.types.PregelExecutableTask`", "test_snapshot_task": None}
