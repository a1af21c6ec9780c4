"""Types of a diagram's case fields and the expressions checked against them before deploying
(issue 18): each field's type comes from the JSON Schema of the forms that produce it (string,
number, integer, boolean, enum, a date as a string) and from the scripts that set it; each
condition, script, message payload and timer is read with Python's ast (nothing is evaluated)
and what can never work is refused on its element, in Vietnamese with its English in the
catalogue: ``amount > 5`` when amount is a string, ``urgent == "yes"`` when urgent is a boolean,
an enum compared with a value it does not hold, arithmetic on strings, a timer that gives no
ISO 8601 duration or date."""

from engine.workflow.field_types.diagram import field_types, problems

__all__ = ["field_types", "problems"]
