"""Values given through the API or an import are checked before the ORM sees them, with a French message."""

from odoo import fields
from odoo.exceptions import ValidationError


def _is_number(value, whole=False):
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if whole else isinstance(value, (int, float))


def _is_date(value):
    if not isinstance(value, (str, fields.date)):
        return False
    try:
        fields.Date.to_date(value)
    except (TypeError, ValueError):
        return False
    return True


def _expected(env, field, value):
    """What the field expects, in words, when value does not fit it; None when it fits."""
    if value is False or value is None:
        return None
    if field.type == "integer" and not _is_number(value, whole=True):
        return env._("a whole number")
    if field.type in ("float", "monetary") and not _is_number(value):
        return env._("a number")
    if field.type == "date" and not _is_date(value):
        return env._("a date (YYYY-MM-DD)")
    if field.type == "boolean" and not isinstance(value, bool):
        return env._("true or false")
    if field.type == "many2one" and not (_is_number(value, whole=True) and value > 0):
        return env._("the id of a record")
    if field.type == "selection" and value not in field.get_values(env):
        return env._("one of %(values)s", values=", ".join(field.get_values(env)))
    return None


def check_value_types(records, vals):
    """Raise a French ValidationError (and write nothing) when a value has the wrong type for its field."""
    env = records.env
    for fname, value in vals.items():
        field = records._fields.get(fname)
        expected = field and _expected(env, field, value)
        if expected:
            raise ValidationError(
                env._(
                    "Invalid value for “%(field)s”: %(value)s is not %(expected)s.",
                    field=field._description_string(env),
                    value=repr(value),
                    expected=expected,
                )
            )
