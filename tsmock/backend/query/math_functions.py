"""Trino math functions that DuckDB lacks or names otherwise (docs/querying.md)."""

from __future__ import annotations

from sqlglot import exp

#: Trino's floating point constants, as DuckDB writes them.
_DOUBLE_CONSTANTS = {"nan": "NaN", "infinity": "Infinity"}
#: Trino's floating point tests and DuckDB's names for them.
_DOUBLE_TESTS = {"is_finite": "isfinite", "is_infinite": "isinf"}


#: The engine's Python function behind ``from_base`` (`from_base`).
FROM_BASE_UDF = "__ts_from_base"
_BIGINT = range(-(2**63), 2**63)


class InvalidArgument(ValueError):
    """A function argument the service refuses at run time (its message is the answer)."""


def from_base(text: str, radix: int) -> int:
    """Trino's ``from_base``: ``text`` read as a base-``radix`` BIGINT."""
    if not 2 <= radix <= 36:
        raise InvalidArgument(f"Radix must be between 2 and 36: {radix}")
    digits = text[1:] if text[:1] in ("+", "-") else text
    # Digit by digit: int() alone would also take "0x", "_" and spaces.
    if not digits or not all(
        c.isascii() and c.isalnum() and int(c, 36) < radix for c in digits
    ):
        raise InvalidArgument(f"Not a valid base-{radix} number: {text}")
    value = int(text, radix)
    if value not in _BIGINT:
        raise InvalidArgument(f"Not a valid base-{radix} number: {text}")
    return value


def call(name: str, *args: exp.Expression) -> exp.Expression:
    """A call of the engine's function ``name`` (DuckDB's or one tsmock registers)."""
    return exp.Anonymous(this=name, expressions=list(args))


def math_function(name: str, args: list[exp.Expression]) -> exp.Expression | None:
    """The DuckDB form of the Trino function ``name`` (lower case), or None if not one."""
    if name in _DOUBLE_CONSTANTS and not args:
        return exp.Cast(
            this=exp.Literal.string(_DOUBLE_CONSTANTS[name]), to=exp.DataType.build("DOUBLE")
        )
    if name == "e" and not args:
        return call("exp", exp.Literal.number(1))
    if name in _DOUBLE_TESTS and len(args) == 1:
        return call(_DOUBLE_TESTS[name], args[0])
    if name == "from_base" and len(args) == 2:
        return call(FROM_BASE_UDF, *args)
    if name == "to_base" and len(args) == 2:
        # Trino writes digits above 9 in lower case (Java's Long.toString).
        return call("lower", call("to_base", *args))
    return None
