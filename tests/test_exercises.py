"""coursekit.exercises.check: what a learner is told, and a wrong hidden solution is an error."""

from __future__ import annotations

import pytest

from coursekit.exercises import check, matches


def test_no_answer_checks_the_solution(capsys):
    assert check("Exercise 1", None, expected=8, solution=8) is None  # nothing shown under it
    assert "no answer yet" in capsys.readouterr().out


def test_right_and_wrong_answers(capsys):
    check("Exercise 1", 8.0, expected=8, solution=8)
    assert "Exercise 1: correct." in capsys.readouterr().out
    check("Exercise 1", 9, expected=8, solution=8)
    out = capsys.readouterr().out
    assert "not yet" in out and "8" not in out.replace("9", "")  # the expected value not given away


def test_collections_compare_element_by_element():
    assert matches([1.0, 2.0], (1, 2)) and matches({"a": 1}, {"a": 1.0})
    assert not matches({"a": 1}, {"a": 2}) and not matches([1, 2], [1, 2, 3])


def test_a_wrong_hidden_solution_is_an_error():
    with pytest.raises(AssertionError, match="hidden solution"):
        check("Exercise 1", None, expected=8, solution=7)
