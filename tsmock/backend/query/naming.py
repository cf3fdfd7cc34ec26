"""Result column names: the alias, else the column's own name, else Trino's ``_colN``.

N is the 0-based position in the select list [REAL, docs/operations/query.md];
unnamed expressions get a placeholder alias here, renamed once the engine has
expanded ``*`` and the final positions are known.

Imported only by `tsmock.backend.query.engine_modules.load_engine` (sqlglot).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

#: Placeholder alias of an unnamed result column; renamed ``_colN`` after execution.
PLACEHOLDER_PREFIX = "__ts_col_"


@dataclass(slots=True)
class OutputColumn:
    """What the translation knows of a result column before it runs."""

    name: str | None
    aliased: bool
    database: str | None = None
    table: str | None = None


def outermost_select(tree: exp.Expression) -> exp.Select | None:
    """The SELECT whose list names the result (the left-most of a set operation)."""
    node: exp.Expression | None = tree
    while node is not None and not isinstance(node, exp.Select):
        if isinstance(node, (exp.SetOperation, exp.Subquery)):
            node = node.this
        else:
            return None
    return node


def name_outputs(select: exp.Select, tables: dict[str, tuple[str, str]]) -> list[OutputColumn]:
    """Name each output of ``select``, aliasing unnamed expressions with placeholders."""
    outputs: list[OutputColumn] = []
    # A column's table is known when the SELECT reads one stored table directly.
    source_clause = select.args.get("from_") or select.args.get("from")
    direct = source_clause.this if isinstance(source_clause, exp.From) else None
    single = None
    if isinstance(direct, exp.Table) and not select.args.get("joins"):
        single = tables.get(direct.alias_or_name)
    for position, projection in enumerate(list(select.expressions)):
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            outputs.append(OutputColumn(None, False))
            continue
        if isinstance(projection, exp.Alias):
            inner = projection.this
            source = tables.get(inner.table) if isinstance(inner, exp.Column) else None
            source = source or (single if isinstance(inner, exp.Column) else None)
            outputs.append(
                OutputColumn(projection.alias, True, *(source if source else (None, None)))
            )
            continue
        if isinstance(projection, exp.Column):
            source = tables.get(projection.table) or single
            outputs.append(
                OutputColumn(projection.name, False, *(source if source else (None, None)))
            )
            continue
        placeholder = f"{PLACEHOLDER_PREFIX}{position}"
        projection.replace(exp.alias_(projection.copy(), placeholder, quoted=True))
        outputs.append(OutputColumn(None, False))
    return outputs
