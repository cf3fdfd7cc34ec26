"""The type errors DuckDB would coerce away but the service refuses.

DuckDB casts a string literal compared with a number (and a number compared
with a string column) implicitly, failing or not at run time; Trino, and so
Timestream, refuses such a comparison before running (``Cannot apply operator:
double = varchar(3)``), as it refuses a WHERE clause that is not boolean. Only
comparisons of a table column with a literal are checked, where the column's
type is known for certain (docs/operations/query.md).

Imported only by `tsmock.backend.query.engine_modules.load_engine` (sqlglot).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

_NUMERIC = frozenset({"DOUBLE", "BIGINT", "INTEGER"})
_OPERATORS: dict[type[exp.Expression], str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
}

#: Raises the positioned ValidationException for an offending node.
Fail = Callable[[exp.Expression, str], Exception]


def _literal_type(literal: exp.Literal) -> str:
    if literal.is_string:
        return f"varchar({len(str(literal.this))})"
    text = str(literal.this)
    return "double" if ("." in text or "e" in text.lower()) else "integer"


def check(
    tree: exp.Expression,
    column_types: dict[str, dict[str, str]],
    fail: Fail,
) -> None:
    """Refuse column-literal comparisons of incompatible types and non-boolean WHEREs.

    ``column_types`` maps each table alias of the query to its columns' ScalarTypes.
    """
    # Names that something other than a stored table defines are not checked.
    defined = {alias.alias for alias in tree.find_all(exp.Alias)}
    for table_alias in tree.find_all(exp.TableAlias):
        defined.update(column.name for column in table_alias.columns)
    for lam in tree.find_all(exp.Lambda):
        defined.update(param.name for param in lam.expressions)

    def type_of(column: exp.Column) -> str | None:
        name = column.name
        if column.table:
            return column_types.get(column.table, {}).get(name)
        if name in defined:
            return None
        found = {types[name] for types in column_types.values() if name in types}
        return found.pop() if len(found) == 1 else None

    for node in tree.find_all(*_OPERATORS):
        for side, other in ((node.this, node.expression), (node.expression, node.this)):
            if not (isinstance(side, exp.Column) and isinstance(other, exp.Literal)):
                continue
            scalar = type_of(side)
            if scalar is None:
                continue
            mismatch = (other.is_string and scalar in _NUMERIC | {"BOOLEAN"}) or (
                not other.is_string and scalar == "VARCHAR"
            )
            if mismatch:
                left, right = scalar.lower(), _literal_type(other)
                if side is node.expression:
                    left, right = right, left
                raise fail(side, f"Cannot apply operator: {left} {_OPERATORS[type(node)]} {right}")
    for where in tree.find_all(exp.Where):
        condition = where.this
        if isinstance(condition, exp.Column):
            scalar = type_of(condition)
            if scalar is not None and scalar != "BOOLEAN":
                raise fail(
                    condition,
                    f"WHERE clause must evaluate to a boolean: actual type {scalar.lower()}",
                )
