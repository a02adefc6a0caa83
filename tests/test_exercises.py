"""coursekit.exercises.check: what a learner is told, and a wrong hidden solution is an error."""

from __future__ import annotations

import pytest

from coursekit.exercises import check


def test_no_answer_checks_the_solution(capsys):
    assert check("Exercise 1", None, expected=8, solution=8)
    assert "no answer yet" in capsys.readouterr().out


def test_right_and_wrong_answers(capsys):
    assert check("Exercise 1", 8.0, expected=8, solution=8)
    assert "correct" in capsys.readouterr().out
    assert not check("Exercise 1", 9, expected=8, solution=8)
    out = capsys.readouterr().out
    assert "not yet" in out and "8" not in out.replace(
        "9", ""
    )  # the expected value is not given away


def test_collections_compare_element_by_element():
    assert check("Exercise 2", [1.0, 2.0], expected=(1, 2), solution=[1, 2])
    assert check("Exercise 2", {"a": 1}, expected={"a": 1.0}, solution={"a": 1})
    assert not check("Exercise 2", {"a": 1}, expected={"a": 2}, solution={"a": 2})


def test_a_wrong_hidden_solution_is_an_error():
    with pytest.raises(AssertionError, match="hidden solution"):
        check("Exercise 1", None, expected=8, solution=7)
