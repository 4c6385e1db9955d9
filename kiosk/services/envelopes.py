"""The group's envelopes and the split rule that shares takings between them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.database import utcnow
from kiosk.errors import N_, Conflict, InvalidInput, NotFound
from kiosk.ledger import journal, meeting_rows, rows, write
from kiosk.ledger.money import format_money, split_largest_remainder
from kiosk.ledger.rows import ENVELOPE_ENTRIES
from kiosk.models import CashSessionClosure, DonationRule, Envelope, EnvelopeEntry, SplitRule
from kiosk.services import meetings
from kiosk.services.paheko_accounts import spend_accounts
from kiosk.vocabulary import MAX_AMOUNT_CENTS, PARIS


def decide_split(session: Session, weights: Mapping[str, int], effective_from: date,
                 decision: str, user_id: int | None) -> SplitRule:
    """Record a new split, in force from `effective_from`, with the meeting that decided it:
    a split decision (kiosk/services/meetings.py, issue 30), journaled with its rule.

    Rules are never edited: the newest rule whose date has come is the one in force.
    """
    return meetings.decide_split(session, weights, effective_from, decision, user_id)


def closings_since(session: Session, day: date) -> int:
    """How many drawers were closed on or after that Paris day (their split is kept)."""

    start = datetime.combine(day, time.min, tzinfo=PARIS)
    return session.scalar(select(func.count()).select_from(CashSessionClosure).where(
        CashSessionClosure.closed_at >= start)) or 0


def rule_in_force(session: Session, on: date) -> SplitRule | None:
    return session.scalar(
        select(SplitRule).where(SplitRule.effective_from <= on)
        .order_by(SplitRule.effective_from.desc(), SplitRule.id.desc()).limit(1))


def takings_shares(session: Session, amount_cents: int, on: date) -> list[tuple[int, int]]:
    """`amount_cents` (negative for a shortfall) shared between the envelopes by the rule
    in force on `on`, to the cent (largest remainder): (envelope id, cents) for each
    envelope that gets something (none for 0). No rule that day is a 400."""
    rule = rule_in_force(session, on)
    if rule is None:
        raise InvalidInput("no_split_rule", "Aucune répartition n'est décidée pour cette date : "
                           "la trésorière doit en enregistrer une.")
    if amount_cents == 0:
        return []
    weights = {str(part.envelope_id): part.weight for part in rule.parts}
    shares = split_largest_remainder(amount_cents, weights)
    return [(int(envelope_id), cents) for envelope_id, cents in shares.items() if cents != 0]


def decide_donations(session: Session, envelope_code: str | None, effective_from: date,
                     decision: str, user_id: int | None) -> DonationRule:
    """Where the stall's gifts go from `effective_from`: all into one envelope
    (`envelope_code`), or (None) shared by the split in force, as takings are. A decision
    of the group, dated and journaled like a split rule; never edited."""
    if not decision.strip():
        raise InvalidInput("decision", "Dites quand la décision a été prise "
                           "(« décidé en réunion du … »).")
    envelope = envelope_by_code(session, envelope_code) if envelope_code else None
    [rule_id] = write.take_ids(session, {rows.DONATION_RULES: 1})[rows.DONATION_RULES.name]
    now = utcnow()
    rule_row = rows.donation_rule(id=rule_id, effective_from=effective_from,
                                  decision=decision.strip()[:500],
                                  envelope_id=envelope.id if envelope else None,
                                  created_by=user_id, created_at=now)
    write.record_event(session, "donation_rule", f"donations-{rule_id}",
                       [(rows.DONATION_RULES, [rule_row])], user_id, now)
    return session.get(DonationRule, rule_id)


def donation_rule_in_force(session: Session, on: date) -> DonationRule | None:
    return session.scalar(
        select(DonationRule).where(DonationRule.effective_from <= on)
        .order_by(DonationRule.effective_from.desc(), DonationRule.id.desc()).limit(1))


def donation_shares(session: Session, amount_cents: int, on: date) -> list[tuple[int, int]]:
    """The gifts of a day: all to the envelope the group chose, or by the split in force
    (takings_shares) when it chose none."""
    rule = donation_rule_in_force(session, on)
    if rule is None or rule.envelope_id is None:
        return takings_shares(session, amount_cents, on)
    return [(rule.envelope_id, amount_cents)] if amount_cents else []


def donation_rules_history(session: Session) -> list[DonationRule]:
    return list(session.scalars(select(DonationRule).order_by(
        DonationRule.effective_from.desc(), DonationRule.id.desc())))


def takings_rows(session: Session, amount_cents: int, on: date, label: str, *,
                 kind: str = "takings", cash_session_id: int | None = None,
                 sale_id: int | None = None, user_id: int | None = None,
                 now: datetime | None = None,
                 shares: list[tuple[int, int]] | None = None) -> list[dict]:
    """The envelope entries (rows.py rows, ids taken) sharing `amount_cents` between the
    envelopes: by takings_shares, or the `shares` given (a closing's gifts,
    donation_shares). Not written: the caller's event writes them (a closing journals its
    closure and its postings together)."""
    if shares is None:
        shares = takings_shares(session, amount_cents, on)
    if not shares:
        return []
    ids = write.take_ids(session, {ENVELOPE_ENTRIES: len(shares)})[ENVELOPE_ENTRIES.name]
    return rows.takings_entries(ids, shares, kind=kind, label=label, on=on,
                                created_by=user_id, created_at=now or utcnow(),
                                cash_session_id=cash_session_id, sale_id=sale_id)


def post_takings(session: Session, amount_cents: int, on: date, label: str, *,
                 kind: str = "takings", cash_session_id: int | None = None,
                 sale_id: int | None = None, user_id: int | None = None,
                 journal_rows: list | None = None,
                 shares: list[tuple[int, int]] | None = None) -> list[EnvelopeEntry]:
    """Share `amount_cents` between the envelopes (takings_rows), journaled here as one
    `kind` entry through the one writer; returned as EnvelopeEntry objects holding the
    rows written.

    With `journal_rows`, nothing is written: the entries (their ids taken) are added to
    that list for the caller's own event, which writes them (closing uses takings_rows).
    """
    now = utcnow()
    entry_rows = takings_rows(session, amount_cents, on, label, kind=kind,
                              cash_session_id=cash_session_id, sale_id=sale_id,
                              user_id=user_id, now=now, shares=shares)
    entries = [EnvelopeEntry(**row) for row in entry_rows]  # never added to the session
    if journal_rows is not None:
        journal_rows.extend(entries)
    elif entry_rows:
        write.record_event(session, kind, label[:64], [(ENVELOPE_ENTRIES, entry_rows)],
                           user_id, now)
    return entries


# -- balances, ledgers, spending and transfers ------------------------------------------

@dataclass
class EnvelopeBalance:
    envelope: Envelope
    balance_cents: int


def envelope_by_code(session: Session, code: str) -> Envelope:
    envelope = session.scalar(select(Envelope).where(Envelope.code == code))
    if envelope is None:
        raise NotFound("envelope", "L'enveloppe « %(which)s » n'existe pas.", which=code)
    return envelope


def balance(session: Session, envelope_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(EnvelopeEntry.amount_cents), 0))
                              .where(EnvelopeEntry.envelope_id == envelope_id)) or 0)


def balances(session: Session) -> list[EnvelopeBalance]:
    sums = dict(session.execute(
        select(EnvelopeEntry.envelope_id, func.sum(EnvelopeEntry.amount_cents))
        .group_by(EnvelopeEntry.envelope_id)).all())
    return [EnvelopeBalance(e, int(sums.get(e.id, 0) or 0))
            for e in session.scalars(select(Envelope).order_by(Envelope.id))]


def ledger(session: Session, envelope_id: int) -> list[tuple[EnvelopeEntry, int]]:
    """The envelope's entries, oldest first, each with the balance after it."""
    running = 0
    rows = []
    for entry in session.scalars(select(EnvelopeEntry).where(
            EnvelopeEntry.envelope_id == envelope_id)
            .order_by(EnvelopeEntry.entry_date, EnvelopeEntry.id)):
        running += entry.amount_cents
        rows.append((entry, running))
    return rows


def rules_history(session: Session) -> list[SplitRule]:
    return list(session.scalars(select(SplitRule).order_by(SplitRule.effective_from.desc(),
                                                           SplitRule.id.desc())))


def _check_text(value: str, field: str, what: str, required: bool = True,
                limit: int = 120) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit or any(
            ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidInput(field, what)
    return value


def check_amount(amount_cents: int) -> int:
    """An amount a volunteer typed: above 0 and at most MAX_AMOUNT_CENTS, each refusal
    saying which way it is wrong (a huge amount is not "not positive")."""
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise InvalidInput("amount", "Écrivez le montant en euros, par exemple 12,50.")
    if amount_cents < 1:
        raise InvalidInput("amount", "Le montant doit être plus grand que 0, par exemple "
                           "12,50.")
    if amount_cents > MAX_AMOUNT_CENTS:
        raise InvalidInput("amount", "Ce montant est trop grand : %(max)s au plus. Vérifiez "
                           "les chiffres tapés (12,50 pour douze euros cinquante).",
                           max=format_money(MAX_AMOUNT_CENTS))
    return amount_cents


def spend(session: Session, code: str, amount_cents: int, label: str, on: date,
          receipt_ref: str = "", *, confirm: bool = False,
          user_id: int | None = None, charge_account: str | None = None,
          paid_from: str | None = None, decision_id: int | None = None) -> EnvelopeEntry:
    """Money taken out of an envelope (the Christmas meal). One that would take the
    envelope below zero needs `confirm`, and the refusal says the resulting balance.

    `charge_account` and `paid_from` ("bank" or "cash"): how the accounts book it (issue
    16); either left out, the export's settings decide."""
    accounts_row = spend_accounts(session, charge_account, paid_from)
    amount_cents = check_amount(amount_cents)
    label = _check_text(label, "label", "Dites à quoi l'argent a servi (120 caractères au plus).")
    receipt_ref = _check_text(receipt_ref, "receipt_ref", "La référence du justificatif fait "
                              "120 caractères au plus.", required=False)
    head = journal.lock_head(session)  # balances are read and written one writer at a time
    envelope = envelope_by_code(session, code)
    decision_row = meetings.check_spend(session, envelope, amount_cents, decision_id)
    _refuse_below_zero(session, envelope, amount_cents, confirm, N_(
        "Après cette dépense, l'enveloppe « %(name)s » serait à %(amount)s : confirmez si "
        "c'est bien voulu."))
    ids = write.take_ids(session, {ENVELOPE_ENTRIES: 1,
                                   rows.SPEND_ACCOUNTS: int(accounts_row is not None),
                                   meeting_rows.DECISION_SPENDS: int(decision_row is not None)})
    [entry_id] = ids[ENVELOPE_ENTRIES.name]
    now = utcnow()
    tables = [(ENVELOPE_ENTRIES, [rows.envelope_entry(
        id=entry_id, envelope_id=envelope.id, amount_cents=-amount_cents, kind="spend",
        label=label, entry_date=on, receipt_ref=receipt_ref, created_by=user_id,
        created_at=now)])]
    if accounts_row is not None:  # journaled with the spending, in the same entry
        [account_id] = ids[rows.SPEND_ACCOUNTS.name]
        tables.append((rows.SPEND_ACCOUNTS, [rows.spend_account(
            id=account_id, envelope_entry_id=entry_id,
            charge_account=accounts_row.charge_account, paid_from=accounts_row.paid_from)]))
    if decision_row is not None:  # the decision it cites, journaled with it (issue 30)
        [link_id] = ids[meeting_rows.DECISION_SPENDS.name]
        tables.append((meeting_rows.DECISION_SPENDS, [
            {**decision_row, "id": link_id, "envelope_entry_id": entry_id}]))
    write.record_event(session, "envelope_spend", code, tables, user_id, now, head=head)
    return session.get(EnvelopeEntry, entry_id)


def _refuse_below_zero(session: Session, envelope: Envelope, amount_cents: int,
                       confirm: bool, message: str) -> None:
    """Taking `amount_cents` out may leave the envelope below zero only when confirmed;
    the refusal says the balance it would leave."""
    after = balance(session, envelope.id) - amount_cents
    if after < 0 and not confirm:
        raise Conflict("below_zero", message, name=envelope.name, amount=format_money(after))


def transfer(session: Session, from_code: str, to_code: str, amount_cents: int, label: str,
             on: date, *, confirm: bool = False,
             user_id: int | None = None) -> list[EnvelopeEntry]:
    """Move money between two envelopes, as the group decided: two entries, one group."""
    amount_cents = check_amount(amount_cents)
    label = _check_text(label, "label", "Dites pourquoi (120 caractères au plus).")
    if from_code == to_code:
        raise InvalidInput("same_envelope", "Choisissez deux enveloppes différentes.")
    head = journal.lock_head(session)
    source = envelope_by_code(session, from_code)
    target = envelope_by_code(session, to_code)
    _refuse_below_zero(session, source, amount_cents, confirm, N_(
        "Après ce virement, l'enveloppe « %(name)s » serait à %(amount)s : confirmez si "
        "c'est bien voulu."))
    group = str(uuid.uuid4())
    out_id, in_id = write.take_ids(session, {ENVELOPE_ENTRIES: 2})[ENVELOPE_ENTRIES.name]
    now = utcnow()
    entry_rows = [rows.envelope_entry(id=entry_id, envelope_id=envelope_id, amount_cents=cents,
                                      kind="transfer", label=label, entry_date=on,
                                      group_ref=group, created_by=user_id, created_at=now)
                  for entry_id, envelope_id, cents in ((out_id, source.id, -amount_cents),
                                                       (in_id, target.id, amount_cents))]
    write.record_event(session, "envelope_transfer", f"{from_code}>{to_code}",
                       [(ENVELOPE_ENTRIES, entry_rows)], user_id, now, head=head)
    return [session.get(EnvelopeEntry, out_id), session.get(EnvelopeEntry, in_id)]


def add_envelope(session: Session, code: str, name: str) -> Envelope:
    """A new envelope (not journaled: it holds no money until an entry says so)."""
    code = _check_text(code, "code", "Le code est fait de lettres et de chiffres, sans espace.",
                       limit=32).lower()
    if not all(c.isalnum() or c in "-_" for c in code) or not code.isascii():
        raise InvalidInput("code", "Le code est fait de lettres et de chiffres, sans espace.")
    name = _check_text(name, "name", "Donnez un nom à l'enveloppe (120 caractères au plus).")
    if session.scalar(select(Envelope.id).where(Envelope.code == code)) is not None:
        raise Conflict("exists", "L'enveloppe « %(which)s » existe déjà.", which=code)
    envelope = Envelope(code=code, name=name)
    session.add(envelope)
    session.flush()
    return envelope
