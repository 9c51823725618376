"""The explanations the service orders per level are the ones the program prints per depth."""

from __future__ import annotations

import ast

from services.apps.explanations import EXPLANATIONS
from services.apps.programs import template


def test_levels_match_the_program() -> None:
    tree = ast.parse(template("explain").replace("{{", "(").replace("}}", ")"))
    found = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "EXPLANATIONS" for t in node.targets)
    )
    program = ast.literal_eval(found)
    assert {level: tuple(kinds) for level, kinds in program.items()} == EXPLANATIONS
