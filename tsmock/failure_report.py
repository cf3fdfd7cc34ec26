"""The ``tsmock`` section of a failed test's report: the calls answered with an error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsmock.calls import Call
    from tsmock.state import MockState


def _describe_error(call: Call) -> list[str]:
    lines = [call.describe()]
    for entry in call.rejected_records:
        line = f"    record {entry.get('RecordIndex')}: {entry.get('Reason')}"
        if "ExistingVersion" in entry:
            line += f" (existing version {entry['ExistingVersion']})"
        lines.append(line)
    return lines


def render(states: Iterable[MockState]) -> str:
    """The section text: how many calls were answered, then each error answer."""
    calls = [call for state in states for call in state.calls.calls()]
    errors = [call for call in calls if call.error_code is not None]
    if not errors:
        return f"tsmock answered {len(calls)} calls, none with an error\n"
    lines = [f"tsmock answered {len(calls)} calls, {len(errors)} with an error:"]
    for call in errors:
        lines.extend(f"  {line}" for line in _describe_error(call))
    return "\n".join(lines) + "\n"


__all__ = ["render"]
