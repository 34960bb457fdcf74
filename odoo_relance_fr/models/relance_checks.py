"""Values given through the API or an import are checked before the ORM sees them, with a French message."""

from odoo import fields
from odoo.exceptions import ValidationError


def _is_number(value, whole=False):
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if whole else isinstance(value, (int, float))


INT_MAX = 2**31 - 1  # PostgreSQL integer columns
YEARS = (1900, 2999)  # dates a reminder can mean; beyond, date arithmetic overflows or makes no sense


def _is_date(value):
    if not isinstance(value, (str, fields.date)):
        return False
    try:
        date = fields.Date.to_date(value)
    except (TypeError, ValueError):
        return False
    return YEARS[0] <= date.year <= YEARS[1]


def _number_limit(env, field):
    """The largest magnitude the column holds: 10^(precision - scale) for a float with digits."""
    digits = field.get_digits(env) if field.type == "float" else None
    return 10 ** (digits[0] - digits[1]) if digits and digits[0] else 1e15


def _expected(env, field, value):
    """What the field expects, in words, when value does not fit it; None when it fits."""
    if value is False or value is None:
        return None
    if field.type == "integer" and not (_is_number(value, whole=True) and -INT_MAX <= value <= INT_MAX):
        return env._("a whole number between -%(limit)s and %(limit)s", limit=INT_MAX)
    if field.type in ("float", "monetary"):
        limit = _number_limit(env, field)
        if not (_is_number(value) and abs(value) < limit):
            shown = f"{limit:g}"
            return env._("a number smaller than %(limit)s", limit=shown)
    if field.type == "date" and not _is_date(value):
        return env._("a date (YYYY-MM-DD) between %(first)s and %(last)s", first=YEARS[0], last=YEARS[1])
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
