"""Late-payment penalties (art. L441-10) and the fixed recovery indemnity (art. D441-5) of one invoice."""

from dateutil.relativedelta import relativedelta

from odoo import fields

INDEMNITY_EUR = 40.0
ECB_MARGIN = 10.0


def owed_periods(move, date_to, date_from=None):
    """(start, end, balance) of each late instalment: balance owed in invoice currency on days start+1..end."""
    periods = []
    for line in move.line_ids.filtered(lambda l: l.display_type == "payment_term" and l.date_maturity):
        due = line.date_maturity
        payments = sorted((p.max_date, p.debit_amount_currency) for p in line.matched_credit_ids)
        start, balance = due, line.amount_currency
        for pay_date, amount in payments:
            periods.append((due, start, pay_date, balance))
            start, balance = max(start, pay_date), balance - amount
        periods.append((due, start, date_to, balance))
    clipped = []
    for due, start, end, balance in periods:
        low, high = max(start, date_from or start), min(end, date_to)
        if high > low and move.currency_id.compare_amounts(balance, 0) > 0:
            clipped.append((due, low, high, balance))
    return clipped


def semester_chunks(start, end):
    """Split days start+1..end at 1 January and 1 July: (chunk_start, chunk_end) pairs."""
    chunks = []
    while start < end:
        first_day = start + relativedelta(days=1)
        semester_end = first_day.replace(month=6 if first_day.month < 7 else 12, day=30 if first_day.month < 7 else 31)
        chunk_end = min(end, semester_end)
        chunks.append((start, chunk_end))
        start = chunk_end
    return chunks


def annual_rate(env, company, day, notes):
    """Penalty rate in percent on a given day, for the company's settings."""
    if company.relance_penalty_rate_type == "contractual":
        return company.relance_contract_rate
    rate, note = env["relance.rate"]._rate_for("ecb", day)
    if note and note not in notes:
        notes.append(note)
    return rate + ECB_MARGIN


def compute(move, date_to, date_from=None):
    """Penalty, indemnity, days late, rates and notes of a business customer's invoice on date_to."""
    env, company = move.env, move.company_id
    result = {"penalty": 0.0, "indemnity": 0.0, "days": 0, "rates": [], "notes": []}
    late = owed_periods(move, date_to)
    if not late:
        return result
    result["days"] = max((high - due).days for due, _low, high, _bal in late)
    if not move._relance_is_business():
        return result
    amount = 0.0
    for due, low, high, balance in owed_periods(move, date_to, date_from) if date_from else late:
        if company.relance_penalty_split_semesters:
            chunks = semester_chunks(low, high)
        else:
            chunks = [(low, high)]
        for chunk_start, chunk_end in chunks:
            day = chunk_start + relativedelta(days=1) if company.relance_penalty_split_semesters else due
            rate = annual_rate(env, company, day, result["notes"])
            if rate not in result["rates"]:
                result["rates"].append(rate)
            amount += balance * rate / 100.0 * (chunk_end - chunk_start).days / 365.0
    result["penalty"] = move.currency_id.round(amount)
    eur = env["res.currency"].browse(env["ir.model.data"]._xmlid_to_res_id("base.EUR"))  # cached, no query
    result["indemnity"] = eur._convert(INDEMNITY_EUR, move.currency_id, company, date_to or fields.Date.today())
    return result
