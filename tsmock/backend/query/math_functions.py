"""Trino math functions that DuckDB lacks or names otherwise (docs/querying.md)."""

from __future__ import annotations

from sqlglot import exp

#: Trino's floating point constants, as DuckDB writes them.
_DOUBLE_CONSTANTS = {"nan": "NaN", "infinity": "Infinity"}
#: Trino's floating point tests and DuckDB's names for them.
_DOUBLE_TESTS = {"is_finite": "isfinite", "is_infinite": "isinf"}


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def math_function(name: str, args: list[exp.Expression]) -> exp.Expression | None:
    """The DuckDB form of the Trino function ``name`` (lower case), or None if not one."""
    if name in _DOUBLE_CONSTANTS and not args:
        return exp.Cast(
            this=exp.Literal.string(_DOUBLE_CONSTANTS[name]), to=exp.DataType.build("DOUBLE")
        )
    if name == "e" and not args:
        return _call("exp", exp.Literal.number(1))
    if name in _DOUBLE_TESTS and len(args) == 1:
        return _call(_DOUBLE_TESTS[name], args[0])
    if name == "to_base" and len(args) == 2:
        # Trino writes digits above 9 in lower case (Java's Long.toString).
        return _call("lower", _call("to_base", *args))
    return None
